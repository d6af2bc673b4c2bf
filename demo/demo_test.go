package demo_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/demo"
)

func TestDemoProfilesRefreshAndRotate(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	is, err := demo.Start(ctx)
	require.NoError(t, err)
	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{})
	require.NoError(t, st.SaveProfile(ctx, auth.Profile{Name: "old-leftover", Domain: "a.com", ClientID: "c"}))
	require.NoError(t, demo.Setup(ctx, e, is, 8))

	names, err := e.Names(ctx)
	require.NoError(t, err)
	require.Len(t, names, 8)
	require.NotContains(t, names, "old-leftover", "the demo starts from a clean slate")

	tok, err := e.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	d := auth.Decode(tok.AccessToken)
	require.Equal(t, auth.KindJWT, d.Kind)
	require.Contains(t, d.Audience(), demo.Audience)
	require.InDelta(t, 120, tok.Remaining(e.Now()).Seconds(), 5)

	rt1, _ := st.Secret("dev", auth.SecretRefreshToken)
	_, err = e.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	rt2, _ := st.Secret("dev", auth.SecretRefreshToken)
	require.NotEqual(t, rt1, rt2, "the demo issuer rotates refresh tokens")

	// Reuse detection, as Auth0's: the spent token kills the family. This
	// engine knows rt1 is spent and never sends it; another one (a stale
	// copy elsewhere) does.
	require.NoError(t, e.SetRefreshToken(ctx, "dev", rt1))
	_, err = e.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrRotationLost)
	_, err = auth.NewEngine(st, authtest.NopLocker{}).Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.NoError(t, e.SetRefreshToken(ctx, "dev", rt2))
	_, err = e.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)

	_, err = e.Token(ctx, "new-teammate", auth.TokenOptions{})
	require.ErrorIs(t, err, auth.ErrNeedsLogin, "one demo profile shows the sign-in-needed state")

	// Sign-out revokes at the demo issuer too.
	require.NoError(t, e.Logout(ctx, "staging", auth.LogoutOptions{}))
}
