package auth_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
)

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{
		"acme.auth0.com":             "acme.auth0.com",
		"https://acme.auth0.com/":    "acme.auth0.com",
		"  ACME.eu.Auth0.com  ":      "acme.eu.auth0.com",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"https://127.0.0.1:8443":     "127.0.0.1:8443",
		"https://login.example.com:": "login.example.com",
	} {
		got, err := auth.NormalizeDomain(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "https://acme.auth0.com/oauth/token", "ftp://acme", "http://acme.auth0.com", "https://user:pw@acme.auth0.com"} {
		_, err := auth.NormalizeDomain(bad)
		require.Error(t, err, bad)
	}
}

func TestProfileNormalize(t *testing.T) {
	ok := auth.Profile{Name: "dev", Domain: "https://acme.auth0.com/", ClientID: " abc ", ClientSecret: "s", Scope: " read:a   write:b "}
	p, err := ok.Normalize()
	require.NoError(t, err)
	require.Equal(t, "acme.auth0.com", p.Domain)
	require.Equal(t, "abc", p.ClientID)
	require.Equal(t, auth.AuthPost, p.AuthMethod)
	require.Equal(t, "read:a write:b", p.Scope)

	public, err := auth.Profile{Name: "pub", Issuer: "https://id.example.com/", ClientID: "c"}.Normalize()
	require.NoError(t, err)
	require.Equal(t, auth.AuthNone, public.AuthMethod, "no secret means a public client")
	require.Equal(t, "https://id.example.com/", public.Issuer, "kept as typed")

	for _, tc := range []struct {
		p    auth.Profile
		want string
	}{
		{auth.Profile{Name: "bad name", Domain: "a.com", ClientID: "c"}, "invalid profile name"},
		{auth.Profile{Name: "", Domain: "a.com", ClientID: "c"}, "invalid profile name"},
		{auth.Profile{Name: "..", Domain: "a.com", ClientID: "c"}, "invalid profile name"},
		{auth.Profile{Name: "x", ClientID: "c"}, "exactly one of domain, issuer or token URL"},
		{auth.Profile{Name: "x", Domain: "a.com", Issuer: "https://a.com", ClientID: "c"}, "exactly one"},
		{auth.Profile{Name: "x", Domain: "a.com"}, "client ID is required"},
		{auth.Profile{Name: "x", Domain: "a.com", ClientID: "c", AuthMethod: auth.AuthBasic}, "needs a client secret"},
		{auth.Profile{Name: "x", Domain: "a.com", ClientID: "c", ClientSecret: "s", AuthMethod: auth.AuthNone}, "public clients"},
		{auth.Profile{Name: "x", Domain: "a.com", ClientID: "c", AuthMethod: "jwt"}, "unknown auth method"},
		{auth.Profile{Name: "x", Issuer: "http://id.example.com", ClientID: "c"}, "insecure URL"},
		{auth.Profile{Name: "x", TokenURL: "not a url", ClientID: "c"}, "invalid token URL"},
	} {
		_, err := tc.p.Normalize()
		require.ErrorContains(t, err, tc.want, "%+v", tc.p.Name)
	}
}

func TestProfileNeverPrintsSecret(t *testing.T) {
	p := auth.Profile{Name: "dev", Domain: "a.com", ClientID: "c", ClientSecret: "s3cr3t-value"}
	for _, s := range []string{p.String(), fmt.Sprintf("%v %+v %#v %s", p, p, p, p)} {
		require.NotContains(t, s, "s3cr3t-value")
	}
	tok := auth.Token{AccessToken: "at-value", IDToken: "id-value"}
	s := fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok)
	require.NotContains(t, s, "at-value")
	require.NotContains(t, s, "id-value")
}

func TestIsLoopback(t *testing.T) {
	for h, want := range map[string]bool{"127.0.0.1": true, "127.0.0.1:80": true, "[::1]:9": true, "localhost": true, "LOCALHOST:1": true, "10.0.0.1": false, "example.com": false, "localhost.example.com": false} {
		require.Equal(t, want, auth.IsLoopback(h), h)
	}
}

