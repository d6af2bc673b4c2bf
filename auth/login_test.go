package auth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// follow is an in-process stand-in for a browser: it follows the
// authorization URL through the test server's automatic sign-in and consent
// back to the engine's loopback callback.
func follow(t *testing.T) func(string) error {
	return func(u string) error {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
		go func() {
			resp, err := c.Get(u)
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
}

func signedIn(t *testing.T, srv *testserver.Server) (*auth.Engine, *authtest.Store, auth.Token) {
	t.Helper()
	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{}, auth.WithLoginTimeout(30*time.Second))
	ctx := context.Background()
	// A stock issuer names its API with an RFC 8707 resource, not Auth0's
	// audience: an extra parameter.
	_, err := e.AddProfile(ctx, auth.Profile{Name: "dev", Issuer: srv.Issuer, ClientID: testserver.PublicClientID,
		Params: map[string]string{"resource": testserver.APIAudience}, Scope: "read:things"})
	require.NoError(t, err)
	tok, err := e.LoginBrowser(ctx, "dev", follow(t))
	require.NoError(t, err)
	return e, st, tok
}

func TestBrowserLoginStoresVerifiedTokens(t *testing.T) {
	srv := sharedStock(t)
	e, st, tok := signedIn(t, srv)
	require.True(t, tok.IDTokenVerified)
	require.True(t, srv.Active(t, tok.AccessToken))
	require.Contains(t, auth.Decode(tok.AccessToken).Audience(), testserver.APIAudience, "the resource was sent")
	rt, ok := st.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)
	require.True(t, srv.Active(t, rt))
	// The stored refresh token works like any other.
	next, err := e.Token(context.Background(), "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.True(t, srv.Active(t, next.AccessToken))
	require.False(t, next.IDTokenVerified, "a refreshed ID token was not verified")
}

func TestIDTokenVerification(t *testing.T) {
	srv := sharedStock(t)
	e, _, tok := signedIn(t, srv)
	ctx := context.Background()
	p, err := e.Profile(ctx, "dev")
	require.NoError(t, err)

	require.NoError(t, e.VerifyIDToken(ctx, p, tok.IDToken, ""), "the real ID token verifies")
	err = e.VerifyIDToken(ctx, p, tok.IDToken, "another-nonce")
	require.ErrorContains(t, err, "nonce does not match")

	// Same claims and key ID, signed by a key that is not the issuer's.
	d := auth.Decode(tok.IDToken)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", d.Header["kid"]))
	require.NoError(t, err)
	forged, err := jwt.Signed(sig).Claims(d.Claims).Serialize()
	require.NoError(t, err)
	err = e.VerifyIDToken(ctx, p, forged, "")
	require.ErrorContains(t, err, "failed verification")

	// A token for another client is refused too.
	other := p
	other.ClientID = testserver.PostClientID
	require.Error(t, e.VerifyIDToken(ctx, other, tok.IDToken, ""))
}

func TestLoginCallbackPortInUse(t *testing.T) {
	srv := sharedStock(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{})
	ctx := context.Background()
	_, err = e.AddProfile(ctx, auth.Profile{Name: "dev", Issuer: srv.Issuer, ClientID: testserver.PublicClientID, CallbackPort: port})
	require.NoError(t, err)
	_, err = e.LoginBrowser(ctx, "dev", func(string) error { t.Fatal("no browser without a callback listener"); return nil })
	require.ErrorContains(t, err, "is in use by another program")
}

func TestLoginTimeoutNamesTheCallbackURL(t *testing.T) {
	srv := sharedStock(t)
	e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{}, auth.WithLoginTimeout(200*time.Millisecond))
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "dev", Issuer: srv.Issuer, ClientID: testserver.PublicClientID})
	require.NoError(t, err)
	var seen string
	_, err = e.LoginBrowser(ctx, "dev", func(u string) error { seen = u; return nil })
	require.ErrorContains(t, err, "no answer from the browser")
	require.ErrorContains(t, err, "Allowed Callback URLs")
	for _, want := range []string{"code_challenge_method=S256", "code_challenge=", "nonce=", "state=", "redirect_uri=http%3A%2F%2F127.0.0.1%3A", "offline_access"} {
		require.True(t, strings.Contains(seen, want), "authorization URL lacks %s", want)
	}
	require.True(t, strings.HasPrefix(seen, srv.AuthorizeURL+"?"), "the authorization endpoint from discovery: %s", seen)
}

