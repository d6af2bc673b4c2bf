package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/ui/cli"
)

type fakeClipboard struct {
	mu         sync.Mutex
	text       string
	clearAfter time.Duration
}

func (c *fakeClipboard) Copy(s string, clearAfter time.Duration) error {
	c.mu.Lock()
	c.text, c.clearAfter = s, clearAfter
	c.mu.Unlock()
	return nil
}

type harness struct {
	store *authtest.Store
	eng   *auth.Engine
	clip  *fakeClipboard
}

func newHarness(t *testing.T, opts ...auth.Option) *harness {
	st := authtest.NewStore()
	return &harness{store: st, eng: auth.NewEngine(st, auth.FileLocker{Dir: t.TempDir()}, opts...), clip: &fakeClipboard{}}
}

// run executes the CLI in-process with stdin and returns code, stdout, stderr.
func (h *harness) run(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	app := &cli.App{Engine: h.eng, Clipboard: h.clip, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb}
	code := app.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

// signIn adds profile dev for srv's client_secret_post client, signed in
// with a refresh token the server mints for scope (and resource), and
// returns the profile's first access token.
func (h *harness) signIn(t *testing.T, srv *testserver.Server, scope, resource string) string {
	t.Helper()
	code, _, stderr := h.run(testserver.PostClientSecret, "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = h.run(srv.Mint(t, testserver.PostClientID, scope, resource)+"\n", "login", "dev", "--refresh-token-stdin")
	require.Equal(t, 0, code, stderr)
	code, out, stderr := h.run("", "token", "dev")
	require.Equal(t, 0, code, stderr)
	return strings.TrimSpace(out)
}

func TestUsageErrors(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"frobnicate"},
		{"token"},
		{"token", "a", "b"},
		{"profile", "add", "x", "--domain", "a.com", "--issuer", "https://a.com", "--client-id", "c"},
		{"token", "dev", "--no-such-flag"},
		{"login", "dev", "--device", "--refresh-token-stdin"},
	} {
		code, _, stderr := h.run("", args...)
		require.Equal(t, cli.ExitUsage, code, "%v: %s", args, stderr)
		require.NotEmpty(t, stderr)
	}
}

func TestProfileLifecycleNeverPrintsSecrets(t *testing.T) {
	h := newHarness(t)
	const secret = "cli-secret-7f3a9b2c4d"
	code, _, stderr := h.run(secret+"\n", "profile", "add", "dev", "--domain", "https://acme.eu.auth0.com/", "--client-id", "abc", "--audience", "https://api", "--client-secret-stdin")
	require.Equal(t, 0, code, stderr)
	p, err := h.eng.Profile(context.Background(), "dev")
	require.NoError(t, err)
	require.Equal(t, "acme.eu.auth0.com", p.Domain)
	require.Equal(t, secret, p.ClientSecret, "read from stdin, trimmed")

	code, _, stderr = h.run("", "profile", "add", "dev", "--domain", "a.com", "--client-id", "x", "--auth", "none")
	require.Equal(t, cli.ExitError, code)
	require.Contains(t, stderr, "already exists")

	for _, args := range [][]string{{"profile", "show", "dev"}, {"profile", "show", "dev", "--json"}, {"profile", "list"}, {"profile", "list", "--json"}} {
		code, out, stderr := h.run("", args...)
		require.Equal(t, 0, code, stderr)
		require.NotContains(t, out+stderr, secret, args)
		require.Contains(t, out, "dev")
	}
	_, out, _ := h.run("", "profile", "show", "dev", "--json")
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, true, v["client_secret_set"])
	require.Equal(t, "sign in needed", v["state"])

	code, _, stderr = h.run("", "profile", "edit", "dev", "--scope", "read:things")
	require.Equal(t, 0, code, stderr)
	p, _ = h.eng.Profile(context.Background(), "dev")
	require.Equal(t, "read:things", p.Scope)
	require.Equal(t, secret, p.ClientSecret, "flags not given stay as they are")

	code, _, _ = h.run("", "token", "dev")
	require.Equal(t, cli.ExitNeedLogin, code, "no refresh token yet")

	code, _, stderr = h.run("", "profile", "rm", "dev")
	require.Equal(t, 0, code, stderr)
	code, _, _ = h.run("", "profile", "show", "dev")
	require.Equal(t, cli.ExitError, code)
}

