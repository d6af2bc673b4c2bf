package text_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/text"
)

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0 s",
		59*time.Second + 900*time.Millisecond: "59 s",
		time.Minute:                           "1 min",
		59*time.Minute + 59*time.Second:       "59 min",
		time.Hour + 5*time.Minute + 30*time.Second: "1 h 05 min",
		26 * time.Hour: "26 h 00 min",
	} {
		require.Equal(t, want, text.Duration(d), d.String())
	}
}

func TestRelative(t *testing.T) {
	require.Equal(t, "in 42 min", text.Relative(42*time.Minute))
	require.Equal(t, "expired 0 s ago", text.Relative(0))
	require.Equal(t, "expired 1 h 05 min ago", text.Relative(-65*time.Minute))
}

func TestPending(t *testing.T) {
	require.Equal(t, "refresh of dev", text.Pending([]auth.Pending{{Name: "dev", Op: auth.OpRefresh}}))
	require.Equal(t, "refresh of dev and prod and sign-in of test", text.Pending([]auth.Pending{
		{Name: "dev", Op: auth.OpRefresh}, {Name: "test", Op: auth.OpSignIn}, {Name: "prod", Op: auth.OpRefresh}}))
}

func TestSpanAndSignInAgain(t *testing.T) {
	for d, want := range map[time.Duration]string{
		6*24*time.Hour + 5*time.Hour: "6 days", 30 * time.Hour: "1 day", 5*time.Hour + 59*time.Minute: "5 h", 40 * time.Minute: "40 min",
	} {
		require.Equal(t, want, text.Span(d))
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	require.Equal(t, "sign in again in 6 days", text.SignInAgain(now.Add(6*24*time.Hour+time.Hour), now))
	require.Equal(t, "sign in again now", text.SignInAgain(now.Add(-time.Minute), now))
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "12h": 12 * time.Hour, "0": 0, "": 0, " 7d ": 7 * 24 * time.Hour} {
		got, err := text.ParseSpan(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"30 days", "-1d", "x", "-5h"} {
		_, err := text.ParseSpan(bad)
		require.Error(t, err, bad)
	}
}
