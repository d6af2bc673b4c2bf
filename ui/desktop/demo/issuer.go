// Package demo is `tokentray demo`: a small OAuth issuer on 127.0.0.1,
// built in, that hands out short-lived signed JWTs and rotates refresh
// tokens (reuse of a rotated one revokes its whole family, as Auth0 does),
// plus the demo profiles that point at it. A newcomer sees countdowns run
// out and refreshes work without an Auth0 tenant. The demo lives under its
// own keychain service and never touches real profiles.
package demo

import (
	"crypto/rand"
	"crypto/rsa"
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

// ClientID is the demo's public client.
const ClientID = "tokentray-demo"

// Issuer is the built-in demo authorization server. It is safe for
// concurrent use.
type Issuer struct {
	// URL is http://127.0.0.1:PORT and Domain 127.0.0.1:PORT (its token
	// endpoint is at Auth0's path, /oauth/token).
	URL, Domain string

	srv    *http.Server
	signer jose.Signer
	now    func() time.Time

	mu       sync.Mutex
	grants   map[string]*grant // live refresh token -> grant
	used     map[string]string // rotated refresh token -> family
	revoked  map[string]bool   // family -> revoked
	requests int
}

type grant struct {
	family   string
	subject  string
	scope    string
	audience string
	ttl      time.Duration
}

// Start listens on a free loopback port.
func Start() (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", "demo"))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo issuer: %w", err)
	}
	i := &Issuer{
		Domain:  ln.Addr().String(),
		signer:  signer,
		now:     time.Now,
		grants:  map[string]*grant{},
		used:    map[string]string{},
		revoked: map[string]bool{},
	}
	i.URL = "http://" + i.Domain
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/token", i.token)
	i.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go i.srv.Serve(ln)
	return i, nil
}

// Close stops the issuer.
func (i *Issuer) Close() error { return i.srv.Close() }

// Grant signs subject in: it returns a refresh token whose access tokens
// live ttl and carry scope and audience.
func (i *Issuer) Grant(subject, scope, audience string, ttl time.Duration) string {
	rt := random()
	i.mu.Lock()
	i.grants[rt] = &grant{family: random(), subject: subject, scope: scope, audience: audience, ttl: ttl}
	i.mu.Unlock()
	return rt
}

// Requests counts token requests answered.
func (i *Issuer) Requests() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.requests
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (i *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	if r.PostForm.Get("grant_type") != "refresh_token" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "the demo issuer only refreshes")
		return
	}
	if r.PostForm.Get("client_id") != ClientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return
	}
	rt := r.PostForm.Get("refresh_token")

	i.mu.Lock()
	i.requests++
	g, ok := i.grants[rt]
	if ok && i.revoked[g.family] {
		ok = false
	}
	if !ok {
		// Reuse of a rotated token: revoke the family (breach detection).
		if fam, reused := i.used[rt]; reused {
			i.revoked[fam] = true
		}
		i.mu.Unlock()
		oauthError(w, http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
		return
	}
	next := random()
	delete(i.grants, rt)
	i.used[rt] = g.family
	i.grants[next] = g
	i.mu.Unlock()

	now := i.now()
	exp := now.Add(g.ttl)
	common := jwt.Claims{
		Issuer:   i.URL + "/",
		Subject:  g.subject,
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(exp),
		ID:       random()[:16],
	}
	at := common
	at.Audience = jwt.Audience{g.audience}
	access, err := jwt.Signed(i.signer).Claims(at).Claims(map[string]any{"scope": g.scope, "azp": ClientID}).Serialize()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	resp := map[string]any{
		"access_token":  access,
		"token_type":    "Bearer",
		"expires_in":    int(g.ttl / time.Second),
		"scope":         g.scope,
		"refresh_token": next,
	}
	if strings.Contains(" "+g.scope+" ", " openid ") {
		idc := common
		idc.Audience = jwt.Audience{ClientID}
		id, err := jwt.Signed(i.signer).Claims(idc).Claims(map[string]any{
			"name": "Demo User", "email": g.subject + "@example.com", "email_verified": true,
		}).Serialize()
		if err == nil {
			resp["id_token"] = id
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}
