// Package testserver runs a real OAuth 2.0 / OpenID Connect authorization
// server for tokentray's tests: oidc-provider (npm, pinned in package.json)
// with refresh token rotation and reuse detection, in one of two shapes:
// Auth0's (its endpoint paths, "audience" accepted as the RFC 8707
// resource, offline_access granted without prompt=consent), the default and
// what Auth0 domain profiles meet; or stock (Options.Stock: oidc-provider's
// own paths and OpenID Connect Core's consent rule, optionally under an
// issuer path), what issuer profiles meet.
//
// Each Start launches `node server.js` from this folder on an ephemeral
// 127.0.0.1 port and stops it when the test ends. The npm dependencies must
// have been installed first (`make test` does it, or `npm ci --prefix
// testserver`); a missing install fails the test rather than skipping it, so
// a CI without Node cannot pass silently.
//
// Fixed clients, one per token endpoint authentication style tokentray
// supports:
//
//   - PostClientID / PostClientSecret: client_secret_post (what Auth0's docs
//     and curl examples use), web application.
//   - BasicClientID / BasicClientSecret: client_secret_basic, web application.
//   - PublicClientID: no secret (token_endpoint_auth_method none), native
//     application; any port is accepted on its loopback redirect URIs.
//
// All three may use authorization_code, refresh_token and the device code
// grant. M2MClientID / M2MClientSecret (client_secret_post) is a
// machine-to-machine application allowed client_credentials only; no
// client is authorised for OtherAudience. Scopes: openid offline_access profile email, plus read:things and
// write:things on the API resource APIAudience, whose access tokens are
// RS256 JWTs with aud=APIAudience. Access tokens without a resource are
// opaque (and only good for /userinfo), as with Auth0 and no audience.
//
// Behaviour worth knowing when writing tests:
//
//   - Refresh tokens rotate on every use. Presenting an already-rotated one
//     answers 400 invalid_grant and revokes the whole grant: the newest
//     refresh token and the opaque access tokens die with it.
//   - A refresh without a resource parameter yields an access token for the
//     resource the grant was made for (a JWT when minted with APIAudience).
//     The response's "scope" then lists only the API scopes (e.g.
//     "read:things"), not openid/offline_access.
//   - JWT access tokens are not stored by oidc-provider: they cannot be
//     revoked and stay valid until they expire. Introspection of a JWT is
//     answered by server.js itself (signature, issuer, expiry).
//   - /authorize signs in login_hint (default "user-1") and consents to
//     everything without any page: a client that keeps cookies and follows
//     redirects ends at redirect_uri with a code.
package testserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Client credentials and the API identifier configured in server.js.
const (
	PostClientID      = "tt-post"
	PostClientSecret  = "tt-post-secret-0123456789abcdef"
	BasicClientID     = "tt-basic"
	BasicClientSecret = "tt-basic-secret-0123456789abcdef"
	PublicClientID    = "tt-public"
	// M2MClientID / M2MClientSecret: a machine-to-machine application
	// (client_secret_post), allowed the client credentials grant only.
	M2MClientID     = "tt-m2m"
	M2MClientSecret = "tt-m2m-secret-0123456789abcdef"

	// APIAudience is the API resource (Auth0 "audience", RFC 8707
	// "resource") with scopes read:things and write:things.
	APIAudience = "https://api.tokentray.test"
	// OtherAudience is an API no client is authorised for: a client
	// credentials request for it is refused with access_denied.
	OtherAudience = "https://other.tokentray.test"

	// DefaultSubject is the user that Mint and ApproveDevice sign in, and
	// that /authorize signs in when no login_hint is given.
	DefaultSubject = "user-1"
)

// startTimeout bounds how long Start waits for the server's ready line.
const startTimeout = 20 * time.Second

// Options tune one server instance.
type Options struct {
	// AccessTTL is the lifetime of every access token (default 1 hour).
	// Whole seconds; anything below one second is rejected.
	AccessTTL time.Duration
	// DeviceTTL is the lifetime of device codes (default 10 minutes).
	DeviceTTL time.Duration
	// DeviceInterval is the polling interval announced with device codes
	// (default: none, so clients poll every 5 s as RFC 8628 says).
	DeviceInterval time.Duration
	// Stock runs oidc-provider as it comes instead of Auth0-shaped: its own
	// route names (/auth, /token, /token/revocation, /device/auth, ...), no
	// rewriting of authorization requests — so offline_access is granted
	// only with prompt=consent, as OpenID Connect Core §11 says — and no
	// "audience" alias for the RFC 8707 resource.
	Stock bool
	// IssuerPath puts a stock issuer under a path, as Keycloak's
	// https://host/realms/NAME: "/realms/test". Needs Stock.
	IssuerPath string
}

