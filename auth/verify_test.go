package auth_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// Real tokens from the real server verify against its published keys; a
// tampered one, one signed by another key under the server's name, and an
// expired one do not.
func TestVerifyJWTAgainstTheIssuersKeys(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{Audience: testserver.APIAudience}, "openid offline_access read:things", testserver.APIAudience)
	tok, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{})
	require.NoError(t, err)
	ctx := context.Background()
	// A fresh engine: verifying needs no profile.
	e := auth.NewEngine(f.store, auth.FileLocker{Dir: t.TempDir()})

	for what, raw := range map[string]string{"ID token": tok.IDToken, "JWT access token": tok.AccessToken} {
		v, err := e.VerifyJWT(ctx, raw, "")
		require.NoError(t, err, what)
		require.Equal(t, srv.Issuer, v.Issuer, what)
		require.Equal(t, auth.Decode(raw).Header["alg"], v.Algorithm, what)
		require.NotEmpty(t, v.KeyID, what)
	}

	t.Run("tampered claims", func(t *testing.T) {
		parts := strings.Split(tok.AccessToken, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		require.NoError(t, err)
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "read:things", "admin:all", 1)))
		require.Contains(t, string(mustDecode(t, parts[1])), "admin:all")
		_, err = e.VerifyJWT(ctx, strings.Join(parts, "."), "")
		require.ErrorContains(t, err, "the signature does not verify against "+srv.Issuer)
	})
	t.Run("another key under the issuer's name", func(t *testing.T) {
		d := auth.Decode(tok.AccessToken)
		forged := signed(t, d.Claims)
		_, err := e.VerifyJWT(ctx, forged, "")
		require.ErrorContains(t, err, "the signature does not verify")
	})
	t.Run("a shared-secret algorithm", func(t *testing.T) {
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("a secret anyone could have picked")}, nil)
		require.NoError(t, err)
		hs, err := jwt.Signed(sig).Claims(auth.Decode(tok.AccessToken).Claims).Serialize()
		require.NoError(t, err)
		_, err = e.VerifyJWT(ctx, hs, "")
		require.ErrorContains(t, err, "the signature does not verify")
	})
	t.Run("expired, past the leeway", func(t *testing.T) {
		later := auth.NewEngine(f.store, auth.FileLocker{Dir: t.TempDir()},
			auth.WithClock(func() time.Time { return tok.Expiry.Add(auth.VerifyLeeway + time.Minute) }))
		_, err := later.VerifyJWT(ctx, tok.AccessToken, "")
		require.ErrorContains(t, err, "the token expired at ")
		within := auth.NewEngine(f.store, auth.FileLocker{Dir: t.TempDir()},
			auth.WithClock(func() time.Time { return tok.Expiry.Add(auth.VerifyLeeway / 2) }))
		_, err = within.VerifyJWT(ctx, tok.AccessToken, "")
		require.NoError(t, err, "within the leeway")
	})
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

// What cannot be checked says so, without contacting anyone.
func TestVerifyJWTRefusesWhatItCannotCheck(t *testing.T) {
	e := auth.NewEngine(nil, auth.FileLocker{Dir: t.TempDir()})
	ctx := context.Background()
	_, err := e.VerifyJWT(ctx, "opaque-reference-token", "")
	require.ErrorIs(t, err, auth.ErrUnverifiable)
	_, err = e.VerifyJWT(ctx, signed(t, map[string]any{"sub": "x"}), "")
	require.ErrorIs(t, err, auth.ErrUnverifiable)
	require.ErrorContains(t, err, "names no issuer")
	_, err = e.VerifyJWT(ctx, signed(t, map[string]any{"iss": "http://issuer.example.com/"}), "")
	require.ErrorIs(t, err, auth.ErrInsecureURL, "keys are never fetched in clear text")
}
