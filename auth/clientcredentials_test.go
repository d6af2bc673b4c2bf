package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

func machineEngine(t *testing.T, srv *testserver.Server, p auth.Profile) (*auth.Engine, *authtest.Store) {
	t.Helper()
	st := authtest.NewStore()
	e := auth.NewEngine(st, auth.FileLocker{Dir: t.TempDir()})
	p.Name, p.Grant = "m2m", auth.GrantClientCredentials
	if p.TokenURL == "" {
		p.Domain = srv.Issuer
	}
	if p.ClientID == "" {
		p.ClientID, p.ClientSecret = testserver.M2MClientID, testserver.M2MClientSecret
	}
	_, err := e.AddProfile(context.Background(), p)
	require.NoError(t, err)
	return e, st
}

// A machine-to-machine profile gets its tokens from the application's own
// credentials, for the API named by the audience, and serves the cached one
// while it is valid: no request at all (Auth0 meters these per month).
func TestClientCredentialsToken(t *testing.T) {
	srv := sharedServer(t)
	e, st := machineEngine(t, srv, auth.Profile{Audience: testserver.APIAudience, Scope: "read:things"})
	ctx := context.Background()
	before := srv.TokenRequests(t)
	tok, err := e.Token(ctx, "m2m", auth.TokenOptions{})
	require.NoError(t, err)
	d := auth.Decode(tok.AccessToken)
	require.Equal(t, auth.KindJWT, d.Kind)
	require.Contains(t, d.Audience(), testserver.APIAudience)
	require.Equal(t, []string{"read:things"}, d.Scopes())
	require.Equal(t, testserver.M2MClientID, d.Claims["client_id"])
	require.True(t, srv.Active(t, tok.AccessToken))
	require.Equal(t, before+1, srv.TokenRequests(t))
	_, hasRefresh := st.Secret("m2m", auth.SecretRefreshToken)
	require.False(t, hasRefresh, "no refresh token is stored")

	again, err := e.Token(ctx, "m2m", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, again.AccessToken)
	other, err := auth.NewEngine(st, auth.FileLocker{Dir: t.TempDir()}).Token(ctx, "m2m", auth.TokenOptions{})
	require.NoError(t, err)
	require.Equal(t, tok.AccessToken, other.AccessToken, "another process reads the cache")
	require.Equal(t, before+1, srv.TokenRequests(t), "a valid cached token costs no request")

	forced, err := e.Token(ctx, "m2m", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.NotEqual(t, tok.AccessToken, forced.AccessToken)
	require.Equal(t, before+2, srv.TokenRequests(t))

	s := e.Status(ctx, "m2m")
	require.NoError(t, s.Err)
	require.False(t, s.HasRefreshToken)
	require.Equal(t, forced.AccessToken, s.Token.AccessToken)
}

// Concurrent callers share one request.
func TestClientCredentialsSingleFlight(t *testing.T) {
	srv := sharedServer(t)
	e, _ := machineEngine(t, srv, auth.Profile{Audience: testserver.APIAudience})
	before := srv.TokenRequests(t)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Go(func() {
			tok, err := e.Token(context.Background(), "m2m", auth.TokenOptions{})
			require.NoError(t, err)
			tokens[i] = tok.AccessToken
		})
	}
	wg.Wait()
	for _, tok := range tokens {
		require.Equal(t, tokens[0], tok)
	}
	require.Equal(t, before+1, srv.TokenRequests(t))
}

// Refusals say what is wrong and cache nothing; none of them asks for a
// sign-in, which a machine-to-machine profile does not have.
func TestClientCredentialsRefusals(t *testing.T) {
	srv := sharedServer(t)
	ctx := context.Background()

	e, st := machineEngine(t, srv, auth.Profile{Audience: testserver.OtherAudience})
	_, err := e.Token(ctx, "m2m", auth.TokenOptions{})
	var oe *auth.OAuthError
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "access_denied", oe.Code)
	require.ErrorContains(t, err, "the application is not authorised for this API")
	require.NotErrorIs(t, err, auth.ErrNeedsLogin)
	_, cached := st.Secret("m2m", auth.SecretTokenCache)
	require.False(t, cached)

	e, _ = machineEngine(t, srv, auth.Profile{Audience: testserver.APIAudience, ClientID: testserver.M2MClientID, ClientSecret: "wrong"})
	_, err = e.Token(ctx, "m2m", auth.TokenOptions{})
	require.ErrorAs(t, err, &oe)
	require.Equal(t, "invalid_client", oe.Code)
	require.NotContains(t, err.Error(), "wrong")

	// A sign-in client that may not use the grant.
	e, _ = machineEngine(t, srv, auth.Profile{ClientID: testserver.PostClientID, ClientSecret: testserver.PostClientSecret})
	_, err = e.Token(ctx, "m2m", auth.TokenOptions{})
	require.ErrorAs(t, err, &oe)
	require.NotErrorIs(t, err, auth.ErrNeedsLogin)

	_, err = e.LoginBrowser(ctx, "m2m", func(string) error { t.Fatal("no browser for a machine profile"); return nil })
	require.ErrorIs(t, err, auth.ErrNoSignIn)
	require.ErrorIs(t, e.SetRefreshToken(ctx, "m2m", "rt"), auth.ErrNoSignIn)

	quota := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":"too_many_requests","error_description":"Quota exceeded for M2M tokens"}`))
	}))
	defer quota.Close()
	e, st = machineEngine(t, srv, auth.Profile{TokenURL: quota.URL, Audience: testserver.APIAudience})
	_, err = e.Token(ctx, "m2m", auth.TokenOptions{})
	require.ErrorIs(t, err, auth.ErrTemporary)
	var rl *auth.RateLimitError
	require.ErrorAs(t, err, &rl)
	_, cached = st.Secret("m2m", auth.SecretTokenCache)
	require.False(t, cached)
}

func TestClientCredentialsProfileNeedsASecret(t *testing.T) {
	_, err := auth.Profile{Name: "m", Domain: "acme.auth0.com", ClientID: "c", Grant: auth.GrantClientCredentials}.Normalize()
	require.ErrorContains(t, err, "client credentials need the application's client secret")
	_, err = auth.Profile{Name: "m", Domain: "acme.auth0.com", ClientID: "c", ClientSecret: "s", Grant: "password"}.Normalize()
	require.ErrorContains(t, err, `unknown grant "password"`)
	p, err := auth.Profile{Name: "m", Domain: "acme.auth0.com", ClientID: "c", ClientSecret: "s", Grant: auth.GrantClientCredentials}.Normalize()
	require.NoError(t, err)
	require.True(t, p.Machine())
	require.False(t, p.SameSource(auth.Profile{Domain: p.Domain, ClientID: p.ClientID}), "a sign-in's tokens are not the application's")
}