// Server is a running authorization server. Its URLs are absolute; the
// paths in the comments are the Auth0-shaped ones, a Stock server has
// oidc-provider's own.
type Server struct {
	Issuer        string // http://127.0.0.1:PORT (plus Options.IssuerPath), no trailing slash
	TokenURL      string // /oauth/token (stock: /token)
	RevokeURL     string // /oauth/revoke (stock: /token/revocation)
	IntrospectURL string // /oauth/introspect (stock: /token/introspection)
	DeviceURL     string // /oauth/device/code (stock: /device/auth)
	AuthorizeURL  string // /authorize (stock: /auth)
	JWKSURL       string // /.well-known/jwks.json (stock: /jwks)
	UserinfoURL   string // /userinfo (stock: /me)
	DiscoveryURL  string // ISSUER/.well-known/openid-configuration
	// Stock is Options.Stock: profiles for this server are OpenID Connect
	// issuer profiles; otherwise Auth0 domain profiles.
	Stock bool

	// origin is http://127.0.0.1:PORT, where the test endpoints live.
	origin string

	// client talks to the test endpoints; it has its own transport so the
	// keep-alive connections can be closed when the server stops.
	client *http.Client
}

// Start launches a fresh server and stops it when t ends. It fails t (never
// skips) when Node or the npm dependencies are missing or the server does not
// come up within 20 seconds.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()

	dir := serverDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		t.Fatalf("testserver: npm dependencies missing in %s: run `make test`, or `npm ci --prefix testserver` from the repository root", dir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("testserver: node not found in PATH (Node.js 20 or later is needed): %v", err)
	}

	env := append(os.Environ(), "PORT=0")
	if opt.AccessTTL != 0 {
		secs := int64(opt.AccessTTL / time.Second)
		if secs < 1 || opt.AccessTTL%time.Second != 0 {
			t.Fatalf("testserver: AccessTTL must be a positive whole number of seconds, got %v", opt.AccessTTL)
		}
		env = append(env, fmt.Sprintf("ACCESS_TTL=%d", secs))
	}
	if opt.Stock {
		env = append(env, "MODE=stock")
	}
	if opt.IssuerPath != "" {
		if !opt.Stock {
			t.Fatalf("testserver: IssuerPath needs Stock")
		}
		env = append(env, "ISSUER_PATH="+opt.IssuerPath)
	}
	for name, d := range map[string]time.Duration{"DEVICE_TTL": opt.DeviceTTL, "DEVICE_INTERVAL": opt.DeviceInterval} {
		if d != 0 {
			if d < time.Second || d%time.Second != 0 {
				t.Fatalf("testserver: %s must be a positive whole number of seconds, got %v", name, d)
			}
			env = append(env, fmt.Sprintf("%s=%d", name, int64(d/time.Second)))
		}
	}

	cmd := exec.Command(node, "server.js")
	cmd.Dir = dir
	cmd.Env = env
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	// server.js exits when its stdin closes. We hold the write end open for
	// the server's lifetime; if the test binary dies, the kernel closes it
	// and the server follows instead of lingering as an orphan.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("testserver: stdin pipe: %v", err)
	}
	// The first JSON line on stdout is the ready line; anything else there
	// is unexpected and kept with stderr for diagnostics. A Writer (rather
	// than StdoutPipe) lets Wait own the pipe without racing our reads.
	ready := make(chan readyLine, 1)
	sent := false // only touched by os/exec's single stdout copier
	cmd.Stdout = &lineWriter{line: func(line []byte) {
		var rl readyLine
		if !sent && json.Unmarshal(line, &rl) == nil && rl.Issuer != "" {
			ready <- rl
			sent = true
			return
		}
		fmt.Fprintf(stderr, "[stdout] %s\n", line)
	}}
	// Should node leave a grandchild holding the pipes, Wait still returns.
	cmd.WaitDelay = 5 * time.Second
	started := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("testserver: starting %s server.js: %v", node, err)
	}

	// Wait ends the process's pipes; it must run exactly once, from here on
	// owned by the cleanup below.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	stop := func() {
		_ = stdin.Close()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	var rl readyLine
	select {
	case rl = <-ready:
	case <-exited:
		t.Fatalf("testserver: server exited before it was ready (%v); its output:\n%s", waitErr, stderr.String())
	case <-time.After(startTimeout):
		stop()
		t.Fatalf("testserver: no ready line after %v; its output:\n%s", startTimeout, stderr.String())
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	ep := rl.Endpoints
	s := &Server{
		Issuer:        rl.Issuer,
		TokenURL:      ep.Token,
		RevokeURL:     ep.Revocation,
		IntrospectURL: ep.Introspection,
		DeviceURL:     ep.Device,
		AuthorizeURL:  ep.Authorization,
		JWKSURL:       ep.JWKS,
		UserinfoURL:   ep.Userinfo,
		DiscoveryURL:  ep.Discovery,
		Stock:         opt.Stock,
		origin:        fmt.Sprintf("http://127.0.0.1:%d", rl.Port),
		client:        &http.Client{Transport: transport, Timeout: 10 * time.Second},
	}
	t.Logf("testserver: %s ready in %v", s.Issuer, time.Since(started).Round(time.Millisecond))

	t.Cleanup(func() {
		transport.CloseIdleConnections()
		stop()
		// The server's own log only matters when something went wrong.
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("testserver: server output:\n%s", stderr.String())
		}
	})
	return s
}

