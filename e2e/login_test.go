package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// signInEnv is an env whose $BROWSER is the test browser.
func signInEnv(t *testing.T, mode string) (*env, string) {
	e := newEnv(t)
	log := filepath.Join(t.TempDir(), "browser.log")
	e.extra = []string{"BROWSER=" + browser, "TESTBROWSER_MODE=" + mode, "TESTBROWSER_LOG=" + log}
	return e, log
}

func storedRefreshToken(t *testing.T, e *env, name string) (string, bool) {
	t.Helper()
	rt := e.refreshToken(name)
	return rt, rt != ""
}

// Browser sign-in against a stock OpenID Connect issuer (oidc-provider as it
// comes: consent needed for offline_access, its own endpoint paths, one
// under a path as Keycloak's) with --issuer, and against an Auth0-shaped
// one with --domain, for each client type.
func TestBrowserSignIn(t *testing.T) {
	stock := testserver.Start(t, testserver.Options{Stock: true})
	realm := testserver.Start(t, testserver.Options{Stock: true, IssuerPath: "/realms/test"})
	auth0 := testserver.Start(t, testserver.Options{})
	for _, tc := range []struct {
		name                   string
		srv                    *testserver.Server
		where                  string
		clientID, secret, auth string
		extra                  []string
		prompt                 string // expected at the authorization endpoint
	}{
		{"stock issuer under a path, public client, any port", realm, "--issuer=" + realm.Issuer, testserver.PublicClientID, "", "none",
			[]string{"--param", "resource=" + testserver.APIAudience, "--scope", "read:things"}, "consent"},
		{"stock issuer typed with a slash, client_secret_post, fixed port", stock, "--issuer=" + stock.Issuer + "/", testserver.PostClientID, testserver.PostClientSecret, "post",
			nil, "consent"},
		{"stock issuer, client_secret_basic, fixed port", stock, "--issuer=" + stock.Issuer, testserver.BasicClientID, testserver.BasicClientSecret, "basic",
			nil, "consent"},
		{"Auth0 domain, public client", auth0, "--domain=" + auth0.Issuer, testserver.PublicClientID, "", "none",
			[]string{"--audience", testserver.APIAudience, "--scope", "read:things"}, ""},
		{"Auth0 domain, client_secret_post, fixed port", auth0, "--domain=" + auth0.Issuer, testserver.PostClientID, testserver.PostClientSecret, "post",
			nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.srv
			e, _ := signInEnv(t, "")
			args := append([]string{"profile", "add", "dev", tc.where, "--client-id", tc.clientID, "--auth", tc.auth}, tc.extra...)
			if tc.secret != "" {
				args = append(args, "--client-secret-stdin")
			}
			e.must(tc.secret, args...)
			if tc.auth != "none" {
				// Confidential web clients have exact callback URLs registered
				// at the server: ports 8484 and 8485.
				e.must("", "profile", "edit", "dev", "--callback-port", registeredPort(t))
			}
			srv.ResetStats(t)
			r := e.must("", "login", "dev")
			require.Contains(t, r.stderr, "Signed in dev")
			require.Contains(t, r.stderr, "ID token signature verified")
			authz := srv.Stats(t).Authorizations
			require.Len(t, authz, 1)
			if tc.prompt == "" {
				require.NotContains(t, authz[0], "prompt", "no prompt is sent to an Auth0 domain")
			} else {
				require.Equal(t, tc.prompt, authz[0]["prompt"])
			}
			rt, ok := storedRefreshToken(t, e, "dev")
			require.True(t, ok, "the refresh token landed in the keychain")
			remember(rt)
			require.True(t, srv.Active(t, rt))

			// The stored refresh token works with `tokentray token`, and
			// rotates.
			at := strings.TrimSpace(e.must("", "token", "dev", "--refresh").stdout)
			remember(at)
			require.True(t, srv.Active(t, at))
			rotated, _ := storedRefreshToken(t, e, "dev")
			remember(rotated)
			require.NotEqual(t, rt, rotated)
			if slices.Contains(tc.extra, "resource="+testserver.APIAudience) || slices.Contains(tc.extra, "--audience") {
				require.Contains(t, auth.Decode(at).Audience(), testserver.APIAudience, "the API was asked for at sign-in")
			}

			var rep struct {
				ID struct {
					Verified bool     `json:"signature_verified"`
					Audience []string `json:"audience"`
				} `json:"id_token"`
			}
			e.must("", "login", "dev")
			require.NoError(t, json.Unmarshal([]byte(e.must("", "inspect", "dev", "--json").stdout), &rep))
			require.True(t, rep.ID.Verified, "the inspector shows the sign-in's ID token as verified")
			require.Equal(t, []string{tc.clientID}, rep.ID.Audience)

			// Sign-out revokes at the issuer's own revocation endpoint.
			rt, _ = storedRefreshToken(t, e, "dev")
			remember(rt)
			e.must("", "logout", "dev")
			require.False(t, srv.Active(t, rt))
		})
	}
}

