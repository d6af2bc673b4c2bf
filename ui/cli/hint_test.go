package cli_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/ui/cli"
)

// auth names no flag or command; the command line adds what to type.
func TestErrorsSayWhatToType(t *testing.T) {
	h := newHarness(t)
	code, _, stderr := h.run("", "profile", "add", "dev", "--domain", "a.example.com", "--client-id", "x", "--auth", "none")
	require.Equal(t, cli.ExitOK, code, stderr)

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"name taken", []string{"profile", "add", "dev", "--domain", "b.example.com", "--client-id", "y", "--auth", "none"}, cli.ExitError,
			"tokentray: add dev: profile already exists: choose another name or use `tokentray profile edit dev`\n"},
		{"no secret", []string{"profile", "add", "api", "--domain", "a.example.com", "--client-id", "x", "--auth", "post"}, cli.ExitError,
			"tokentray: auth method \"post\" needs a client secret (or use --auth none for a public client)\n"},
		{"no secret after an edit", []string{"profile", "edit", "dev", "--auth", "basic"}, cli.ExitError,
			"tokentray: auth method \"basic\" needs a client secret (or use --auth none for a public client)\n"},
		{"no refresh token", []string{"token", "dev"}, cli.ExitNeedLogin,
			"tokentray: refresh dev: no refresh token stored: sign-in needed\nSign in again: tokentray login dev (or --device, or --refresh-token-stdin)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := h.run("", tc.args...)
			require.Equal(t, tc.code, code)
			require.Equal(t, tc.want, stderr)
		})
	}
}

// An issuer whose certificate is not trusted: auth says so, the command
// line says which flag fixes it.
func TestUntrustedCertificateNamesTheFlag(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	defer srv.Close()
	h := newHarness(t)
	code, _, stderr := h.run("", "profile", "add", "tls", "--token-url", srv.URL+"/oauth/token", "--client-id", "x", "--auth", "none")
	require.Equal(t, cli.ExitOK, code, stderr)
	code, _, stderr = h.run("rt-1", "login", "tls", "--refresh-token-stdin")
	require.Equal(t, cli.ExitOK, code, stderr)
	code, _, stderr = h.run("", "token", "tls")
	require.Equal(t, cli.ExitError, code)
	require.Contains(t, stderr, "TLS certificate not trusted")
	require.True(t, strings.HasSuffix(stderr, "\nTrust the issuer's CA: tokentray profile edit tls --ca-file CA.pem\n"), stderr)
}
