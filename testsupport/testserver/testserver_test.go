package testserver_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tokentray/tokentray/testsupport/testserver"
)

// client is one of the server's fixed clients and how it authenticates at
// the token endpoint.
type client struct {
	id, secret string
	style      string // "post", "basic" or "none"
}

var clients = []client{
	{testserver.PostClientID, testserver.PostClientSecret, "post"},
	{testserver.BasicClientID, testserver.BasicClientSecret, "basic"},
	{testserver.PublicClientID, "", "none"},
}

// tokenResponse is a decoded token endpoint answer, success or error.
type tokenResponse struct {
	Status           int
	AccessToken      string  `json:"access_token"`
	TokenType        string  `json:"token_type"`
	ExpiresIn        float64 `json:"expires_in"`
	RefreshToken     string  `json:"refresh_token"`
	IDToken          string  `json:"id_token"`
	Scope            string  `json:"scope"`
	Error            string  `json:"error"`
	ErrorDescription string  `json:"error_description"`
}

// postToken sends form to the token endpoint authenticated as c, with plain
// net/http, the way a client library would.
func postToken(t *testing.T, s *testserver.Server, c client, form url.Values) tokenResponse {
	t.Helper()
	form = cloneValues(form)
	switch c.style {
	case "post":
		form.Set("client_id", c.id)
		form.Set("client_secret", c.secret)
	case "none":
		form.Set("client_id", c.id)
	}
	req, err := http.NewRequest(http.MethodPost, s.TokenURL, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.style == "basic" {
		req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"), "body: %s", body)
	var tr tokenResponse
	require.NoError(t, json.Unmarshal(body, &tr), "body: %s", body)
	tr.Status = resp.StatusCode
	return tr
}

func refresh(t *testing.T, s *testserver.Server, c client, rt string) tokenResponse {
	t.Helper()
	return postToken(t, s, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func isJWT(token string) bool { return strings.Count(token, ".") == 2 }

// jwtParts decodes a JWT's header and claims without verifying it.
func jwtParts(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, dst))
	}
	return header, claims
}

// verifyRS256 checks token's signature against the server's published JWKS.
func verifyRS256(t *testing.T, s *testserver.Server, token string) {
	t.Helper()
	header, _ := jwtParts(t, token)
	require.Equal(t, "RS256", header["alg"])

	resp, err := http.Get(s.JWKSURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct{ Kid, Kty, N, E string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&jwks))
	for _, k := range jwks.Keys {
		if k.Kid != header["kid"] {
			continue
		}
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		require.NoError(t, err)
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		require.NoError(t, err)
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		parts := strings.Split(token, ".")
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		require.NoError(t, err)
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig))
		return
	}
	t.Fatalf("kid %v not in JWKS", header["kid"])
}

