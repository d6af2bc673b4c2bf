package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Endpoints are the issuer URLs a profile's sign-in, refresh and sign-out use.
type Endpoints struct {
	Issuer    string // the iss of its ID tokens, exactly as the issuer states it
	AuthURL   string
	TokenURL  string
	DeviceURL string
	RevokeURL string
	JWKSURL   string
	// IDTokenAlgs are the ID token signing algorithms the issuer announces.
	IDTokenAlgs []string
}

// discovery is the part of an OpenID Provider configuration tokentray reads.
type discovery struct {
	Issuer      string   `json:"issuer"`
	AuthURL     string   `json:"authorization_endpoint"`
	TokenURL    string   `json:"token_endpoint"`
	DeviceURL   string   `json:"device_authorization_endpoint"`
	RevokeURL   string   `json:"revocation_endpoint"`
	JWKSURL     string   `json:"jwks_uri"`
	IDTokenAlgs []string `json:"id_token_signing_alg_values_supported"`
}

// errNoDiscovery: the issuer serves no discovery document (404 or not JSON).
type errNoDiscovery struct{ status int }

func (e errNoDiscovery) Error() string {
	return fmt.Sprintf("no OpenID configuration at /.well-known/openid-configuration (HTTP %d): check the issuer URL, or give the profile the token endpoint's URL instead", e.status)
}

// Endpoints returns where p's issuer has its endpoints, from OpenID
// discovery (cached for the Engine's lifetime):
//   - an issuer profile: ISSUER/.well-known/openid-configuration, whose
//     issuer must be the profile's (a trailing "/" aside: Auth0's issuers end
//     in one, most others do not);
//   - an Auth0 domain: https://DOMAIN/.well-known/openid-configuration, whose
//     issuer and endpoints must all be on that host; when the domain serves
//     no discovery document, Auth0's fixed paths (not cached);
//   - an explicit token URL: only the token endpoint.
//
// Every endpoint must be https, or http on a loopback host when the issuer
// itself is such a local one: a discovery document cannot send the client
// secret, a code or a refresh token anywhere in clear text.
func (e *Engine) Endpoints(ctx context.Context, p Profile) (Endpoints, error) {
	if p.TokenURL != "" {
		u, err := CheckURL("token URL", p.TokenURL)
		if err != nil {
			return Endpoints{}, err
		}
		return Endpoints{TokenURL: u.String()}, nil
	}
	key := p.Domain + "|" + p.Issuer
	e.mu.Lock()
	ep, ok := e.endpoints[key]
	e.mu.Unlock()
	if ok {
		return ep, nil
	}
	client, err := e.httpClient(p)
	if err != nil {
		return Endpoints{}, err
	}
	base := domainBase(p.Domain)
	if p.Issuer != "" {
		if _, err := CheckURL("issuer", p.Issuer); err != nil {
			return Endpoints{}, err
		}
		base = strings.TrimRight(p.Issuer, "/")
	}
	d, err := fetchDiscovery(ctx, client, base)
	var nd errNoDiscovery
	switch {
	case p.Domain != "" && asNoDiscovery(err, &nd):
		// Auth0's documented paths; not cached, so a later discovery wins.
		return Endpoints{
			Issuer:    base + "/",
			AuthURL:   base + "/authorize",
			TokenURL:  base + "/oauth/token",
			DeviceURL: base + "/oauth/device/code",
			RevokeURL: base + "/oauth/revoke",
			JWKSURL:   base + "/.well-known/jwks.json",
		}, nil
	case err != nil:
		return Endpoints{}, fmt.Errorf("discover the endpoints of %s: %w", base, err)
	}
	typed := base
	if p.Issuer != "" {
		typed = strings.TrimSpace(p.Issuer)
	}
	if !sameIssuer(typed, d.Issuer) {
		return Endpoints{}, fmt.Errorf("discover the endpoints of %s: the configuration names another issuer, %q; check the profile's issuer or domain", base, clip(d.Issuer, 100))
	}
	ep = Endpoints(d)
	if p.Domain != "" {
		// Auth0 serves everything from the tenant's host.
		if ep.DeviceURL == "" {
			ep.DeviceURL = base + "/oauth/device/code"
		}
		if ep.RevokeURL == "" {
			ep.RevokeURL = base + "/oauth/revoke"
		}
	}
	issuer, _ := url.Parse(base)
	for what, raw := range map[string]string{"authorization endpoint": ep.AuthURL, "token endpoint": ep.TokenURL,
		"device endpoint": ep.DeviceURL, "revocation endpoint": ep.RevokeURL, "JWKS URL": ep.JWKSURL} {
		if raw == "" {
			continue
		}
		if err := checkEndpoint(issuer, p.Domain != "", what, raw); err != nil {
			return Endpoints{}, fmt.Errorf("discover the endpoints of %s: %w", base, err)
		}
	}
	if ep.TokenURL == "" {
		return Endpoints{}, fmt.Errorf("discover the endpoints of %s: the configuration has no token endpoint", base)
	}
	e.mu.Lock()
	if len(e.endpoints) >= maxCached {
		clear(e.endpoints) // rediscovered when next needed
	}
	e.endpoints[key] = ep
	e.mu.Unlock()
	return ep, nil
}

// maxCached bounds the engine's caches of discovered endpoints and of key
// sets: the tray app runs for weeks, and every token pasted into the
// inspector may name another issuer. Past the bound a cache starts afresh.
const maxCached = 64

// sameIssuer compares a discovered issuer with the one the profile names,
// exactly (OpenID Connect Discovery §4.3: scheme, host, path and case) but
// for one trailing "/": people type Auth0's issuer without its slash and
// others' with one. Tokens are then checked against the discovered value.
func sameIssuer(typed, discovered string) bool {
	return discovered == typed || discovered == strings.TrimSuffix(typed, "/") || discovered == typed+"/"
}

func asNoDiscovery(err error, nd *errNoDiscovery) bool {
	v, ok := err.(errNoDiscovery)
	if ok {
		*nd = v
	}
	return ok
}

// checkEndpoint refuses a discovered endpoint that is not https (http only
// from a loopback issuer to a loopback host) or, for Auth0 domains, not on
// the issuer's host.
func checkEndpoint(issuer *url.URL, sameHost bool, what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("the %s %q is not a URL", what, clip(raw, 100))
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && issuer.Scheme == "http" && IsLoopback(u.Host):
	default:
		return fmt.Errorf("the %s %s: %w", what, u.Redacted(), ErrInsecureURL)
	}
	if sameHost && !strings.EqualFold(u.Host, issuer.Host) {
		return fmt.Errorf("the %s %s is not on %s; tokentray sends secrets only to the tenant's host", what, u.Redacted(), issuer.Host)
	}
	return nil
}

// fetchDiscovery reads BASE/.well-known/openid-configuration, at most 1 MiB.
func fetchDiscovery(ctx context.Context, client *http.Client, base string) (discovery, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/openid-configuration", nil)
	if err != nil {
		return discovery{}, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return discovery{}, networkError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return discovery{}, networkError(err)
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var d discovery
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return discovery{}, errNoDiscovery{status: resp.StatusCode}
	case resp.StatusCode != http.StatusOK:
		re := &ResponseError{Status: resp.StatusCode, ContentType: ct, Problem: "no OpenID configuration", Excerpt: excerpt(body, nil)}
		return discovery{}, re
	case json.Unmarshal(body, &d) != nil:
		return discovery{}, errNoDiscovery{status: resp.StatusCode}
	}
	return d, nil
}
