package auth

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// TokenKind says what a token string turned out to be.
type TokenKind string

// Token kinds.
const (
	KindJWT       TokenKind = "jwt"       // a signed JWT (JWS compact form)
	KindEncrypted TokenKind = "encrypted" // a JWE: only its audience can read it
	KindOpaque    TokenKind = "opaque"    // a reference token: meaningful only to the issuer
)

// algorithms lists every JWS algorithm go-jose knows; Decode never verifies,
// so the list only has to accept what issuers send.
var algorithms = []jose.SignatureAlgorithm{
	jose.EdDSA, jose.HS256, jose.HS384, jose.HS512, jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512,
}

// Decoded is a token's header and claims, read WITHOUT verifying the
// signature: fine for looking, never for trusting. (ID tokens from a sign-in
// are verified when they arrive: see Token.IDTokenVerified.)
type Decoded struct {
	Kind   TokenKind
	Header map[string]any // alg, kid, typ, ...
	Claims map[string]any
}

// BareToken is the token in what users paste: surrounding space, and an
// "Authorization:" header name or a "Bearer" type copied from a request,
// are dropped.
func BareToken(s string) string {
	s = strings.TrimSpace(s)
	if k, v, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "authorization") {
		s = strings.TrimSpace(v)
	}
	if len(s) > 7 && strings.EqualFold(s[:7], "bearer ") {
		s = strings.TrimSpace(s[7:])
	}
	return s
}

// Decode reads a token. Anything that is not a JWT or JWE is opaque, which is
// not an error: Auth0 issues opaque access tokens when no audience is given.
func Decode(token string) Decoded {
	token = strings.TrimSpace(token)
	if strings.Count(token, ".") == 4 {
		return Decoded{Kind: KindEncrypted}
	}
	jt, err := jwt.ParseSigned(token, algorithms)
	if err != nil || len(jt.Headers) == 0 {
		return Decoded{Kind: KindOpaque}
	}
	claims := map[string]any{}
	if err := jt.UnsafeClaimsWithoutVerification(&claims); err != nil {
		return Decoded{Kind: KindOpaque}
	}
	h := jt.Headers[0]
	header := map[string]any{"alg": h.Algorithm}
	if h.KeyID != "" {
		header["kid"] = h.KeyID
	}
	for k, v := range h.ExtraHeaders {
		header[string(k)] = v
	}
	return Decoded{Kind: KindJWT, Header: header, Claims: claims}
}

func (d Decoded) str(k string) string {
	s, _ := d.Claims[k].(string)
	return s
}

func (d Decoded) time(k string) time.Time {
	switch v := d.Claims[k].(type) {
	case float64:
		return time.Unix(int64(v), 0)
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return time.Unix(n, 0)
		}
	}
	return time.Time{}
}

// Issuer is the iss claim.
func (d Decoded) Issuer() string { return d.str("iss") }

// Subject is the sub claim.
func (d Decoded) Subject() string { return d.str("sub") }

// AuthorizedParty is the azp claim (Auth0: the client ID).
func (d Decoded) AuthorizedParty() string { return d.str("azp") }

// Expiry is the exp claim (zero when absent).
func (d Decoded) Expiry() time.Time { return d.time("exp") }

// IssuedAt is the iat claim (zero when absent).
func (d Decoded) IssuedAt() time.Time { return d.time("iat") }

// NotBefore is the nbf claim (zero when absent).
func (d Decoded) NotBefore() time.Time { return d.time("nbf") }

// Audience is the aud claim, a string or a list.
func (d Decoded) Audience() []string { return claimList(d.Claims["aud"]) }

// Scopes merges the three ways issuers state permissions: "scope" (space
// separated, Auth0 and RFC 9068), "scp" (a list, Okta/Azure) and
// "permissions" (Auth0 RBAC).
func (d Decoded) Scopes() []string {
	seen := map[string]bool{}
	var out []string
	add := func(list []string) {
		for _, s := range list {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	add(claimList(d.Claims["scope"]))
	add(claimList(d.Claims["scp"]))
	add(claimList(d.Claims["permissions"]))
	return out
}

// ClaimNames returns the claim names, sorted.
func (d Decoded) ClaimNames() []string {
	names := make([]string, 0, len(d.Claims))
	for k := range d.Claims {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// FormatClaim renders one claim value for display; times are shown in local
// time (RFC 1123) next to the raw number.
func (d Decoded) FormatClaim(k string) string { return d.FormatClaimWith(k, time.RFC1123) }

// FormatClaimWith is FormatClaim with the times in layout (a time.Layout
// string), for a front end with its own way of writing dates.
func (d Decoded) FormatClaimWith(k, layout string) string {
	v := d.Claims[k]
	switch k {
	case "exp", "iat", "nbf", "auth_time", "updated_at":
		if t := d.time(k); !t.IsZero() {
			return fmt.Sprintf("%d (%s)", t.Unix(), t.Local().Format(layout))
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	// JSON, not %v: numbers stay 1795648350 rather than 1.79564835e+09.
	b, _ := json.Marshal(v)
	return string(b)
}

// claimList reads a claim that may be a space-separated string or a list.
func claimList(v any) []string {
	switch t := v.(type) {
	case string:
		return strings.Fields(t)
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
