package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testserver"
)

// A refresh whose request reached the issuer outlives its caller: Close
// waits until its rotated refresh token is stored, and starts nothing new.
func TestCloseWaitsForASentRefresh(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	old := f.refreshToken(t)
	srv.AnswerLate(t, 800*time.Millisecond, 1)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := f.engine.Token(ctx, "dev", true)
		errc <- err
	}()
	srv.WaitHeld(t, 1)
	cancel() // Ctrl-C: the caller stops waiting at once...
	require.ErrorIs(t, <-errc, context.Canceled)

	var waited []auth.Pending
	require.NoError(t, f.engine.Close(context.Background(), func(ps []auth.Pending) { waited = ps }))
	require.Equal(t, []auth.Pending{{Name: "dev", Op: auth.OpRefresh}}, waited)
	// ...but the refresh it started was seen through.
	rt := f.refreshToken(t)
	require.NotEqual(t, old, rt)
	require.True(t, srv.Active(t, rt), "the stored refresh token is the live one")

	_, err := f.engine.Token(context.Background(), "dev", true)
	require.ErrorIs(t, err, auth.ErrClosed, "a closed engine starts no exchange")
	tok, err := f.engine.Token(context.Background(), "dev", false)
	require.NoError(t, err, "cached tokens are still served")
	require.True(t, srv.Active(t, tok.AccessToken))
	require.Zero(t, srv.Stats(t).Reuse)
}

// Close with nothing in flight returns at once without calling waiting.
func TestCloseWithNothingPending(t *testing.T) {
	f := newFixture(t, sharedServer(t), auth.Profile{}, "openid offline_access", "")
	called := false
	require.NoError(t, f.engine.Close(context.Background(), func([]auth.Pending) { called = true }))
	require.False(t, called)
}

// The keychain refuses to store the rotated refresh token within the commit
// budget: the refresh says to sign in again and why, and no later refresh
// sends the spent token.
func TestRotationThatCannotBeStored(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "", auth.WithCommitTimeout(time.Second))
	old := f.refreshToken(t)
	f.store.SetSaveSecretErr(fmt.Errorf("save: %w", auth.ErrKeychainTimeout))

	start := time.Now()
	_, err := f.engine.Token(context.Background(), "dev", true)
	require.ErrorIs(t, err, auth.ErrRotationLost)
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.Less(t, time.Since(start), 5*time.Second, "bounded by the commit budget")
	require.Equal(t, old, f.refreshToken(t))

	f.store.SetSaveSecretErr(nil)
	srv.ResetStats(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_, err := f.engine.Token(context.Background(), "dev", true)
			require.ErrorIs(t, err, auth.ErrRotationLost)
		})
	}
	wg.Wait()
	require.Zero(t, srv.TokenRequests(t), "the spent refresh token never reaches the issuer again")
	require.NotContains(t, err.Error(), old)
}