func TestTokenOutputs(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	h := newHarness(t)
	code, _, stderr := h.run(testserver.PostClientSecret, "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	require.Equal(t, 0, code, stderr)
	code, _, stderr = h.run("  "+srv.Mint(t, testserver.PostClientID, "openid offline_access read:things", testserver.APIAudience)+"\n", "login", "dev", "--refresh-token-stdin")
	require.Equal(t, 0, code, stderr)

	code, out, stderr := h.run("", "token", "dev")
	require.Equal(t, 0, code, stderr)
	at := strings.TrimSuffix(out, "\n")
	require.NotContains(t, at, "\n", "only the token and a newline")
	require.True(t, srv.Active(t, at))
	require.Empty(t, stderr)

	_, out, _ = h.run("", "token", "dev", "--header")
	require.Equal(t, "Authorization: Bearer "+at+"\n", out)

	_, out, _ = h.run("", "token", "dev", "--id-token")
	require.Equal(t, auth.KindJWT, auth.Decode(strings.TrimSpace(out)).Kind)

	code, out, stderr = h.run("", "token", "dev", "--copy")
	require.Equal(t, 0, code)
	require.Empty(t, out)
	require.Equal(t, at, h.clip.text)
	require.Contains(t, stderr, "Copied the access token for dev")

	code, out, _ = h.run("", "token", "dev", "--refresh")
	require.Equal(t, 0, code)
	require.NotEqual(t, at, strings.TrimSpace(out))
	require.True(t, srv.Active(t, strings.TrimSpace(out)))

	code, out, stderr = h.run("", "inspect", "dev")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"WITHOUT verifying", "read:things", testserver.APIAudience, "subject", testserver.DefaultSubject, "expires", "claim iss", "ID token"} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, strings.TrimSpace(at))

	code, out, _ = h.run("", "inspect", "dev", "--json")
	require.Equal(t, 0, code)
	var rep struct {
		AccessToken struct {
			Kind      string   `json:"kind"`
			Verified  bool     `json:"signature_verified"`
			Audience  []string `json:"audience"`
			Scopes    []string `json:"scopes"`
			ExpiresIn int64    `json:"expires_in"`
		} `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "jwt", rep.AccessToken.Kind)
	require.False(t, rep.AccessToken.Verified)
	require.Contains(t, rep.AccessToken.Audience, testserver.APIAudience)
	require.InDelta(t, 3600, rep.AccessToken.ExpiresIn, 60)
}

func TestTemporaryFailuresExitWith4(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"429", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, "retry in 30 s"},
		{"503 OAuth JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":"temporarily_unavailable"}`))
		}, "retry later"},
		{"502 HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte(`<html><h1>Bad Gateway</h1></html>`))
		}, "HTTP 502"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			h := newHarness(t)
			ctx := context.Background()
			_, err := h.eng.AddProfile(ctx, auth.Profile{Name: "p", TokenURL: srv.URL + "/oauth/token", ClientID: "c", AuthMethod: auth.AuthNone})
			require.NoError(t, err)
			require.NoError(t, h.eng.SetRefreshToken(ctx, "p", "rt"))
			code, out, stderr := h.run("", "token", "p")
			require.Equal(t, cli.ExitTemporary, code, stderr)
			require.Empty(t, out)
			require.Contains(t, stderr, tc.want)
		})
	}
	// Nobody listening: a temporary network failure too.
	h := newHarness(t)
	ctx := context.Background()
	_, err := h.eng.AddProfile(ctx, auth.Profile{Name: "down", TokenURL: "http://127.0.0.1:1/oauth/token", ClientID: "c", AuthMethod: auth.AuthNone})
	require.NoError(t, err)
	require.NoError(t, h.eng.SetRefreshToken(ctx, "down", "rt"))
	code, _, stderr := h.run("", "token", "down")
	require.Equal(t, cli.ExitTemporary, code, stderr)
}