func TestDiscoveryHasAuth0Paths(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	require.True(t, strings.HasPrefix(s.Issuer, "http://127.0.0.1:"), s.Issuer)
	require.False(t, strings.HasSuffix(s.Issuer, "/"))

	resp, err := http.Get(s.DiscoveryURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	var d map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
	require.Equal(t, s.Issuer, d["issuer"])
	require.Equal(t, s.TokenURL, d["token_endpoint"])
	require.Equal(t, s.Issuer+"/oauth/token", d["token_endpoint"])
	require.Equal(t, s.Issuer+"/oauth/revoke", d["revocation_endpoint"])
	require.Equal(t, s.Issuer+"/oauth/introspect", d["introspection_endpoint"])
	require.Equal(t, s.Issuer+"/oauth/device/code", d["device_authorization_endpoint"])
	require.Equal(t, s.Issuer+"/authorize", d["authorization_endpoint"])
	require.Equal(t, s.Issuer+"/.well-known/jwks.json", d["jwks_uri"])
	require.Equal(t, s.Issuer+"/userinfo", d["userinfo_endpoint"])
}

func TestRefreshEachClient(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	for _, c := range clients {
		t.Run(c.id, func(t *testing.T) {
			before := s.Stats(t)
			rt := s.Mint(t, c.id, "openid offline_access profile email", "")

			tr := refresh(t, s, c, rt)
			require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
			require.NotEmpty(t, tr.AccessToken)
			require.False(t, isJWT(tr.AccessToken), "no resource: opaque access token expected")
			require.Equal(t, "Bearer", tr.TokenType)
			require.EqualValues(t, 3600, tr.ExpiresIn)
			require.NotEmpty(t, tr.IDToken, "openid scope: id_token expected")
			require.NotEmpty(t, tr.RefreshToken)
			require.NotEqual(t, rt, tr.RefreshToken, "rotation: a new refresh token expected")

			_, idClaims := jwtParts(t, tr.IDToken)
			require.Equal(t, s.Issuer, idClaims["iss"])
			require.Equal(t, c.id, idClaims["aud"])
			require.Equal(t, testserver.DefaultSubject, idClaims["sub"])
			verifyRS256(t, s, tr.IDToken)

			info := s.Introspect(t, tr.AccessToken)
			require.Equal(t, true, info["active"])
			require.Equal(t, c.id, info["client_id"])
			require.Equal(t, testserver.DefaultSubject, info["sub"])
			require.True(t, s.Active(t, tr.RefreshToken))
			require.False(t, s.Active(t, rt), "the rotated refresh token is spent")

			after := s.Stats(t)
			require.Equal(t, before.TokenRequests+1, after.TokenRequests)
			require.Equal(t, before.ByGrant["refresh_token"]+1, after.ByGrant["refresh_token"])

			// The rotated token refreshes again.
			tr2 := refresh(t, s, c, tr.RefreshToken)
			require.Equal(t, http.StatusOK, tr2.Status, "%+v", tr2)
			require.NotEqual(t, tr.RefreshToken, tr2.RefreshToken)
			require.Equal(t, before.TokenRequests+2, s.TokenRequests(t))
		})
	}
}

func TestNoIDTokenWithoutOpenID(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	rt := s.Mint(t, testserver.PostClientID, "offline_access", "")
	tr := refresh(t, s, clients[0], rt)
	require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
	require.NotEmpty(t, tr.AccessToken)
	require.Empty(t, tr.IDToken)
}

func TestReuseOfRotatedRefreshTokenRevokesGrant(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	for _, c := range clients {
		t.Run(c.id, func(t *testing.T) {
			rt1 := s.Mint(t, c.id, "openid offline_access", "")
			tr := refresh(t, s, c, rt1)
			require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
			rt2, at := tr.RefreshToken, tr.AccessToken
			require.True(t, s.Active(t, at))

			reuse := refresh(t, s, c, rt1)
			require.Equal(t, http.StatusBadRequest, reuse.Status)
			require.Equal(t, "invalid_grant", reuse.Error)
			require.Equal(t, "grant request is invalid", reuse.ErrorDescription)

			// Breach detection took the whole grant down.
			require.False(t, s.Active(t, rt2))
			require.False(t, s.Active(t, at))
			next := refresh(t, s, c, rt2)
			require.Equal(t, http.StatusBadRequest, next.Status)
			require.Equal(t, "invalid_grant", next.Error)
		})
	}
}

func TestResourceGivesJWTEvenWhenRefreshOmitsIt(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	for _, c := range clients {
		t.Run(c.id, func(t *testing.T) {
			rt := s.Mint(t, c.id, "openid offline_access read:things", testserver.APIAudience)

			for i := range 2 { // the rotated token keeps the resource too
				tr := refresh(t, s, c, rt) // no resource parameter
				require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
				require.True(t, isJWT(tr.AccessToken), "JWT access token expected, got %q", tr.AccessToken)
				require.NotEmpty(t, tr.IDToken)
				require.EqualValues(t, 3600, tr.ExpiresIn)
				// oidc-provider reports the access token's scope: API scopes only.
				require.Equal(t, "read:things", tr.Scope)

				header, claims := jwtParts(t, tr.AccessToken)
				require.Equal(t, "at+jwt", header["typ"])
				require.Equal(t, testserver.APIAudience, claims["aud"])
				require.Equal(t, s.Issuer, claims["iss"])
				require.Equal(t, c.id, claims["client_id"])
				require.Equal(t, testserver.DefaultSubject, claims["sub"])
				require.Equal(t, "read:things", claims["scope"])
				verifyRS256(t, s, tr.AccessToken)

				info := s.Introspect(t, tr.AccessToken)
				require.Equal(t, true, info["active"], "iteration %d", i)
				require.Equal(t, testserver.APIAudience, info["aud"])
				rt = tr.RefreshToken
			}
		})
	}
}

func TestAudienceAliasOnRefresh(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	rt := s.Mint(t, testserver.PostClientID, "openid offline_access read:things", testserver.APIAudience)
	tr := postToken(t, s, clients[0], url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {rt},
		"audience":      {testserver.APIAudience},
	})
	require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
	_, claims := jwtParts(t, tr.AccessToken)
	require.Equal(t, testserver.APIAudience, claims["aud"])

	// An audience the grant does not cover is refused.
	tr = postToken(t, s, clients[0], url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {tr.RefreshToken},
		"audience":      {"https://other.example"},
	})
	require.Equal(t, http.StatusBadRequest, tr.Status)
	require.Equal(t, "invalid_target", tr.Error)
}

