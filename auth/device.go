package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DeviceCode is what the user needs to approve a device sign-in.
type DeviceCode struct {
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string // with the code filled in, when the issuer gives one
	ExpiresAt               time.Time
	Interval                time.Duration
}

// LoginDevice signs in with the Device Authorization Grant (RFC 8628). show
// receives the code to display; polling honours interval, slow_down,
// authorization_pending, expired_token and access_denied.
func (e *Engine) LoginDevice(ctx context.Context, name string, show func(DeviceCode)) (Token, error) {
	p, ep, err := e.loginSetup(ctx, name)
	if err != nil {
		return Token{}, err
	}
	if ep.DeviceURL == "" {
		return Token{}, fmt.Errorf("sign in %s: the issuer has no device authorization endpoint; use the browser sign-in", name)
	}
	client, err := e.httpClient(p)
	if err != nil {
		return Token{}, err
	}
	cfg := oauthConfig(p, ep, "")
	// A poll that was sent is seen through even when the wait for the user
	// ends meanwhile: its answer may carry the tokens of an approval made
	// at the last second. The wait only stops new polls.
	polls := &seeThrough{base: client.Transport, timeout: e.timeout, e: e, name: name, tokenURL: ep.TokenURL}
	defer polls.release()
	polling := *client
	polling.Transport = polls
	octx := context.WithValue(ctx, oauth2.HTTPClient, &polling)
	var opts []oauth2.AuthCodeOption
	if p.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", p.Audience))
	}
	if p.Method() == AuthPost {
		// x/oauth2 sends only client_id to the device endpoint; confidential
		// clients authenticate there too.
		opts = append(opts, oauth2.SetAuthURLParam("client_secret", p.ClientSecret))
	}
	opts = append(opts, paramOptions(p)...)
	da, err := e.deviceAuth(octx, cfg, p, opts)
	if err != nil {
		return Token{}, fmt.Errorf("sign in %s: start the device sign-in: %w", name, err)
	}
	// The sign-in timeout bounds the polling even when the issuer gives
	// the code no expiry.
	if da.Expiry.IsZero() || time.Until(da.Expiry) > e.loginTimeout {
		da.Expiry = time.Now().Add(e.loginTimeout)
	}
	interval := time.Duration(da.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	// Front ends open the verification page in a browser: it must be a web
	// page of the issuer's, not a file, script or clear-text page.
	if !SafeToOpen(da.VerificationURI) {
		return Token{}, fmt.Errorf("sign in %s: the issuer's verification page %q is not an https:// address; tokentray does not show it", name, clip(da.VerificationURI, 100))
	}
	if !SafeToOpen(da.VerificationURIComplete) {
		da.VerificationURIComplete = ""
	}
	show(DeviceCode{UserCode: da.UserCode, VerificationURI: da.VerificationURI, VerificationURIComplete: da.VerificationURIComplete,
		ExpiresAt: da.Expiry, Interval: interval})
	ot, err := cfg.DeviceAccessToken(octx, da, paramOptions(p)...)
	if err != nil {
		var re *oauth2.RetrieveError
		switch {
		case errors.As(err, &re) && re.ErrorCode == "access_denied":
			return Token{}, fmt.Errorf("sign in %s: %w on the verification page", name, ErrDenied)
		case errors.As(err, &re) && re.ErrorCode == "expired_token", errors.Is(err, context.DeadlineExceeded):
			return Token{}, fmt.Errorf("sign in %s: %w (code %s); run the sign-in again", name, ErrCodeExpired, da.UserCode)
		case ctx.Err() != nil:
			return Token{}, fmt.Errorf("sign in %s: %w", name, ctx.Err())
		}
		return Token{}, fmt.Errorf("sign in %s: %w", name, classify(err, &peek{}, GrantDevice, ep.TokenURL, []string{p.ClientSecret}))
	}
	// The poll that brought the tokens is still registered with the engine
	// (polls.release ends it): Close waits for them to be stored.
	t, err := e.finishLogin(ctx, p, ot, "")
	if err != nil {
		return Token{}, fmt.Errorf("sign in %s: %w", name, err)
	}
	return t, nil
}

// deviceAuth asks for a device code. Basic-auth clients need the header,
// which x/oauth2's DeviceAuth cannot send, so it goes through a transport.
func (e *Engine) deviceAuth(ctx context.Context, cfg *oauth2.Config, p Profile, opts []oauth2.AuthCodeOption) (*oauth2.DeviceAuthResponse, error) {
	if p.Method() == AuthBasic {
		base := ctx.Value(oauth2.HTTPClient).(*http.Client)
		c := *base
		c.Transport = basicAuth{base: base.Transport, id: p.ClientID, secret: p.ClientSecret, url: cfg.Endpoint.DeviceAuthURL}
		ctx = context.WithValue(ctx, oauth2.HTTPClient, &c)
	}
	da, err := cfg.DeviceAuth(ctx, opts...)
	if err != nil {
		return nil, classify(err, &peek{}, GrantDevice, cfg.Endpoint.DeviceAuthURL, []string{p.ClientSecret})
	}
	return da, nil
}

type basicAuth struct {
	base       http.RoundTripper
	id, secret string
	url        string
}

func (b basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.String() == b.url {
		r = r.Clone(r.Context())
		r.SetBasicAuth(url.QueryEscape(b.id), url.QueryEscape(b.secret))
	}
	return b.base.RoundTrip(r)
}

// seeThrough sends each request detached from its context's cancellation,
// bounded by timeout instead. Each poll of the token endpoint is registered
// with the engine while it is on its way (Close waits for it), and one that
// brought tokens stays registered until release, after they are stored.
type seeThrough struct {
	base     http.RoundTripper
	timeout  time.Duration
	e        *Engine
	name     string
	tokenURL string

	mu   sync.Mutex
	held *pendingOp
}

func (s *seeThrough) RoundTrip(r *http.Request) (*http.Response, error) {
	var op *pendingOp
	if r.URL.String() == s.tokenURL {
		var err error
		if op, err = s.e.begin(s.name, OpSignIn); err != nil {
			return nil, err // quitting: no new poll
		}
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.timeout)
	resp, err := s.base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		cancel()
		op.endIfSet()
		return nil, err
	}
	if resp.StatusCode == http.StatusOK && op != nil {
		s.mu.Lock()
		s.held.endIfSet()
		s.held = op
		s.mu.Unlock()
	} else {
		op.endIfSet()
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// release ends the registration of the poll that brought tokens.
func (s *seeThrough) release() {
	s.mu.Lock()
	s.held.endIfSet()
	s.held = nil
	s.mu.Unlock()
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// SafeToOpen reports whether an address from an issuer may be opened in a
// browser: https, or http on a loopback host (local issuers).
func SafeToOpen(raw string) bool {
	u, err := CheckURL("address", raw)
	return err == nil && u.Host != ""
}
