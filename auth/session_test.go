package auth_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// legacyFixture is a profile stored the way tokentray before the session
// item stored it: the refresh token in refresh:NAME, no cache.
func legacyFixture(t *testing.T, srv *testserver.Server) (fixture, string) {
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	rt := f.refreshToken(t)
	ctx := context.Background()
	require.NoError(t, f.store.DeleteSecret(ctx, "dev", auth.SecretSession))
	require.NoError(t, f.store.SaveSecret(ctx, "dev", auth.SecretRefreshToken, rt))
	return f, rt
}

// The old refresh:NAME item goes with the first write, and when removing
// it fails, with a later one: a spent refresh token never comes back from
// it, not even when the session item is removed.
func TestLegacyItemsNeverComeBack(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f, old := legacyFixture(t, srv)
	ctx := context.Background()
	locked := fmt.Errorf("delete: %w", auth.ErrKeychainLocked)

	f.store.SetDeleteErr(auth.SecretRefreshToken, locked)
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	left, ok := f.store.RawSecret("dev", auth.SecretRefreshToken)
	require.True(t, ok, "removing the old item failed")
	require.Equal(t, old, left)
	_, err = f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)

	// Signing out removes the old item first: failing, it keeps the
	// session item, so the leftover is never read on its own.
	require.Error(t, f.engine.Logout(ctx, "dev", auth.LogoutOptions{EvenIfNotRevoked: true}))
	_, ok = f.store.RawSecret("dev", auth.SecretSession)
	require.True(t, ok)
	srv.ResetStats(t)
	_, _ = f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.Zero(t, srv.Stats(t).Reuse, "the spent refresh token in the old item was never sent")

	// Once deletes work again the next write removes it.
	f.store.SetDeleteErr(auth.SecretRefreshToken, nil)
	require.NoError(t, f.engine.SetRefreshToken(ctx, "dev", srv.Mint(t, testserver.PostClientID, "openid offline_access", "")))
	_, ok = f.store.RawSecret("dev", auth.SecretRefreshToken)
	require.False(t, ok, "the old item is gone")
}

// A session item that cannot be read back stands for "sign in again": the
// old items, if any are left, are older still and are not used.
func TestDamagedSessionDoesNotFallBackToOldItems(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f, _ := legacyFixture(t, srv)
	ctx := context.Background()
	require.NoError(t, f.store.SaveSecret(ctx, "dev", auth.SecretSession, "{damaged"))
	srv.ResetStats(t)
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.Zero(t, srv.TokenRequests(t), "the old refresh token is not sent")
}

// A profile moved to another issuer without its session being dropped (by
// an older tokentray, which knows nothing of the session item) keeps its
// refresh token away from the new issuer.
func TestSessionOfAnotherIssuerIsNotSent(t *testing.T) {
	first := testserver.Start(t, testserver.Options{})
	second := testserver.Start(t, testserver.Options{})
	f := newFixture(t, first, auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	rt := f.refreshToken(t)
	p := must(f.engine.Profile(ctx, "dev"))
	p.Domain = second.Issuer
	require.NoError(t, f.store.SaveProfile(ctx, p)) // as an older version's edit would leave it
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.ErrorContains(t, err, "issued for another issuer or client")
	require.Zero(t, second.TokenRequests(t))
	require.False(t, second.Received(t, rt))
}
