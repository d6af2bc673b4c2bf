package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
)

func signed(t *testing.T, claims map[string]any) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", "k1"))
	require.NoError(t, err)
	s, err := jwt.Signed(sig).Claims(claims).Serialize()
	require.NoError(t, err)
	return s
}

func TestDecodeJWT(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok := signed(t, map[string]any{
		"iss": "https://acme.auth0.com/", "sub": "auth0|42", "aud": []string{"https://api", "https://acme.auth0.com/userinfo"},
		"azp": "client1", "exp": exp.Unix(), "iat": exp.Add(-time.Hour).Unix(),
		"scope": "openid read:things", "permissions": []string{"read:things", "write:things"}, "custom": map[string]any{"a": 1},
	})
	d := auth.Decode(tok)
	require.Equal(t, auth.KindJWT, d.Kind)
	require.Equal(t, "ES256", d.Header["alg"])
	require.Equal(t, "k1", d.Header["kid"])
	require.Equal(t, "at+jwt", d.Header["typ"])
	require.Equal(t, "https://acme.auth0.com/", d.Issuer())
	require.Equal(t, "auth0|42", d.Subject())
	require.Equal(t, "client1", d.AuthorizedParty())
	require.Equal(t, []string{"https://api", "https://acme.auth0.com/userinfo"}, d.Audience())
	require.Equal(t, exp, d.Expiry())
	require.Equal(t, []string{"openid", "read:things", "write:things"}, d.Scopes())
	require.Contains(t, d.ClaimNames(), "custom")
	require.Equal(t, `{"a":1}`, d.FormatClaim("custom"))
	require.Contains(t, d.FormatClaim("exp"), time.Unix(exp.Unix(), 0).Local().Format(time.RFC1123))
	require.True(t, strings.HasPrefix(d.FormatClaim("exp"), fmt.Sprint(exp.Unix())+" ("), d.FormatClaim("exp"))
}

func TestDecodeOtherShapes(t *testing.T) {
	require.Equal(t, auth.KindOpaque, auth.Decode("Xc3dkQ9aOpaqueReferenceToken").Kind)
	require.Equal(t, auth.KindOpaque, auth.Decode("a.b.c").Kind)
	require.Equal(t, auth.KindEncrypted, auth.Decode("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..iv.ct.tag").Kind)

	scp := auth.Decode(signed(t, map[string]any{"scp": []string{"a", "b"}, "aud": "single"}))
	require.Equal(t, []string{"a", "b"}, scp.Scopes())
	require.Equal(t, []string{"single"}, scp.Audience())
}
