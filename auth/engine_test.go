package auth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// These tests run the engine against the real authorization server
// (oidc-provider, rotation on, Auth0-style routes) started on 127.0.0.1.

var (
	serverOnce, stockOnce sync.Once
	server, stock         *testserver.Server
)

// sharedServer starts one Auth0-shaped server for the package (for Auth0
// domain profiles); tests that need their own settings start their own.
func sharedServer(t *testing.T) *testserver.Server {
	t.Helper()
	serverOnce.Do(func() { server = testserver.Start(&packageTB{TB: t}, testserver.Options{}) })
	require.NotNil(t, server, "the authorization server did not start")
	return server
}

// sharedStock starts one stock OpenID Connect server for the package, under
// a path as Keycloak's realms are: the issuer of issuer profiles.
func sharedStock(t *testing.T) *testserver.Server {
	t.Helper()
	stockOnce.Do(func() {
		stock = testserver.Start(&packageTB{TB: t}, testserver.Options{Stock: true, IssuerPath: "/realms/test"})
	})
	require.NotNil(t, stock, "the authorization server did not start")
	return stock
}

// packageTB keeps the shared server alive past the test that started it
// (its Cleanup runs at process exit instead, when the node process's stdin
// closes and it exits by itself).
type packageTB struct{ testing.TB }

func (packageTB) Cleanup(func()) {}

type fixture struct {
	srv     *testserver.Server
	store   *authtest.Store
	engine  *auth.Engine
	lockDir string
}

func newFixture(t *testing.T, srv *testserver.Server, p auth.Profile, scope, resource string, opts ...auth.Option) fixture {
	t.Helper()
	ctx := context.Background()
	st := authtest.NewStore()
	if p.Name == "" {
		p.Name = "dev"
	}
	if p.Domain == "" && p.Issuer == "" && p.TokenURL == "" {
		p.Domain = srv.Issuer // http is kept for a loopback issuer typed with it
	}
	if p.ClientID == "" {
		p.ClientID, p.ClientSecret, p.AuthMethod = testserver.PostClientID, testserver.PostClientSecret, auth.AuthPost
	}
	locks := t.TempDir()
	e := auth.NewEngine(st, auth.FileLocker{Dir: locks}, opts...)
	p, err := e.AddProfile(ctx, p)
	require.NoError(t, err)
	require.NoError(t, e.SetRefreshToken(ctx, p.Name, srv.Mint(t, p.ClientID, scope, resource)))
	return fixture{srv: srv, store: st, engine: e, lockDir: locks}
}

func (f fixture) refreshToken(t *testing.T) string {
	t.Helper()
	rt, ok := f.store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)
	return rt
}

func TestRefreshWithEachAuthMethod(t *testing.T) {
	srv := sharedServer(t)
	for _, tc := range []struct {
		name string
		p    auth.Profile
	}{
		{"post", auth.Profile{ClientID: testserver.PostClientID, ClientSecret: testserver.PostClientSecret, AuthMethod: auth.AuthPost}},
		{"basic", auth.Profile{ClientID: testserver.BasicClientID, ClientSecret: testserver.BasicClientSecret, AuthMethod: auth.AuthBasic}},
		{"none", auth.Profile{ClientID: testserver.PublicClientID, AuthMethod: auth.AuthNone}},
		// A stock issuer under a path: its token endpoint (/token, not
		// /oauth/token) comes from discovery, typed with or without a slash.
		{"issuer discovery", auth.Profile{Issuer: sharedStock(t).Issuer, ClientID: testserver.PostClientID, ClientSecret: testserver.PostClientSecret}},
		{"issuer typed with a slash", auth.Profile{Issuer: sharedStock(t).Issuer + "/", ClientID: testserver.BasicClientID, ClientSecret: testserver.BasicClientSecret, AuthMethod: auth.AuthBasic}},
		{"explicit token URL", auth.Profile{TokenURL: srv.TokenURL, ClientID: testserver.BasicClientID, ClientSecret: testserver.BasicClientSecret, AuthMethod: auth.AuthBasic}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := srv
			if tc.p.Issuer != "" {
				srv = sharedStock(t)
			}
			f := newFixture(t, srv, tc.p, "openid offline_access profile", "")
			before := f.refreshToken(t)
			tok, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{})
			require.NoError(t, err)
			require.True(t, srv.Active(t, tok.AccessToken), "the server must know the access token as active")
			require.Equal(t, "Bearer", tok.Type())
			require.NotEmpty(t, tok.IDToken, "openid was granted")
			require.WithinDuration(t, time.Now().Add(time.Hour), tok.Expiry, 30*time.Second)
			require.Contains(t, tok.Scopes(), "openid")
			require.NotEqual(t, before, f.refreshToken(t), "the rotated refresh token must be stored")
		})
	}
}

func TestRotatedRefreshTokenIsPersisted(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	var seen []string
	for range 3 {
		tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
		require.NoError(t, err, "each forced refresh must use the refresh token the previous one stored")
		seen = append(seen, tok.AccessToken)
		rt := f.refreshToken(t)
		require.True(t, srv.Active(t, rt), "the stored refresh token is the live one")
	}
	require.Len(t, map[string]bool{seen[0]: true, seen[1]: true, seen[2]: true}, 3)
	require.True(t, srv.Active(t, seen[2]))
}

