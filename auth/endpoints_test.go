package auth_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
)

// A discovery document must not be able to send secrets elsewhere: not to
// another host for an Auth0 domain, not over plain http from an https issuer.
func TestDiscoveryCannotRedirectSecrets(t *testing.T) {
	thief := &recorder{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { thief.record(r) }))
	defer other.Close()
	var self string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"issuer": self + "/", "authorization_endpoint": self + "/authorize",
			"token_endpoint": other.URL + "/oauth/token", "revocation_endpoint": other.URL + "/oauth/revoke",
			"jwks_uri": self + "/.well-known/jwks.json",
		})
	}))
	defer srv.Close()
	self = srv.URL

	st := authtest.NewStore()
	e := auth.NewEngine(st, authtest.NopLocker{})
	ctx := context.Background()
	_, err := e.AddProfile(ctx, auth.Profile{Name: "d", Domain: srv.URL, ClientID: "c", ClientSecret: hostileSecret})
	require.NoError(t, err)
	require.NoError(t, e.SetRefreshToken(ctx, "d", hostileRefresh))
	_, err = e.Endpoints(ctx, must(e.Profile(ctx, "d")))
	require.ErrorContains(t, err, "is not on 127.0.0.1")
	require.ErrorContains(t, e.Logout(ctx, "d", auth.LogoutOptions{}), "is not on")
	require.Zero(t, thief.count(), "nothing was sent to the other host")
	rt, _ := st.Secret("d", auth.SecretRefreshToken)
	require.Equal(t, hostileRefresh, rt, "a failed sign-out keeps the tokens")

	// An https issuer naming a plain-http token endpoint.
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer":"`+"https://"+r.Host+`","token_endpoint":"http://127.0.0.1:9/oauth/token","jwks_uri":"https://`+r.Host+`/jwks"}`)
	}))
	defer tlsSrv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsSrv.Certificate().Raw}), 0o600))
	_, err = e.Endpoints(ctx, auth.Profile{Name: "i", Issuer: tlsSrv.URL, ClientID: "c", CAFile: ca})
	require.ErrorIs(t, err, auth.ErrInsecureURL)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestIssuerWithOrWithoutTrailingSlash(t *testing.T) {
	srv := sharedServer(t)
	for _, issuer := range []string{srv.Issuer, srv.Issuer + "/"} {
		f := newFixture(t, srv, auth.Profile{Issuer: issuer}, "openid offline_access", "")
		tok, err := f.engine.Token(context.Background(), "dev", auth.TokenOptions{})
		require.NoError(t, err, issuer)
		require.True(t, srv.Active(t, tok.AccessToken))
	}
}

func TestWrongIssuerIsRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer":"https://evil.example","token_endpoint":"https://evil.example/token"}`)
	}))
	defer srv.Close()
	e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{})
	_, err := e.Endpoints(context.Background(), auth.Profile{Name: "x", Issuer: srv.URL, ClientID: "c"})
	require.ErrorContains(t, err, "names another issuer")
}

func TestIssuerWithoutDiscovery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<html><body>"+string(make([]byte, 100000))+"</body></html>")
	}))
	defer srv.Close()
	e := auth.NewEngine(authtest.NewStore(), authtest.NopLocker{})
	_, err := e.Endpoints(context.Background(), auth.Profile{Name: "x", Issuer: srv.URL, ClientID: "c"})
	require.ErrorContains(t, err, "token endpoint")
	require.Less(t, len(err.Error()), 400, "no page dump in the error")

	// An Auth0 domain without discovery falls back to Auth0's fixed paths.
	ep, err := e.Endpoints(context.Background(), auth.Profile{Name: "d", Domain: srv.URL, ClientID: "c"})
	require.NoError(t, err)
	require.Equal(t, srv.URL+"/oauth/revoke", ep.RevokeURL)
}

func TestEditingTheIssuerDropsItsRefreshToken(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)

	p := must(f.engine.Profile(ctx, "dev"))
	p.Scope = "read:things" // same issuer: only the cached token goes
	_, err = f.engine.UpdateProfile(ctx, p)
	require.NoError(t, err)
	_, ok := f.store.Secret("dev", auth.SecretTokenCache)
	require.False(t, ok)
	_, ok = f.store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)

	p.Domain = "" // another host: the refresh token must never go there
	p.Issuer = "https://other-tenant.example.com/"
	_, err = f.engine.UpdateProfile(ctx, p)
	require.NoError(t, err)
	_, ok = f.store.Secret("dev", auth.SecretRefreshToken)
	require.False(t, ok)
	_, err = f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.ErrorIs(t, err, auth.ErrNeedsLogin)
}

// Two Keycloak realms share a host: a token URL (or issuer) on the same host
// with another path is another issuer, and gets none of the first one's
// tokens.
func TestEditingThePathOnTheSameHostDropsTheRefreshToken(t *testing.T) {
	srv := sharedServer(t)
	f := newFixture(t, srv, auth.Profile{TokenURL: srv.TokenURL}, "openid offline_access", "")
	ctx := context.Background()
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)

	p := must(f.engine.Profile(ctx, "dev"))
	p.TokenURL = srv.Issuer + "/realms/other/oauth/token"
	_, err = f.engine.UpdateProfile(ctx, p)
	require.NoError(t, err)
	_, ok := f.store.Secret("dev", auth.SecretRefreshToken)
	require.False(t, ok, "the refresh token is not kept for another path")
	_, ok = f.store.Secret("dev", auth.SecretTokenCache)
	require.False(t, ok)
}

// Changing an extra parameter (another resource, another organization)
// drops the cached access token: it was issued for the old value.
func TestEditingParamsDropsTheCachedToken(t *testing.T) {
	f := newFixture(t, sharedServer(t), auth.Profile{}, "openid offline_access", "")
	ctx := context.Background()
	_, err := f.engine.Token(ctx, "dev", auth.TokenOptions{})
	require.NoError(t, err)
	p := must(f.engine.Profile(ctx, "dev"))
	p.Params = map[string]string{"organization": "org_B"}
	_, err = f.engine.UpdateProfile(ctx, p)
	require.NoError(t, err)
	_, ok := f.store.Secret("dev", auth.SecretTokenCache)
	require.False(t, ok)
	_, ok = f.store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok, "same issuer and client: the refresh token stays")
}