func TestProfileSameSource(t *testing.T) {
	base := auth.Profile{Name: "dev", Issuer: "https://id.example.com/realms/a", ClientID: "c", ClientSecret: "s", Audience: "x"}
	for _, tc := range []struct {
		name string
		edit func(*auth.Profile)
		same bool
	}{
		{"secret", func(p *auth.Profile) { p.ClientSecret = "t" }, true},
		{"audience and scope", func(p *auth.Profile) { p.Audience, p.Scope = "y", "read" }, true},
		{"path", func(p *auth.Profile) { p.Issuer = "https://id.example.com/realms/b" }, false},
		{"trailing slash", func(p *auth.Profile) { p.Issuer += "/" }, false},
		{"scheme", func(p *auth.Profile) { p.Issuer = "http://id.example.com/realms/a" }, false},
		{"port", func(p *auth.Profile) { p.Issuer = "https://id.example.com:8443/realms/a" }, false},
		{"issuer to token URL", func(p *auth.Profile) { p.Issuer, p.TokenURL = "", "https://id.example.com/realms/a/token" }, false},
		{"client", func(p *auth.Profile) { p.ClientID = "d" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := base
			tc.edit(&q)
			require.Equal(t, tc.same, base.SameSource(q))
		})
	}
}

func TestProfilePromptAndParams(t *testing.T) {
	base := auth.Profile{Name: "dev", Issuer: "https://id.example.com", ClientID: "c"}
	p := base
	p.Prompt, p.Params = " consent ", map[string]string{" organization ": " org_123 "}
	p, err := p.Normalize()
	require.NoError(t, err)
	require.Equal(t, "consent", p.Prompt)
	require.Equal(t, map[string]string{"organization": "org_123"}, p.Params)

	for _, tc := range []struct {
		prompt string
		params map[string]string
		want   string
	}{
		{"always", nil, `unknown prompt "always"`},
		{"", map[string]string{"client_secret": "x"}, `parameter "client_secret" is set by tokentray itself: use the profile's client secret setting`},
		{"", map[string]string{"Refresh_Token": "x"}, `parameter "Refresh_Token" is a protocol field tokentray sets itself`},
		{"", map[string]string{"code_verifier": "x"}, "protocol field"},
		{"", map[string]string{"scope": "x"}, "use the profile's scope setting"},
		{"", map[string]string{"prompt": "login"}, "use the profile's prompt setting"},
		{"", map[string]string{"": "x"}, "needs a name"},
		{"none login", nil, "prompt none cannot be combined"},
		{"", map[string]string{"request_uri": "https://evil.example/req"}, "protocol field"},
		{"", map[string]string{"org": "1", "org ": "2"}, `parameter "org" is given twice`},
		{"", map[string]string{"org": "a\nb"}, "cannot span lines"},
	} {
		p := base
		p.Prompt, p.Params = tc.prompt, tc.params
		_, err := p.Normalize()
		require.ErrorContains(t, err, tc.want)
	}

	p = base
	p.Prompt, p.Params = "login  consent", map[string]string{"connection": " ", "org": "x"}
	p, err = p.Normalize()
	require.NoError(t, err)
	require.Equal(t, "login consent", p.Prompt)
	require.Equal(t, map[string]string{"org": "x"}, p.Params, "key= means no such parameter")

	// The default prompt: consent where OpenID Connect asks for it.
	require.Equal(t, "consent", base.LoginPrompt(), "an issuer asked for offline_access")
	require.Equal(t, "", auth.Profile{Domain: "acme.auth0.com"}.LoginPrompt(), "Auth0 issues refresh tokens without consent")
	require.Equal(t, "login", auth.Profile{Domain: "acme.auth0.com", Prompt: "login"}.LoginPrompt())
}
