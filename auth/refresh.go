package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// tokenEndpoint says where to send the refresh for p: Auth0's documented
// https://DOMAIN/oauth/token (no discovery round trip), the explicit URL, or
// the issuer's discovered token_endpoint.
func (e *Engine) tokenEndpoint(ctx context.Context, p Profile) (string, error) {
	switch {
	case p.Domain != "":
		return domainBase(p.Domain) + "/oauth/token", nil
	case p.TokenURL != "":
		u, err := CheckURL("token URL", p.TokenURL)
		if err != nil {
			return "", err
		}
		return u.String(), nil
	}
	ep, err := e.Endpoints(ctx, p)
	if err != nil {
		return "", err
	}
	return ep.TokenURL, nil
}

// httpClient returns the client for p's issuer: proxies from the
// environment, TLS always verified (system roots plus p.CAFile), the
// engine's timeout, and redirects refused. Refusing redirects matters: a
// 307 or 308 from the token endpoint would make net/http re-post the form,
// client secret and refresh token included, to whatever host it names.
func (e *Engine) httpClient(p Profile) (*http.Client, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.clients[p.CAFile]; ok {
		return c, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if p.CAFile != "" {
		pem, err := os.ReadFile(p.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", p.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	c := &http.Client{
		Transport: tr,
		Timeout:   e.timeout,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			return fmt.Errorf("%w to %s: redirects are never followed, fix the token URL", ErrRedirect, req.URL.Redacted())
		},
	}
	e.clients[p.CAFile] = c
	return c, nil
}

// refreshed is what a refresh answer brought.
type refreshed struct {
	token   Token
	keep    string    // the refresh token to keep: the rotated one, or the one sent
	expires time.Time // when the answer says that refresh token expires; zero: never
	stated  bool      // whether the answer said anything of it
}

// exchange performs Auth0's documented refresh at tokenURL (see
// tokenEndpoint): POST grant_type=refresh_token
// with client_id, client_secret (body or Basic, as configured) and the
// refresh token. It returns what the answer brought: the new token, the refresh token to
// keep (rotated or not) and what it says of that one's expiry.
func (e *Engine) exchange(ctx context.Context, p Profile, tokenURL, refreshToken string) (refreshed, error) {
	client, err := e.httpClient(p)
	if err != nil {
		return refreshed{}, err
	}
	cfg := oauthConfig(p, Endpoints{TokenURL: tokenURL}, "")
	// x/oauth2 drops the body of a 2xx it cannot parse; peek keeps the
	// status and the start of every answer so errors can say what came back.
	// x/oauth2 sends only the refresh token and client credentials; the
	// profile's extra parameters go in too.
	pk := &peek{base: withParams{base: client.Transport, url: tokenURL, params: p.Params}}
	hc := *client
	hc.Transport = pk
	octx := context.WithValue(ctx, oauth2.HTTPClient, &hc)
	ot, err := cfg.TokenSource(octx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return refreshed{}, classify(err, pk, GrantRefresh, tokenURL, []string{refreshToken, p.ClientSecret})
	}
	t := e.tokenFrom(ot)
	keep := ot.RefreshToken // x/oauth2 keeps the old one when none was sent
	if keep == "" {
		keep = refreshToken
	}
	r := refreshed{token: t, keep: keep}
	r.expires, r.stated = refreshExpiry(ot, t.ObtainedAt)
	return r, nil
}

// tokenFrom is what the token endpoint's answer says about the access
// token, obtained now.
func (e *Engine) tokenFrom(ot *oauth2.Token) Token {
	t := Token{
		AccessToken: ot.AccessToken,
		TokenType:   ot.TokenType,
		Expiry:      ot.Expiry,
		ObtainedAt:  e.now(),
	}
	if s, ok := ot.Extra("scope").(string); ok {
		t.Scope = s
	}
	if s, ok := ot.Extra("id_token").(string); ok {
		t.IDToken = s
	}
	return t
}

// refreshExpiry is when the answer says its refresh token expires —
// refresh_token_expires_in, or Keycloak's refresh_expires_in — counted from
// obtained, and whether it said so at all; Keycloak's 0 says "never", the
// zero time.
func refreshExpiry(ot *oauth2.Token, obtained time.Time) (time.Time, bool) {
	for _, k := range []string{"refresh_token_expires_in", "refresh_expires_in"} {
		if v := ot.Extra(k); v != nil {
			if n := seconds(v); n > 0 {
				return obtained.Add(time.Duration(n) * time.Second), true
			}
			return time.Time{}, true
		}
	}
	return time.Time{}, false
}

// firstExpiry is refreshExpiry for a sign-in's answer: nothing said and
// "never" are both no expiry.
func firstExpiry(ot *oauth2.Token, obtained time.Time) time.Time {
	t, _ := refreshExpiry(ot, obtained)
	return t
}

// seconds reads a JSON number of seconds, sent as a number or a string.
func seconds(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	}
	return 0
}

// peek is a RoundTripper that remembers the last response's status,
// content type and first bytes.
type peek struct {
	base   http.RoundTripper
	mu     sync.Mutex
	status int
	ctype  string
	head   []byte
	header http.Header
}

func (p *peek) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	p.mu.Lock()
	p.status, p.ctype, p.header = resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header
	p.mu.Unlock()
	resp.Body = &peekBody{ReadCloser: resp.Body, p: p}
	return resp, nil
}

type peekBody struct {
	io.ReadCloser
	p *peek
}

