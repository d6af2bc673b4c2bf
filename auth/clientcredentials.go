package auth

import (
	"context"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// machineToken gets p a new client credentials token and caches it; the
// caller holds the profile's lock.
func (e *Engine) machineToken(ctx context.Context, name string, p Profile) (Token, error) {
	tokenURL, err := e.tokenEndpoint(ctx, p)
	if err != nil {
		return Token{}, err
	}
	op, err := e.begin(name, OpRefresh)
	if err != nil {
		return Token{}, err
	}
	defer op.end()
	t, err := e.clientCredentials(ctx, p, tokenURL)
	if err != nil {
		return Token{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, e.commitTimeout)
	defer cancel()
	// A cache that cannot be written costs the next call a request, not
	// this one its token: nothing is lost that the issuer cannot give again
	// (and a keychain that cannot be read fails before any request).
	_ = e.writeSession(cctx, name, session{Token: t, Source: p.source()})
	return t, nil
}

// clientCredentials gets a machine-to-machine access token for p (RFC 6749
// §4.4, Auth0's M2M flow): POST grant_type=client_credentials with the
// client ID and secret (body or Basic, as configured), the profile's scope,
// its audience as Auth0's audience parameter and its extra parameters. There
// is no refresh token: the next one comes the same way. Auth0 meters these
// tokens per month, so Token serves the cached one while it is valid.
func (e *Engine) clientCredentials(ctx context.Context, p Profile, tokenURL string) (Token, error) {
	client, err := e.httpClient(p)
	if err != nil {
		return Token{}, err
	}
	style := oauth2.AuthStyleInParams
	if p.Method() == AuthBasic {
		style = oauth2.AuthStyleInHeader
	}
	params := url.Values{}
	if p.Audience != "" {
		params.Set("audience", p.Audience)
	}
	for k, v := range p.Params {
		params.Set(k, v)
	}
	cfg := clientcredentials.Config{
		ClientID:       p.ClientID,
		ClientSecret:   p.ClientSecret,
		TokenURL:       tokenURL,
		Scopes:         strings.Fields(p.Scope),
		EndpointParams: params,
		AuthStyle:      style,
	}
	pk := &peek{base: client.Transport}
	hc := *client
	hc.Transport = pk
	ot, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, &hc))
	if err != nil {
		return Token{}, classify(err, pk, GrantClientCredentials, tokenURL, []string{p.ClientSecret})
	}
	return e.tokenFrom(ot), nil
}
