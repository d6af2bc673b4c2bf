package auth

import (
	"fmt"
	"strings"
	"time"
)

// Token is an access token with what the token endpoint said about it. It
// is what the Engine caches per profile (as JSON under SecretTokenCache).
type Token struct {
	AccessToken string    `json:"access_token"`
	TokenType   string    `json:"token_type,omitempty"`
	Expiry      time.Time `json:"expiry,omitzero"` // zero: the server gave no expires_in
	Scope       string    `json:"scope,omitempty"` // granted scope, when the server said
	IDToken     string    `json:"id_token,omitempty"`
	// IDTokenVerified: the ID token's signature, issuer, audience, expiry
	// and nonce were checked at sign-in. Refreshed ID tokens are not.
	IDTokenVerified bool      `json:"id_token_verified,omitempty"`
	ObtainedAt      time.Time `json:"obtained_at"`
}

// String never shows the tokens themselves.
func (t Token) String() string {
	if t.AccessToken == "" {
		return "token(none)"
	}
	exp := "no expiry"
	if !t.Expiry.IsZero() {
		exp = "expires " + t.Expiry.Format(time.RFC3339)
	}
	return fmt.Sprintf("token(%s, %s, redacted)", t.Type(), exp)
}

// GoString keeps %#v from printing the tokens.
func (t Token) GoString() string { return t.String() }

// Type is the token type as used in an Authorization header ("Bearer").
func (t Token) Type() string {
	if t.TokenType == "" || strings.EqualFold(t.TokenType, "bearer") {
		return "Bearer"
	}
	return t.TokenType
}

// Header returns the value of an Authorization header carrying the token.
func (t Token) Header() string { return t.Type() + " " + t.AccessToken }

// ValidFor reports whether the token is usable for longer than margin at now.
// A token without an expiry is taken as valid, as golang.org/x/oauth2 does.
func (t Token) ValidFor(now time.Time, margin time.Duration) bool {
	if t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || t.Expiry.Sub(now) > margin
}

// Remaining is the time left until expiry (negative once expired, zero
// without expiry).
func (t Token) Remaining(now time.Time) time.Duration {
	if t.Expiry.IsZero() {
		return 0
	}
	return t.Expiry.Sub(now)
}

// Scopes splits the granted scope.
func (t Token) Scopes() []string { return strings.Fields(t.Scope) }
