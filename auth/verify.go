package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// VerifyLeeway is the clock skew VerifyJWT allows on exp; on nbf it allows
// go-oidc's five minutes less this one.
const VerifyLeeway = time.Minute

// asymmetric are the JWS algorithms a published key can verify. HS256 and
// friends need a shared secret, and "none" is no signature at all: a token
// using them never verifies.
var asymmetric = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Verification is what a JWT's signature check found.
type Verification struct {
	Algorithm string // the JWS algorithm, e.g. RS256
	KeyID     string // the header's kid; may be empty
	Issuer    string // the issuer whose keys verified it
}

// ErrUnverifiable means a token cannot be checked at all: it is not a
// signed JWT, or it names no issuer to take keys from.
var ErrUnverifiable = errors.New("cannot verify")

// VerifyJWT checks a JWT's signature against the keys of the issuer it
// names itself: OpenID discovery from its iss (https, or http on a loopback
// host), whose issuer must be that iss, then the key set listed there. The
// algorithm must be an asymmetric one and match the key; exp and nbf are
// checked with a few minutes' leeway (VerifyLeeway). The audience is not
// checked: a token can verify without being meant for you. caFile adds
// trusted roots, as for a profile. The token is never stored.
func (e *Engine) VerifyJWT(ctx context.Context, raw, caFile string) (Verification, error) {
	d := Decode(raw)
	if d.Kind != KindJWT {
		return Verification{}, fmt.Errorf("%w: a %s token has no signature to check", ErrUnverifiable, d.Kind)
	}
	alg, _ := d.Header["alg"].(string)
	kid, _ := d.Header["kid"].(string)
	v := Verification{Algorithm: alg, KeyID: kid, Issuer: d.Issuer()}
	if v.Issuer == "" {
		return v, fmt.Errorf("%w: the token names no issuer (iss) to take keys from", ErrUnverifiable)
	}
	if _, err := CheckURL("issuer", v.Issuer); err != nil {
		return v, err
	}
	p := Profile{Issuer: v.Issuer, CAFile: caFile}
	ep, err := e.Endpoints(ctx, p)
	if err != nil {
		return v, err
	}
	if ep.JWKSURL == "" {
		return v, fmt.Errorf("%w: the issuer publishes no keys (jwks_uri)", ErrUnverifiable)
	}
	client, err := e.httpClient(p)
	if err != nil {
		return v, err
	}
	verifier := oidc.NewVerifier(ep.Issuer, e.keySet(ctx, client, ep.JWKSURL, caFile), &oidc.Config{
		SkipClientIDCheck:    true,
		SupportedSigningAlgs: asymmetric,
		Now:                  func() time.Time { return e.now().Add(-VerifyLeeway) },
	})
	if _, err := verifier.Verify(oidc.ClientContext(ctx, client), raw); err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return v, fmt.Errorf("the token expired at %s (its signature was not checked)", expired.Expiry.UTC().Format(time.RFC3339))
		}
		return v, fmt.Errorf("the signature does not verify against %s's keys: %w", v.Issuer, err)
	}
	return v, nil
}

// keySet returns the issuer's published keys at url, fetched with client
// (whose trusted roots are caFile's): fetched lazily, cached and refetched
// by go-oidc when a token names an unknown kid, kept while the cache is
// within maxCached. One set per URL and CA file: a set made without a profile's CA
// must not serve that profile's sign-ins.
func (e *Engine) keySet(ctx context.Context, client *http.Client, url, caFile string) oidc.KeySet {
	e.mu.Lock()
	defer e.mu.Unlock()
	key := caFile + "\x00" + url
	keys, ok := e.keySets[key]
	if !ok {
		if len(e.keySets) >= maxCached {
			clear(e.keySets)
		}
		keys = oidc.NewRemoteKeySet(oidc.ClientContext(context.WithoutCancel(ctx), client), url)
		e.keySets[key] = keys
	}
	return keys
}