func TestPromptAndParams(t *testing.T) {
	h := newHarness(t)
	code, _, stderr := h.run("", "profile", "add", "kc", "--issuer", "https://id.example.com/realms/test", "--client-id", "c",
		"--param", "organization=org_123", "--param", "connection=github", "--prompt", "login")
	require.Equal(t, 0, code, stderr)
	_, out, _ := h.run("", "profile", "show", "kc")
	require.Regexp(t, `sign-in prompt\s+login consent\n`, out, "consent is added for an issuer, or it sends no refresh token")
	require.Regexp(t, `param connection\s+github\n`, out)
	require.Regexp(t, `param organization\s+org_123\n`, out)

	// key= removes a parameter; --prompt default goes back to the default.
	code, _, stderr = h.run("", "profile", "edit", "kc", "--param", "connection=", "--prompt", "default")
	require.Equal(t, 0, code, stderr)
	p, _ := h.eng.Profile(context.Background(), "kc")
	require.Equal(t, map[string]string{"organization": "org_123"}, p.Params)
	require.Empty(t, p.Prompt)
	_, out, _ = h.run("", "profile", "show", "kc", "--json")
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	require.Equal(t, "consent", v["prompt"], "an issuer profile asks for consent by default")
	require.Equal(t, map[string]any{"organization": "org_123"}, v["params"])

	code, _, stderr = h.run("", "profile", "edit", "kc", "--param", "client_secret=x")
	require.Equal(t, cli.ExitError, code)
	require.Contains(t, stderr, `parameter "client_secret" is set by tokentray itself`)
	code, _, stderr = h.run("", "profile", "edit", "kc", "--param", "novalue")
	require.Equal(t, cli.ExitUsage, code)
	require.Contains(t, stderr, "give key=value")
	code, _, stderr = h.run("", "profile", "edit", "kc", "--prompt", "always")
	require.Equal(t, cli.ExitError, code)
	require.Contains(t, stderr, `unknown prompt "always"`)

	h.run("", "profile", "add", "a0", "--domain", "acme.auth0.com", "--client-id", "c")
	_, out, _ = h.run("", "profile", "show", "a0")
	require.Regexp(t, `sign-in prompt\s+none sent \(default\)\n`, out)
}

// --output json and exec-credential print what scripts and kubectl read.
func TestTokenOutputFormats(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	h := newHarness(t)
	at := h.signIn(t, srv, "openid offline_access read:things", testserver.APIAudience)

	code, out, stderr := h.run("", "token", "dev", "--output", "json")
	require.Equal(t, 0, code, stderr)
	var v struct {
		AccessToken string    `json:"access_token"`
		TokenType   string    `json:"token_type"`
		ExpiresAt   time.Time `json:"expires_at"`
		ExpiresIn   int64     `json:"expires_in"`
		Scopes      []string  `json:"scopes"`
		IDToken     *string   `json:"id_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	require.Equal(t, at, v.AccessToken)
	require.Equal(t, "Bearer", v.TokenType)
	require.Equal(t, time.UTC, v.ExpiresAt.Location())
	require.InDelta(t, 3600, v.ExpiresIn, 60)
	require.Contains(t, v.Scopes, "read:things")
	require.Nil(t, v.IDToken, "the ID token only with --id-token")

	var ec struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Status     struct {
			Token               string `json:"token"`
			ExpirationTimestamp string `json:"expirationTimestamp"`
		} `json:"status"`
	}
	code, out, stderr = h.run("", "token", "dev", "-o", "exec-credential")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &ec), out)
	require.Equal(t, "client.authentication.k8s.io/v1", ec.APIVersion)
	require.Equal(t, "ExecCredential", ec.Kind)
	require.Equal(t, at, ec.Status.Token)
	exp, err := time.Parse(time.RFC3339, ec.Status.ExpirationTimestamp)
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(ec.Status.ExpirationTimestamp, "Z"), "UTC")
	require.WithinDuration(t, v.ExpiresAt, exp, time.Second)

	// kubectl says which version it reads; the ID token for the
	// Kubernetes OIDC authenticator, with its own expiry.
	t.Setenv("KUBERNETES_EXEC_INFO", `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}`)
	code, out, stderr = h.run("", "token", "dev", "--id-token", "--output", "exec-credential")
	require.Equal(t, 0, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(out), &ec), out)
	require.Equal(t, "client.authentication.k8s.io/v1beta1", ec.APIVersion)
	id := auth.Decode(ec.Status.Token)
	require.Equal(t, auth.KindJWT, id.Kind)
	require.Equal(t, id.Expiry().UTC().Format(time.RFC3339), ec.Status.ExpirationTimestamp)

	code, _, stderr = h.run("", "token", "dev", "--output", "json", "--copy")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "cannot be combined with --copy")
	code, _, stderr = h.run("", "token", "dev", "--output", "yaml")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `--output "yaml": use text, json or exec-credential`)

	// --copy clears after a minute unless told otherwise.
	code, _, stderr = h.run("", "token", "dev", "--copy")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, time.Minute, h.clip.clearAfter)
	require.Contains(t, stderr, "it is taken off again in 1 min")
	code, _, _ = h.run("", "token", "dev", "--copy", "--clear-after", "0")
	require.Equal(t, 0, code)
	require.Equal(t, time.Duration(0), h.clip.clearAfter)
}