func TestCachedTokenMakesNoRequest(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	first, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	srv.ResetStats(t)
	for range 20 {
		tok, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
		require.NoError(t, err)
		require.Equal(t, first.AccessToken, tok.AccessToken)
	}
	// A fresh engine over the same store (another process) uses the cache too.
	other := auth.NewEngine(f.store, authtest.NopLocker{})
	tok, err := other.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, first.AccessToken, tok.AccessToken)
	require.Zero(t, srv.TokenRequests(t), "a valid cached token needs no request")
}

func TestMarginTriggersRefresh(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{AccessTTL: 90 * time.Second})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	first, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)

	// 90 s lifetime, 60 s margin: still served for now...
	srv.ResetStats(t)
	same, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, first.AccessToken, same.AccessToken)
	require.Zero(t, srv.TokenRequests(t))

	// ...but not with a 2-minute margin.
	f.engine.SetMargin(2 * time.Minute)
	next, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	require.NotEqual(t, first.AccessToken, next.AccessToken)
	require.Equal(t, 1, srv.TokenRequests(t))
}

func TestReusedRefreshTokenNeedsLogin(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	old := f.refreshToken(t)
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)

	// Put the spent token back, as a stale copy would present it.
	require.NoError(t, f.engine.SetRefreshToken(ctx, "dev", old))
	// This machine's journal knows it is spent: it is not sent again.
	srv.ResetStats(t)
	_, err = f.engine.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.ErrorIs(t, err, auth.ErrRotationLost)
	require.Zero(t, srv.TokenRequests(t), "a spent refresh token never reaches the issuer")
	// An engine without that journal (another machine) sends it, and the
	// issuer's rejection says to sign in again.
	other := auth.NewEngine(f.store, authtest.NopLocker{})
	_, err = other.Token(ctx, "dev", auth.TokenOptions{ForceRefresh: true})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	require.Contains(t, err.Error(), "sign in again")
	require.Equal(t, old, f.refreshToken(t), "a failed refresh leaves the stored refresh token alone")
	require.NotContains(t, err.Error(), old)
}

func TestMissingRefreshTokenNeedsLogin(t *testing.T) {
	e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{})
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "dev", Domain: "acme.auth0.com", ClientID: "c", ClientSecret: "s"})
	require.NoError(t, err)
	_, err = e.Token(ctx, "dev", auth.TokenOptions{})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
	_, err = e.Token(ctx, "nope", auth.TokenOptions{})
	require.ErrorIs(t, err, auth.ErrNotFound)
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	srv.ResetStats(t)
	// Two engines over one store with a file lock in one directory behave like two processes.
	dir := t.TempDir()
	engines := []*auth.Engine{auth.NewEngine(f.store, auth.FileLocker{Dir: dir}), auth.NewEngine(f.store, auth.FileLocker{Dir: dir})}
	var wg sync.WaitGroup
	tokens := make([]string, 24)
	errs := make([]error, 24)
	for i := range tokens {
		wg.Go(func() {
			tok, err := engines[i%2].Token(context.Background(), "dev", auth.TokenOptions{})
			tokens[i], errs[i] = tok.AccessToken, err
		})
	}
	wg.Wait()
	for i := range tokens {
		require.NoError(t, errs[i])
		require.Equal(t, tokens[0], tokens[i])
	}
	require.Equal(t, 1, srv.TokenRequests(t), "exactly one refresh")
	require.True(t, srv.Active(t, tokens[0]))
	require.True(t, srv.Active(t, f.refreshToken(t)), "the grant is still alive")
}

func TestAudienceGivesJWTAccessToken(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{Audience: testserver.APIAudience}, "openid offline_access read:things", testserver.APIAudience)
	tok, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{})
	require.NoError(t, err)
	d := auth.Decode(tok.AccessToken)
	require.Equal(t, auth.KindJWT, d.Kind)
	require.Contains(t, d.Audience(), testserver.APIAudience)
	require.Contains(t, d.Scopes(), "read:things")
	require.Equal(t, srv.Issuer, d.Issuer())
	require.Equal(t, testserver.DefaultSubject, d.Subject())
	require.WithinDuration(t, tok.Expiry, d.Expiry(), 5*time.Second)

	id := auth.Decode(tok.IDToken)
	require.Equal(t, auth.KindJWT, id.Kind)
	require.Equal(t, []string{testserver.PostClientID}, id.Audience())
}

func TestCacheIsJSONWithoutSurprises(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	tok, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{})
	require.NoError(t, err)
	raw, ok := f.store.Secret("dev", auth.SecretTokenCache)
	require.True(t, ok)
	var cached auth.Token
	require.NoError(t, json.Unmarshal([]byte(raw), &cached))
	require.Equal(t, tok.AccessToken, cached.AccessToken)
	require.NotContains(t, raw, f.refreshToken(t), "the refresh token lives in its own item only")
	require.Equal(t, fmt.Sprint(tok), fmt.Sprint(cached))
}

// Other processes learn of a change from the lock file's time (the tray app
// watches the lock directory).
func TestChangesTouchTheLockFile(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	dir := t.TempDir()
	e := auth.NewEngine(f.store, auth.FileLocker{Dir: dir})
	before := time.Now().Add(-time.Second)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dev.lock"), nil, 0o600))
	require.NoError(t, os.Chtimes(filepath.Join(dir, "dev.lock"), before, before))
	_, err := e.Token(context.Background(), "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Join(dir, "dev.lock"))
	require.NoError(t, err)
	require.True(t, fi.ModTime().After(before), "the refresh moved the lock file's time")
}
