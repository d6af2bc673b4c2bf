package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Endpoints are the issuer URLs a profile's sign-in, refresh and sign-out use.
type Endpoints struct {
	Issuer    string // the iss of its ID tokens
	AuthURL   string
	TokenURL  string
	DeviceURL string
	RevokeURL string
	JWKSURL   string
}

// discovery is the part of an OpenID Provider configuration tokentray reads.
type discovery struct {
	Issuer    string `json:"issuer"`
	AuthURL   string `json:"authorization_endpoint"`
	TokenURL  string `json:"token_endpoint"`
	DeviceURL string `json:"device_authorization_endpoint"`
	RevokeURL string `json:"revocation_endpoint"`
	JWKSURL   string `json:"jwks_uri"`
}

// Endpoints returns where p's issuer has its endpoints, from OpenID
// discovery (cached for the Engine's lifetime):
//   - an issuer profile: ISSUER/.well-known/openid-configuration, whose
//     issuer must equal the profile's (go-oidc checks it);
//   - an Auth0 domain: https://DOMAIN/.well-known/openid-configuration, whose
//     issuer must be on that host; if discovery fails, Auth0's fixed paths;
//   - an explicit token URL: only the token endpoint.
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
	if p.Issuer != "" {
		ep, err = discoverIssuer(ctx, client, p.Issuer)
	} else {
		ep, err = discoverDomain(ctx, client, p.Domain)
	}
	if err != nil {
		return Endpoints{}, err
	}
	for what, raw := range map[string]string{"authorization endpoint": ep.AuthURL, "token endpoint": ep.TokenURL, "device endpoint": ep.DeviceURL, "revocation endpoint": ep.RevokeURL, "JWKS URL": ep.JWKSURL} {
		if raw == "" {
			continue
		}
		if _, err := CheckURL("discovered "+what, raw); err != nil {
			return Endpoints{}, err
		}
	}
	e.mu.Lock()
	e.endpoints[key] = ep
	e.mu.Unlock()
	return ep, nil
}

func discoverIssuer(ctx context.Context, client *http.Client, issuer string) (Endpoints, error) {
	if _, err := CheckURL("issuer", issuer); err != nil {
		return Endpoints{}, err
	}
	prov, err := oidc.NewProvider(oidc.ClientContext(ctx, client), issuer)
	if err != nil {
		return Endpoints{}, fmt.Errorf("discover the endpoints of %s: %w", issuer, networkError(err))
	}
	var d discovery
	if err := prov.Claims(&d); err != nil {
		return Endpoints{}, fmt.Errorf("discover the endpoints of %s: %w", issuer, err)
	}
	return Endpoints(d), nil
}

func discoverDomain(ctx context.Context, client *http.Client, domain string) (Endpoints, error) {
	base := "https://" + domain
	if IsLoopback(domain) {
		base = "http://" + domain
	}
	// Auth0's documented paths, used when discovery is unavailable.
	fixed := Endpoints{
		Issuer:    base + "/",
		AuthURL:   base + "/authorize",
		TokenURL:  base + "/oauth/token",
		DeviceURL: base + "/oauth/device/code",
		RevokeURL: base + "/oauth/revoke",
		JWKSURL:   base + "/.well-known/jwks.json",
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/.well-known/openid-configuration", nil)
	if err != nil {
		return Endpoints{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() || ctx.Err() != nil {
			return Endpoints{}, fmt.Errorf("discover the endpoints of %s: %w", domain, networkError(err))
		}
		return fixed, nil
	}
	defer resp.Body.Close()
	var d discovery
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d) != nil {
		return fixed, nil
	}
	iu, err := url.Parse(d.Issuer)
	if err != nil || !strings.EqualFold(iu.Host, domain) {
		return Endpoints{}, fmt.Errorf("discover the endpoints of %s: the configuration names issuer %q, not this domain", domain, d.Issuer)
	}
	ep := Endpoints(d)
	if ep.RevokeURL == "" {
		ep.RevokeURL = fixed.RevokeURL
	}
	if ep.DeviceURL == "" {
		ep.DeviceURL = fixed.DeviceURL
	}
	return ep, nil
}
