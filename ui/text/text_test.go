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
