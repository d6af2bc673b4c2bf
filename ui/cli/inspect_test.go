package cli_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// Support staff paste a customer's token: it is shown whole, and --verify
// checks it against its issuer's keys, exit 0 only when it holds.
func TestInspectAnyTokenFromStdin(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	h := newHarness(t)
	at := h.signIn(t, srv, "openid offline_access read:things", testserver.APIAudience)
	session, _ := h.store.RawSecret("dev", auth.SecretSession)

	code, out, stderr := h.run("Authorization: Bearer "+at+"\n", "inspect", "-", "--verify")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "token  JWT, signature verified against its issuer's keys")
	require.Contains(t, out, "signature valid (RS256, kid ")
	require.Contains(t, out, ", issuer "+srv.Issuer+")")
	require.Contains(t, out, "read:things")
	require.Contains(t, out, testserver.APIAudience)
	require.Contains(t, out, "expires")
	require.Contains(t, out, "claim client_id")
	after, _ := h.store.RawSecret("dev", auth.SecretSession)
	require.Equal(t, session, after, "a token read this way is never stored")
	names, err := h.eng.Names(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"dev"}, names)

	parts := strings.Split(at, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "read:things", "write:things", 1)))
	code, out, _ = h.run(strings.Join(parts, "."), "inspect", "-", "--verify")
	require.Equal(t, 1, code)
	require.Contains(t, out, "JWT, decoded WITHOUT verifying the signature")
	require.Contains(t, out, "NOT valid: the signature does not verify against "+srv.Issuer)
	require.Contains(t, out, "write:things", "the claims are still shown")

	code, out, _ = h.run("opaque-reference", "inspect", "-", "--verify")
	require.Equal(t, 1, code)
	require.Contains(t, out, "opaque")
	require.Contains(t, out, "NOT valid: cannot verify")

	code, out, stderr = h.run(at, "inspect", "-", "--verify", "--json")
	require.Equal(t, 0, code, stderr)
	var r struct {
		Kind         auth.TokenKind `json:"kind"`
		Scopes       []string       `json:"scopes"`
		Verification struct {
			Valid     bool   `json:"valid"`
			Algorithm string `json:"algorithm"`
			Issuer    string `json:"issuer"`
		} `json:"verification"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.Equal(t, auth.KindJWT, r.Kind)
	require.True(t, r.Verification.Valid)
	require.Equal(t, "RS256", r.Verification.Algorithm)
	require.Equal(t, srv.Issuer, r.Verification.Issuer)
	require.NotContains(t, out, at, "the token itself is not printed back")

	// A profile's own tokens verify the same way.
	code, out, stderr = h.run("", "inspect", "dev", "--verify")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 2, strings.Count(out, "signature valid ("), out)

	code, _, stderr = h.run("", "inspect", "-")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "token is empty")

	// A profile whose access token is opaque (no audience): only its ID
	// token has a signature, and that one holds.
	code, _, stderr = h.run(testserver.PostClientSecret, "profile", "add", "plain", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = h.run(srv.Mint(t, testserver.PostClientID, "openid offline_access", "")+"\n", "login", "plain", "--refresh-token-stdin")
	require.Equal(t, 0, code, stderr)
	code, out, stderr = h.run("", "inspect", "plain", "--verify")
	require.Equal(t, 0, code, stderr+out)
	require.Contains(t, out, "access token  opaque")
	require.Equal(t, 1, strings.Count(out, "signature valid ("), out)
}
