package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
)

// Keeping a profile signed in is one refresh at the real issuer, which
// starts its inactivity lifetime again; nothing reaches the clipboard.
func TestKeepSignedInRefreshes(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, time.Hour)
	ctx := context.Background()
	p := f.SignIn(t, "dev")
	p.RefreshIdle = 2 * 24 * time.Hour
	_, err := f.Engine.UpdateProfile(ctx, p)
	require.NoError(t, err)
	before := f.Engine.Status(ctx, "dev").KeepBy
	require.False(t, before.IsZero())
	requests := srv.TokenRequests(t)

	f.Clock.Advance(36 * time.Hour)
	f.Session.KeepSignedIn("dev")
	f.Settle(t)
	require.Equal(t, requests+1, srv.TokenRequests(t))
	after := f.Engine.Status(ctx, "dev")
	require.True(t, f.Clock.Now().Add(2*24*time.Hour).Equal(after.KeepBy), "the idle lifetime starts again: %v", after.KeepBy)
	require.Empty(t, f.Clipboard.Text())
	require.NotEmpty(t, after.Token.AccessToken)
}