type readyLine struct {
	Issuer    string `json:"issuer"`
	Port      int    `json:"port"`
	Endpoints struct {
		Authorization string `json:"authorization"`
		Token         string `json:"token"`
		Revocation    string `json:"revocation"`
		Introspection string `json:"introspection"`
		Device        string `json:"device"`
		JWKS          string `json:"jwks"`
		Userinfo      string `json:"userinfo"`
		Discovery     string `json:"discovery"`
	} `json:"endpoints"`
}

// serverDir finds server.js: $TOKENTRAY_TESTSERVER_DIR, else the folder of
// this source file (which is where `go test` builds from).
func serverDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("TOKENTRAY_TESTSERVER_DIR"); dir != "" {
		return dir
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testserver: cannot locate server.js: set TOKENTRAY_TESTSERVER_DIR")
	}
	return filepath.Dir(file)
}

// Mint returns a refresh token for clientID as if DefaultSubject had signed
// in with scope (which must include offline_access) and, when resource is not
// empty, that API resource. It is created through oidc-provider's own Grant
// and RefreshToken models, so it behaves exactly like one from a real
// sign-in: refreshing it counts as a token request, rotates, and returns an
// id_token when scope includes openid.
func (s *Server) Mint(t testing.TB, clientID, scope, resource string) string {
	t.Helper()
	req := map[string]string{"client_id": clientID, "scope": scope}
	if resource != "" {
		req["resource"] = resource
	}
	var resp struct {
		RefreshToken string `json:"refresh_token"`
	}
	s.testCall(t, http.MethodPost, "/test/mint", req, &resp)
	if resp.RefreshToken == "" {
		t.Fatal("testserver: mint returned no refresh_token")
	}
	return resp.RefreshToken
}

// Stats are the server's counters of POSTs to the token endpoint, counted
// before oidc-provider handles them (so rejected requests count too).
type Stats struct {
	TokenRequests int            `json:"token_requests"`
	ByGrant       map[string]int `json:"by_grant"` // by grant_type value
	// Reuse counts refresh tokens presented again after they were rotated:
	// oidc-provider answers invalid_grant and revokes the whole grant, as
	// Auth0's breach detection does. A correct client never causes one.
	Reuse int `json:"reuse"`
	// Held is how many token answers are computed but not sent yet (see
	// AnswerLate); ResetStats leaves it alone.
	Held int `json:"held"`
	// Authorizations and DeviceAuthorizations are the parameters of each
	// authorization and device authorization request, LastTokenRequest
	// those of the last token request; the values of secrets (client
	// secret, refresh token, code, verifier) are left out.
	Authorizations       []map[string]string `json:"authorizations"`
	DeviceAuthorizations []map[string]string `json:"device_authorizations"`
	LastTokenRequest     map[string]string   `json:"last_token_request"`
}