func TestAccessTTL(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{AccessTTL: 90 * time.Second})

	opaque := refresh(t, s, clients[0], s.Mint(t, testserver.PostClientID, "openid offline_access", ""))
	require.Equal(t, http.StatusOK, opaque.Status, "%+v", opaque)
	require.EqualValues(t, 90, opaque.ExpiresIn)
	info := s.Introspect(t, opaque.AccessToken)
	require.InDelta(t, float64(time.Now().Unix()+90), info["exp"], 5)

	jwt := refresh(t, s, clients[0], s.Mint(t, testserver.PostClientID, "offline_access read:things", testserver.APIAudience))
	require.Equal(t, http.StatusOK, jwt.Status, "%+v", jwt)
	require.EqualValues(t, 90, jwt.ExpiresIn)
	_, claims := jwtParts(t, jwt.AccessToken)
	require.EqualValues(t, 90, claims["exp"].(float64)-claims["iat"].(float64))
}

func TestClientAuthenticationErrors(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	rt := s.Mint(t, testserver.PostClientID, "openid offline_access", "")
	s.ResetStats(t)

	wrong := refresh(t, s, client{testserver.PostClientID, "nope", "post"}, rt)
	require.Equal(t, http.StatusUnauthorized, wrong.Status)
	require.Equal(t, "invalid_client", wrong.Error)
	require.Equal(t, "client authentication failed", wrong.ErrorDescription)

	// Each confidential client must use the method it registered (stricter
	// than plain oidc-provider, which accepts either; Auth0-like).
	for _, c := range []client{
		{testserver.BasicClientID, testserver.BasicClientSecret, "post"},
		{testserver.PostClientID, testserver.PostClientSecret, "basic"},
	} {
		tr := refresh(t, s, c, rt)
		require.Equal(t, http.StatusUnauthorized, tr.Status, "%+v", tr)
		require.Equal(t, "invalid_client", tr.Error)
		require.Equal(t, "client authentication failed", tr.ErrorDescription)
	}

	// Another client's refresh token.
	other := refresh(t, s, clients[1], rt)
	require.Equal(t, http.StatusBadRequest, other.Status)
	require.Equal(t, "invalid_grant", other.Error)

	// Failed requests are counted too, and the token is still good.
	require.Equal(t, 4, s.TokenRequests(t))
	ok := refresh(t, s, clients[0], rt)
	require.Equal(t, http.StatusOK, ok.Status, "%+v", ok)
	st := s.Stats(t)
	require.Equal(t, 5, st.TokenRequests)
	require.Equal(t, map[string]int{"refresh_token": 5}, st.ByGrant)
	s.ResetStats(t)
	st = s.Stats(t)
	require.Zero(t, st.TokenRequests)
	require.Empty(t, st.ByGrant)
	require.Empty(t, st.LastTokenRequest)
}

