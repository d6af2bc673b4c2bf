package state

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
)

func TestLabel(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hour := auth.Token{AccessToken: "at", TokenType: "Bearer", ObtainedAt: t0, Expiry: t0.Add(time.Hour)}
	threeHours := hour
	threeHours.Expiry = t0.Add(3 * time.Hour)
	for _, tc := range []struct {
		status auth.Status
		err    error
		at     time.Time
		want   string
	}{
		{auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(17*time.Minute + 30*time.Second), "dev · 42 min left"},
		{auth.Status{Token: threeHours, HasRefreshToken: true}, nil, t0.Add(55 * time.Minute), "dev · 2 h 05 min left"},
		{auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(time.Hour - 30*time.Second), "dev · under 1 min left"},
		{auth.Status{Token: hour, HasRefreshToken: true}, nil, t0.Add(time.Hour), "dev · expired"},
		{auth.Status{}, nil, t0, "dev · sign in needed"},
		{auth.Status{Token: hour, HasRefreshToken: true}, fmt.Errorf("refresh dev: %w", auth.ErrNeedsLogin), t0, "dev · sign in needed"},
		{auth.Status{Err: auth.ErrKeychainTimeout}, nil, t0, "dev · error"},
		{auth.Status{HasRefreshToken: true}, nil, t0, "dev · no token yet"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, Label("dev", SubjectOf(tc.status, tc.err), tc.at))
		})
	}
}

// The tray label says when a sign-in is due once it is within a week.
func TestLabelSaysWhenToSignInAgain(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tok := auth.Token{AccessToken: "at", Expiry: now.Add(42*time.Minute + 30*time.Second)}
	s := Subject{Token: tok, SignInBy: now.Add(6*24*time.Hour + time.Hour)}
	require.Equal(t, "dev · 42 min left · sign in again in 6 days", Label("dev", s, now))
	s.SignInBy = now.Add(20 * 24 * time.Hour)
	require.Equal(t, "dev · 42 min left", Label("dev", s, now), "further off it is not worth the space")
	s.SignInBy = time.Time{}
	require.Equal(t, "dev · 42 min left", Label("dev", s, now))
	s = Subject{NoRefreshToken: true, SignInBy: now.Add(time.Hour)}
	require.Equal(t, "dev · sign in needed", Label("dev", s, now), "no second word for the same thing")
}