func TestBrowserSignInRejectsBadCallbacks(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	for _, tc := range []struct{ mode, want string }{
		{"wrong-state", "state did not match"},
		{"no-code", "no authorization code"},
		// The server requires PKCE from the public client; without it the
		// sign-in must fail, proving tokentray's success comes with PKCE.
		{"strip-pkce", "refused the sign-in"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e, log := signInEnv(t, tc.mode)
			e.must("", "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PublicClientID)
			// A forged callback is refused without ending the sign-in, which
			// then runs into its timeout.
			r := e.run("", "login", "dev", "--timeout", "4s")
			b, _ := os.ReadFile(log)
			require.Equal(t, 1, r.code, "stderr: %s\nbrowser: %s", r.stderr, b)
			require.Contains(t, r.stderr, tc.want)
			_, ok := storedRefreshToken(t, e, "dev")
			require.False(t, ok, "nothing is stored after a failed sign-in")
		})
	}
}

func TestBrowserSignInCallbackPortInUse(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	e, _ := signInEnv(t, "")
	e.must("", "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PublicClientID)
	port := ln.Addr().(*net.TCPAddr).Port
	r := e.run("", "login", "dev", "--callback-port", itoa(port))
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "is in use by another program")
	show := e.must("", "profile", "show", "dev")
	require.Contains(t, show.stdout, "http://127.0.0.1:"+itoa(port)+"/callback", "the editor shows the exact URL to register")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// registeredPort is a free one of the callback ports the test server has
// registered for its confidential clients.
func registeredPort(t *testing.T) string {
	for _, p := range []string{"8484", "8485"} {
		if ln, err := net.Listen("tcp", "127.0.0.1:"+p); err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("ports 8484 and 8485 are both taken")
	return ""
}

// deviceLogin starts `tokentray login dev --device` and returns the user
// code it prints and a function waiting for its result.
func deviceLogin(t *testing.T, e *env) (string, func() result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := e.command(ctx, "", "login", "dev", "--device")
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	var out strings.Builder
	cmd.Stdout = &out
	require.NoError(t, cmd.Start())
	codeRE := regexp.MustCompile(`^\s{4}([A-Z0-9-]{6,})\s*$`)
	sc := bufio.NewScanner(stderr)
	var code string
	var all strings.Builder
	for code == "" && sc.Scan() {
		all.WriteString(sc.Text() + "\n")
		if m := codeRE.FindStringSubmatch(sc.Text()); m != nil {
			code = m[1]
		}
	}
	require.NotEmpty(t, code, "no user code printed:\n%s", all.String())
	rest := make(chan string, 1)
	go func() { b, _ := io.ReadAll(stderr); rest <- string(b) }()
	return code, func() result {
		defer cancel()
		err := cmd.Wait()
		r := result{stdout: out.String(), stderr: all.String() + <-rest}
		if ee, ok := err.(*exec.ExitError); ok {
			r.code = ee.ExitCode()
		}
		return r
	}
}

func TestDeviceSignIn(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true, DeviceInterval: time.Second, DeviceTTL: 4 * time.Second})
	auth0 := testserver.Start(t, testserver.Options{DeviceInterval: time.Second})
	for _, srv := range []*testserver.Server{srv, auth0} {
		t.Run("approved at "+where(srv), func(t *testing.T) {
			e := newEnv(t)
			e.must(testserver.PostClientSecret, "profile", "add", "dev", where(srv), "--client-id", testserver.PostClientID, "--client-secret-stdin",
				"--param", "organization=org_123")
			code, wait := deviceLogin(t, e)
			srv.ApproveDevice(t, code, false)
			r := wait()
			require.Equal(t, 0, r.code, r.stderr)
			require.Contains(t, r.stderr, "Signed in dev")
			da := srv.Stats(t).DeviceAuthorizations
			require.Equal(t, "org_123", da[len(da)-1]["organization"], "extra parameters go with the device authorization")
			rt, ok := storedRefreshToken(t, e, "dev")
			require.True(t, ok)
			remember(rt)
			at := strings.TrimSpace(e.must("", "token", "dev", "--refresh").stdout)
			remember(at)
			require.True(t, srv.Active(t, at))
			require.Equal(t, "org_123", srv.Stats(t).LastTokenRequest["organization"], "and with the refresh")
		})
	}
	t.Run("denied", func(t *testing.T) {
		e := newEnv(t)
		e.must("", "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PublicClientID)
		code, wait := deviceLogin(t, e)
		srv.ApproveDevice(t, code, true)
		r := wait()
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "denied")
		_, ok := storedRefreshToken(t, e, "dev")
		require.False(t, ok)
	})
	t.Run("expired", func(t *testing.T) {
		e := newEnv(t)
		e.must("", "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PublicClientID)
		_, wait := deviceLogin(t, e)
		r := wait()
		require.Equal(t, 1, r.code)
		require.Contains(t, r.stderr, "expired before it was approved")
		_, ok := storedRefreshToken(t, e, "dev")
		require.False(t, ok)
	})
}

func TestSignOutRevokes(t *testing.T) {
	for _, opt := range []testserver.Options{{Stock: true}, {}} {
		srv := testserver.Start(t, opt)
		t.Run(where(srv), func(t *testing.T) { signOutRevokes(t, srv) })
	}
}

func signOutRevokes(t *testing.T, srv *testserver.Server) {
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access", "")
	e.must("", "token", "dev")
	rt, ok := storedRefreshToken(t, e, "dev")
	require.True(t, ok)
	require.True(t, srv.Active(t, rt))

	r := e.must("", "logout", "dev")
	require.Contains(t, r.stderr, "Signed out dev")
	require.False(t, srv.Active(t, rt), "the server no longer accepts the refresh token")
	items := e.keychainItems()
	for _, gone := range []string{"session:dev", "refresh:dev", "token:dev"} {
		require.NotContains(t, items, gone)
	}
	require.Contains(t, items, "profile:dev", "the profile stays")
	require.Equal(t, 3, e.run("", "token", "dev").code)
}

func TestSignOutKeepsTokensWhenRevocationFails(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	// An explicit token URL has no revocation endpoint to call.
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", "--token-url", srv.TokenURL, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	rt := srv.Mint(t, testserver.PostClientID, "openid offline_access", "")
	remember(rt)
	e.must(rt, "login", "dev", "--refresh-token-stdin")
	r := e.run("", "logout", "dev")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "the tokens were kept")
	require.Contains(t, e.keychainItems(), "session:dev")

	r = e.must("", "logout", "dev", "--local")
	require.Contains(t, r.stderr, "Warning")
	require.NotContains(t, e.keychainItems(), "session:dev")
}
