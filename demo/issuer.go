// Package demo is tokentray's built-in demo: a small OAuth 2.0 issuer on
// 127.0.0.1 that issues short-lived JWT access tokens and rotating refresh
// tokens (with reuse detection, like Auth0's), and a set of profiles that use
// it, so a newcomer sees countdowns, refreshes and the inspector work without
// an Auth0 tenant. It is not a test double: tests use the real
// authorization server in testserver/.
package demo

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// ClientID is the demo issuer's only client (public).
const ClientID = "tokentray-demo"

// Audience is the demo API's identifier.
const Audience = "https://api.demo.tokentray"

// Issuer is a running demo issuer.
type Issuer struct {
	URL string // http://127.0.0.1:PORT

	srv    *http.Server
	signer jose.Signer
	jwk    jose.JSONWebKey

	mu       sync.Mutex
	grants   map[string]*grant // refresh token -> grant
	requests int
}

type grant struct {
	sub     string
	scope   string
	ttl     time.Duration
	revoked bool
	current string // the only refresh token of the family still usable
}

// Start serves a demo issuer on a free loopback port until ctx ends.
func Start(ctx context.Context) (*Issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	kid := randomID(8)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", kid))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo issuer: %w", err)
	}
	is := &Issuer{
		URL:    "http://" + ln.Addr().String(),
		signer: signer,
		jwk:    jose.JSONWebKey{Key: key.Public(), KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"},
		grants: map[string]*grant{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", is.discovery)
	mux.HandleFunc("GET /.well-known/jwks.json", is.jwks)
	mux.HandleFunc("POST /oauth/token", is.token)
	mux.HandleFunc("POST /oauth/revoke", is.revoke)
	is.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go is.srv.Serve(ln)
	go func() {
		<-ctx.Done()
		is.srv.Close()
	}()
	return is, nil
}

// Grant creates a signed-in session for sub whose access tokens live ttl,
// and returns its first refresh token.
func (is *Issuer) Grant(sub, scope string, ttl time.Duration) string {
	rt := randomID(32)
	is.mu.Lock()
	is.grants[rt] = &grant{sub: sub, scope: scope, ttl: ttl, current: rt}
	is.mu.Unlock()
	return rt
}

// Requests counts token requests served.
func (is *Issuer) Requests() int {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.requests
}

func (is *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                is.URL,
		"token_endpoint":                        is.URL + "/oauth/token",
		"revocation_endpoint":                   is.URL + "/oauth/revoke",
		"jwks_uri":                              is.URL + "/.well-known/jwks.json",
		"grant_types_supported":                 []string{"refresh_token"},
		"token_endpoint_auth_methods_supported": []string{"none"},
	})
}

func (is *Issuer) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{is.jwk}})
}

func (is *Issuer) token(w http.ResponseWriter, r *http.Request) {
	is.mu.Lock()
	is.requests++
	is.mu.Unlock()
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "the demo issuer only refreshes")
		return
	}
	if r.PostForm.Get("client_id") != ClientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	rt := r.PostForm.Get("refresh_token")
	is.mu.Lock()
	g, ok := is.grants[rt]
	switch {
	case !ok || g.revoked:
		is.mu.Unlock()
		oauthError(w, http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
		return
	case g.current != rt:
		// Reuse of a rotated token: breach detection revokes the family.
		g.revoked = true
		is.mu.Unlock()
		oauthError(w, http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
		return
	}
	next := randomID(32)
	g.current = next
	is.grants[next] = g
	is.mu.Unlock()

	now := time.Now()
	claims := map[string]any{
		"iss": is.URL, "sub": g.sub, "aud": []string{Audience, is.URL + "/userinfo"},
		"azp": ClientID, "iat": now.Unix(), "exp": now.Add(g.ttl).Unix(), "scope": g.scope,
		"permissions": strings.Fields(strings.ReplaceAll(g.scope, "openid", "")),
		"jti":         randomID(8),
	}
	at, err := jwt.Signed(is.signer).Claims(claims).Serialize()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": at, "token_type": "Bearer", "expires_in": int(g.ttl.Seconds()),
		"scope": g.scope, "refresh_token": next,
	})
}

func (is *Issuer) revoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	is.mu.Lock()
	if g, ok := is.grants[r.PostForm.Get("token")]; ok {
		g.revoked = true
	}
	is.mu.Unlock()
	w.WriteHeader(http.StatusOK) // RFC 7009: unknown tokens are not an error
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