// Stats returns the token endpoint counters since start or ResetStats.
func (s *Server) Stats(t testing.TB) Stats {
	t.Helper()
	var st Stats
	s.testCall(t, http.MethodGet, "/test/stats", nil, &st)
	return st
}

// TokenRequests returns how many POSTs reached the token endpoint since start
// or ResetStats.
func (s *Server) TokenRequests(t testing.TB) int {
	t.Helper()
	return s.Stats(t).TokenRequests
}

// AnswerLate makes the next count token requests be processed at once —
// a refresh token rotates, a code or device code is redeemed — while their
// answers leave after d: the window in which an interrupted client or one
// whose keychain stalls loses what the issuer just issued. WaitHeld tells
// when an answer is being held.
func (s *Server) AnswerLate(t testing.TB, d time.Duration, count int) {
	t.Helper()
	s.testCall(t, http.MethodPost, "/test/late-answers", map[string]any{"ms": d.Milliseconds(), "count": count}, nil)
}

// WaitHeld waits (up to 30 s) until at least n token answers are computed
// and held back by AnswerLate: the issuer has done its part, the client has
// not heard of it yet.
func (s *Server) WaitHeld(t testing.TB, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats(t).Held < n {
		if time.Now().After(deadline) {
			t.Fatalf("testserver: no %d held token answer(s) within 30 s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Received reports whether token was ever sent to this server's token or
// revocation endpoint (as a refresh_token or a token to revoke).
func (s *Server) Received(t testing.TB, token string) bool {
	t.Helper()
	var out struct {
		Received bool `json:"received"`
	}
	s.testCall(t, http.MethodPost, "/test/received", map[string]string{"token": token}, &out)
	return out.Received
}

// ResetStats zeroes the token endpoint counters.
func (s *Server) ResetStats(t testing.TB) {
	t.Helper()
	s.testCall(t, http.MethodPost, "/test/reset-stats", struct{}{}, nil)
}

// Introspect asks the introspection endpoint about token, authenticated as
// the client_secret_post client. The result always has "active"; active
// tokens also carry client_id, sub, scope, exp, and aud for API tokens.
func (s *Server) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	form := url.Values{
		"token":         {token},
		"client_id":     {PostClientID},
		"client_secret": {PostClientSecret},
	}
	resp, err := s.client.PostForm(s.IntrospectURL, form)
	if err != nil {
		t.Fatalf("testserver: introspect: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testserver: introspect: HTTP %d: %s", resp.StatusCode, body)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("testserver: introspect: %v: %s", err, body)
	}
	if _, ok := out["active"].(bool); !ok {
		t.Fatalf("testserver: introspect: no active member: %s", body)
	}
	return out
}

// Active reports whether token (access or refresh) is currently valid.
func (s *Server) Active(t testing.TB, token string) bool {
	t.Helper()
	return s.Introspect(t, token)["active"] == true
}

// ApproveDevice completes the user's side of a device authorization as
// DefaultSubject: it approves the pending userCode (with or without its
// dash), or denies it, so that the device's next poll gets tokens or
// access_denied.
func (s *Server) ApproveDevice(t testing.TB, userCode string, deny bool) {
	t.Helper()
	req := map[string]any{"user_code": userCode, "deny": deny}
	s.testCall(t, http.MethodPost, "/test/approve-device", req, nil)
}

// testCall sends a JSON request to a /test/ endpoint and decodes the answer
// into out (when not nil), failing t on any error.
func (s *Server) testCall(t testing.TB, method, path string, in, out any) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatalf("testserver: %s %s: %v", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.origin+path, body)
	if err != nil {
		t.Fatalf("testserver: %s %s: %v", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("testserver: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("testserver: %s %s: %v", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testserver: %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("testserver: %s %s: %v: %s", method, path, err, data)
		}
	}
}

// lockedBuffer collects the child's stderr, written by os/exec's copier
// goroutine and read by the test goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// lineWriter hands each complete line written to it to line.
type lineWriter struct {
	partial []byte
	line    func([]byte)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.line(w.partial[:i])
		w.partial = w.partial[i+1:]
	}
}