func TestRevocation(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	rt := s.Mint(t, testserver.PostClientID, "openid offline_access", "")
	tr := refresh(t, s, clients[0], rt)
	require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)

	resp, err := http.PostForm(s.RevokeURL, url.Values{
		"token":         {tr.RefreshToken},
		"client_id":     {testserver.PostClientID},
		"client_secret": {testserver.PostClientSecret},
	})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.False(t, s.Active(t, tr.RefreshToken))
	// Revoking a refresh token revokes its grant, access tokens included.
	require.False(t, s.Active(t, tr.AccessToken))
}

func TestDeviceFlow(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	public := clients[2]

	start := func(t *testing.T) (deviceCode, userCode string) {
		t.Helper()
		resp, err := http.PostForm(s.DeviceURL, url.Values{
			"client_id": {public.id},
			"scope":     {"openid offline_access read:things"},
			"audience":  {testserver.APIAudience}, // Auth0's name for resource
		})
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var d struct {
			DeviceCode      string `json:"device_code"`
			UserCode        string `json:"user_code"`
			VerificationURI string `json:"verification_uri"`
			ExpiresIn       int    `json:"expires_in"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
		require.Regexp(t, `^[A-Z]{4}-[A-Z]{4}$`, d.UserCode)
		require.NotEmpty(t, d.DeviceCode)
		require.Positive(t, d.ExpiresIn)
		return d.DeviceCode, d.UserCode
	}
	poll := func(t *testing.T, deviceCode string) tokenResponse {
		t.Helper()
		return postToken(t, s, public, url.Values{
			"grant_type":  {"urn:ietf:params:oauth:grant-type:device_code"},
			"device_code": {deviceCode},
		})
	}

	t.Run("approve", func(t *testing.T) {
		dc, uc := start(t)
		pending := poll(t, dc)
		require.Equal(t, http.StatusBadRequest, pending.Status)
		require.Equal(t, "authorization_pending", pending.Error)

		s.ApproveDevice(t, uc, false)
		tr := poll(t, dc)
		require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
		require.NotEmpty(t, tr.RefreshToken)
		require.NotEmpty(t, tr.IDToken)
		_, claims := jwtParts(t, tr.AccessToken)
		require.Equal(t, testserver.APIAudience, claims["aud"])

		again := refresh(t, s, public, tr.RefreshToken)
		require.Equal(t, http.StatusOK, again.Status, "%+v", again)
		require.True(t, isJWT(again.AccessToken))
	})

	t.Run("deny", func(t *testing.T) {
		dc, uc := start(t)
		s.ApproveDevice(t, strings.ReplaceAll(uc, "-", ""), true)
		tr := poll(t, dc)
		require.Equal(t, http.StatusBadRequest, tr.Status)
		require.Equal(t, "access_denied", tr.Error)
	})
}

// The browser flow signs the user in and consents automatically; a cookie
// jar and redirect following are all a test needs to get a code.
func TestAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	tr := codeFlow(t, s, url.Values{"audience": {testserver.APIAudience}})
	require.NotEmpty(t, tr.RefreshToken, "offline_access must survive without prompt=consent")
	_, claims := jwtParts(t, tr.AccessToken)
	require.Equal(t, testserver.APIAudience, claims["aud"])
	require.Equal(t, "alice", claims["sub"])
	require.NotContains(t, s.Stats(t).Authorizations[0], "prompt", "what the client sent, before the Auth0 rewrite")
}

// A stock issuer follows OpenID Connect Core §11: offline_access (so a
// refresh token) only with prompt=consent. Under a path, as Keycloak's.
func TestStockWantsConsentForOfflineAccess(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{Stock: true, IssuerPath: "/realms/test"})
	require.True(t, strings.HasSuffix(s.Issuer, "/realms/test"), s.Issuer)

	without := codeFlow(t, s, url.Values{"resource": {testserver.APIAudience}})
	require.NotEmpty(t, without.AccessToken)
	require.Empty(t, without.RefreshToken, "offline_access is dropped without prompt=consent")

	with := codeFlow(t, s, url.Values{"resource": {testserver.APIAudience}, "prompt": {"consent"}})
	require.NotEmpty(t, with.RefreshToken)
	require.Equal(t, "consent", s.Stats(t).Authorizations[1]["prompt"])
	tr := refresh(t, s, clients[2], with.RefreshToken)
	require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
}

func TestStockDiscoveryHasOIDCProviderPaths(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{Stock: true, IssuerPath: "/realms/test"})
	resp, err := http.Get(s.DiscoveryURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	var d map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
	require.Equal(t, s.Issuer, d["issuer"])
	for key, path := range map[string]string{
		"token_endpoint": "/token", "revocation_endpoint": "/token/revocation", "authorization_endpoint": "/auth",
		"device_authorization_endpoint": "/device/auth", "jwks_uri": "/jwks",
	} {
		require.Equal(t, s.Issuer+path, d[key], key)
	}
	require.Equal(t, s.TokenURL, d["token_endpoint"])
	require.Equal(t, s.AuthorizeURL, d["authorization_endpoint"])
}

// codeFlow signs "alice" in to the public client with PKCE through a
// browser that keeps cookies and follows redirects, adding extra to the
// authorization request, and redeems the code.
func codeFlow(t *testing.T, s *testserver.Server, extra url.Values) tokenResponse {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Path == "/callback" {
				return http.ErrUseLastResponse // nothing listens there
			}
			return nil
		},
	}

	// A native client may pick any loopback port (RFC 8252).
	redirect := "http://127.0.0.1:49731/callback"
	verifier := "a-long-enough-pkce-code-verifier-0123456789-abcdefghijkl"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id":             {testserver.PublicClientID},
		"response_type":         {"code"},
		"redirect_uri":          {redirect},
		"scope":                 {"openid offline_access read:things"},
		"state":                 {"st"},
		"login_hint":            {"alice"},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q[k] = v
	}
	resp, err := browser.Get(s.AuthorizeURL + "?" + q.Encode())
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:49731", loc.Host)
	require.Equal(t, "st", loc.Query().Get("state"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code, "location: %s", loc)

	tr := postToken(t, s, clients[2], url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirect},
		"code_verifier": {verifier},
	})
	require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
	return tr
}

func TestMintRejectsUnknownScope(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	resp, err := http.Post(s.Issuer+"/test/mint", "application/json",
		strings.NewReader(`{"client_id":"tt-post","scope":"offline_access read:thing"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	var e struct{ Error string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	require.Equal(t, "invalid_scope", e.Error)
}

// The machine-to-machine client gets client credentials tokens: a JWT for
// the API named by audience (Auth0's parameter), refused for an API it is
// not authorised for, and it may not use the user grants.
func TestClientCredentials(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t, testserver.Options{})
	m2m := client{testserver.M2MClientID, testserver.M2MClientSecret, "post"}
	tr := postToken(t, s, m2m, url.Values{"grant_type": {"client_credentials"}, "audience": {testserver.APIAudience}, "scope": {"read:things"}})
	require.Equal(t, http.StatusOK, tr.Status, "%+v", tr)
	require.Empty(t, tr.RefreshToken, "no refresh token for client credentials")
	_, claims := jwtParts(t, tr.AccessToken)
	require.Equal(t, testserver.APIAudience, claims["aud"])
	require.Equal(t, "read:things", claims["scope"])
	require.Equal(t, testserver.M2MClientID, claims["client_id"])
	require.True(t, s.Active(t, tr.AccessToken))

	tr = postToken(t, s, m2m, url.Values{"grant_type": {"client_credentials"}, "audience": {testserver.OtherAudience}})
	require.Equal(t, "access_denied", tr.Error, "%+v", tr)

	tr = postToken(t, s, client{testserver.M2MClientID, "wrong", "post"}, url.Values{"grant_type": {"client_credentials"}, "audience": {testserver.APIAudience}})
	require.Equal(t, "invalid_client", tr.Error, "%+v", tr)

	// oidc-provider says invalid_request here where RFC 6749 §5.2 says
	// unauthorized_client: clients must take both.
	tr = postToken(t, s, m2m, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}})
	require.Equal(t, "invalid_request", tr.Error, "%+v", tr)
	require.Contains(t, tr.ErrorDescription, "grant type is not allowed for this client")
}