// What a browser sign-in asks the issuer for, by kind of profile: consent
// for offline access from an OpenID Connect issuer (Core §11), nothing
// forced on an Auth0 domain, the profile's own prompt when it has one, and
// its extra parameters.
func TestAuthorizationRequestParameters(t *testing.T) {
	for _, tc := range []struct {
		name   string
		p      auth.Profile
		prompt string
	}{
		{"issuer", auth.Profile{Issuer: sharedStock(t).Issuer}, "consent"},
		{"issuer, prompt login", auth.Profile{Issuer: sharedStock(t).Issuer, Prompt: "login"}, "login consent"},
		{"issuer, prompt none", auth.Profile{Issuer: sharedStock(t).Issuer, Prompt: "none"}, "none"},
		{"Auth0 domain", auth.Profile{Domain: sharedServer(t).Issuer}, ""},
		{"Auth0 domain, prompt select_account", auth.Profile{Domain: sharedServer(t).Issuer, Prompt: "select_account"}, "select_account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{}, auth.WithLoginTimeout(100*time.Millisecond))
			ctx := context.Background()
			p := tc.p
			p.Name, p.ClientID = "dev", testserver.PublicClientID
			p.Params = map[string]string{"organization": "org_123", "connection": "github"}
			_, err := e.AddProfile(ctx, p)
			require.NoError(t, err)
			var seen string
			_, err = e.LoginBrowser(ctx, "dev", func(u string) error { seen = u; return nil })
			require.ErrorIs(t, err, auth.ErrLoginTimeout)
			u, err := url.Parse(seen)
			require.NoError(t, err)
			q := u.Query()
			require.Equal(t, tc.prompt, q.Get("prompt"))
			require.Equal(t, tc.prompt != "", q.Has("prompt"))
			require.Equal(t, "org_123", q.Get("organization"))
			require.Equal(t, "github", q.Get("connection"))
		})
	}
}

// An issuer that refuses the sign-in itself redirects back with an error
// (RFC 6749 §4.1.2.1); the ones that want the user again count as "sign in
// needed", access_denied as denied, and the description is shown.
func TestSignInRefusedAtTheAuthorizationEndpoint(t *testing.T) {
	for _, tc := range []struct {
		code, description string
		is                error
	}{
		{"login_required", "End-User authentication is required", auth.ErrNeedsLogin},
		{"consent_required", "offline_access needs consent", auth.ErrNeedsLogin},
		{"interaction_required", "the user must act", auth.ErrNeedsLogin},
		{"access_denied", "the user said no", auth.ErrDenied},
	} {
		t.Run(tc.code, func(t *testing.T) {
			e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{}, auth.WithLoginTimeout(10*time.Second))
			ctx := context.Background()
			_, err := e.AddProfile(ctx, auth.Profile{Name: "dev", Issuer: sharedStock(t).Issuer, ClientID: testserver.PublicClientID, Prompt: "none"})
			require.NoError(t, err)
			_, err = e.LoginBrowser(ctx, "dev", func(u string) error {
				// The issuer's answer, as its redirect would bring it.
				q := must(url.Parse(u)).Query()
				back := q.Get("redirect_uri") + "?" + url.Values{"error": {tc.code}, "error_description": {tc.description}, "state": {q.Get("state")}}.Encode()
				go func() {
					if resp, err := http.Get(back); err == nil {
						resp.Body.Close()
					}
				}()
				return nil
			})
			require.ErrorIs(t, err, tc.is)
			require.ErrorContains(t, err, "the issuer refused the sign-in: "+tc.code+" ("+tc.description+")")
			var oe *auth.OAuthError
			require.ErrorAs(t, err, &oe)
			require.True(t, oe.Authorization)
		})
	}
}
