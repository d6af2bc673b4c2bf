package demo

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
)

func TestDemoProfilesWorkThroughTheEngine(t *testing.T) {
	iss, err := Start()
	require.NoError(t, err)
	defer iss.Close()
	store := authtest.NewStore()
	e := auth.NewEngine(store, authtest.NopLocker{})
	ctx := context.Background()
	require.NoError(t, Seed(ctx, e, iss))
	require.NoError(t, Seed(ctx, e, iss), "seeding again replaces the profiles")

	names, err := e.Names(ctx)
	require.NoError(t, err)
	require.Len(t, names, len(Profiles))

	requests := iss.Requests()
	tok, err := e.Token(ctx, "acme-dev", false)
	require.NoError(t, err)
	require.Equal(t, requests, iss.Requests(), "seeded with a token already")
	d := auth.Decode(tok.AccessToken)
	require.Equal(t, auth.KindJWT, d.Kind)
	require.Equal(t, []string{"https://api.acme.example"}, d.Audience())
	require.Contains(t, d.Scopes(), "write:orders")
	require.InDelta(t, (10 * time.Minute).Seconds(), time.Until(tok.Expiry).Seconds(), 5)
	require.Equal(t, auth.KindJWT, auth.Decode(tok.IDToken).Kind)

	t.Run("rotation", func(t *testing.T) {
		before, _ := store.Secret("acme-dev", auth.SecretRefreshToken)
		again, err := e.Token(ctx, "acme-dev", true)
		require.NoError(t, err)
		require.NotEqual(t, tok.AccessToken, again.AccessToken)
		after, _ := store.Secret("acme-dev", auth.SecretRefreshToken)
		require.NotEqual(t, before, after, "the refresh token rotated and was saved")

		// Presenting the spent one revokes the family, the saved one with it.
		require.NoError(t, store.SaveSecret(ctx, "acme-dev", auth.SecretRefreshToken, before))
		_, err = e.Token(ctx, "acme-dev", true)
		require.ErrorIs(t, err, auth.ErrNeedsLogin)
		require.NoError(t, store.SaveSecret(ctx, "acme-dev", auth.SecretRefreshToken, after))
		_, err = e.Token(ctx, "acme-dev", true)
		require.ErrorIs(t, err, auth.ErrNeedsLogin, "reuse revoked the whole family")
	})
	t.Run("signed out profile", func(t *testing.T) {
		_, err := e.Token(ctx, "old-laptop", false)
		require.ErrorIs(t, err, auth.ErrNeedsLogin)
	})
}