func (b *peekBody) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	b.p.mu.Lock()
	if room := 512 - len(b.p.head); room > 0 && n > 0 {
		b.p.head = append(b.p.head, buf[:min(n, room)]...)
	}
	b.p.mu.Unlock()
	return n, err
}

// classify turns what x/oauth2 and net/http return into tokentray's typed
// errors, none of which carry a secret.
func classify(err error, pk *peek, grant, tokenURL string, secrets []string) error {
	pk.mu.Lock()
	status, ctype, head, header := pk.status, pk.ctype, pk.head, pk.header
	pk.mu.Unlock()

	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			status, ctype, header = re.Response.StatusCode, re.Response.Header.Get("Content-Type"), re.Response.Header
		}
		if status == http.StatusTooManyRequests || strings.Contains(strings.ToLower(re.ErrorDescription), "global limit has been reached") {
			return &RateLimitError{Status: status, RetryAfter: retryAfter(header, time.Now())}
		}
		if re.ErrorCode != "" {
			return &OAuthError{Status: status, Code: re.ErrorCode, Description: redact(re.ErrorDescription, secrets), Grant: grant}
		}
		problem := "not an OAuth answer"
		switch {
		case status >= 500:
			problem = "server error"
		case status >= 300 && status < 400:
			problem = "redirect"
		}
		return &ResponseError{Status: status, ContentType: ctype, Problem: problem, Excerpt: excerpt(re.Body, secrets)}
	}
	if errors.Is(err, ErrRedirect) {
		return fmt.Errorf("%s: %w", tokenURL, ErrRedirect)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "missing access_token"):
		return &ResponseError{Status: status, ContentType: ctype, Problem: "no access_token in the answer"}
	case strings.Contains(msg, "cannot parse"):
		return &ResponseError{Status: status, ContentType: ctype, Problem: "not JSON", Excerpt: excerpt(head, secrets)}
	}
	return fmt.Errorf("%s: %w", tokenURL, networkError(err))
}

// networkError rewords transport failures so the user knows what to check,
// and marks them ErrTemporary where waiting can help.
func networkError(err error) error {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		uaErr   x509.UnknownAuthorityError
		hostErr x509.HostnameError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &certErr), errors.As(err, &uaErr), errors.As(err, &hostErr):
		return &CertificateError{Cause: rootCause(err)}
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot resolve %s: check the domain or issuer and your network: %w", dnsErr.Name, ErrTemporary)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("no answer in time: %w", ErrTemporary)
	case errors.As(err, &netErr):
		return fmt.Errorf("%v: %w", rootCause(err), ErrTemporary)
	}
	return err
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// retryAfter reads Retry-After (seconds or HTTP date) or Auth0's
// X-RateLimit-Reset (UNIX seconds).
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now).Round(time.Second)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil {
			if d := time.Unix(s, 0).Sub(now); d > 0 {
				return d.Round(time.Second)
			}
		}
	}
	return 0
}

// The redaction patterns are compiled on first use: most calls (a cached
// token) never need them, and compiling them at start cost a command-line
// call a millisecond.
var redaction = sync.OnceValue(func() (r struct{ tag, space, opaque, secretJSON, secretField *regexp.Regexp }) {
	// The values of secret-named members and form fields, whatever their
	// length: a short test token or an echoed code is a secret all the
	// same. Case-insensitive, so refreshToken and Access_Token count too.
	const secretKeys = `[a-z_]*token|client_?secret|code_?verifier|device_?code|secret|password|assertion`
	r.tag = regexp.MustCompile(`<[^>]*>`)
	r.space = regexp.MustCompile(`\s+`)
	// Anything token-like: long runs of base64url/JWT characters.
	r.opaque = regexp.MustCompile(`[A-Za-z0-9_\-.~+/=]{24,}`)
	r.secretJSON = regexp.MustCompile(`(?i)("(?:` + secretKeys + `)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	r.secretField = regexp.MustCompile(`(?i)\b(` + secretKeys + `)=[^&\s"'<]*`)
	return r
})

// excerpt makes a short, single-line, secret-free summary of a body.
func excerpt(body []byte, secrets []string) string {
	s := string(body)
	if len(s) > 4096 {
		s = s[:4096]
	}
	s = redaction().tag.ReplaceAllString(s, " ")
	s = strings.TrimSpace(redaction().space.ReplaceAllString(s, " "))
	s = strings.ToValidUTF8(redact(s, secrets), "")
	return clip(s, 120)
}

// redact removes the given secrets, the values of secret-named JSON members
// and form fields, and anything that looks like a token.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	r := redaction()
	s = r.secretJSON.ReplaceAllString(s, `$1"[redacted]"`)
	s = r.secretField.ReplaceAllString(s, `$1=[redacted]`)
	return r.opaque.ReplaceAllString(s, "[redacted]")
}

// withParams adds params to the form of POSTs to url, leaving fields the
// request already has alone.
type withParams struct {
	base   http.RoundTripper
	url    string
	params map[string]string
}

func (w withParams) RoundTrip(r *http.Request) (*http.Response, error) {
	if len(w.params) == 0 || r.Method != http.MethodPost || r.URL.String() != w.url || r.Body == nil {
		return w.base.RoundTrip(r)
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	for k, v := range w.params {
		if !form.Has(k) {
			form.Set(k, v)
		}
	}
	enc := form.Encode()
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(strings.NewReader(enc))
	r.ContentLength = int64(len(enc))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(enc)), nil }
	return w.base.RoundTrip(r)
}
