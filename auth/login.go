package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// DefaultLoginTimeout bounds a browser or device sign-in.
const DefaultLoginTimeout = 5 * time.Minute

// DefaultLoginScope is always requested at sign-in, before the profile's scope.
const DefaultLoginScope = "openid profile email offline_access"

// Sign-in outcomes callers branch on.
var (
	// ErrNoRefreshToken: the sign-in worked but the issuer sent no refresh token.
	ErrNoRefreshToken = errors.New("the issuer returned no refresh token")
	// ErrDenied: the user (or the issuer) declined the sign-in.
	ErrDenied = errors.New("the sign-in was denied")
	// ErrCodeExpired: a device code expired before it was approved.
	ErrCodeExpired = errors.New("the code expired before it was approved")
	// ErrCallbackPortInUse: the profile's fixed callback port is taken.
	ErrCallbackPortInUse = errors.New("the callback port is in use by another program")
	// ErrLoginTimeout: the browser sign-in brought no valid answer in time.
	ErrLoginTimeout = errors.New("no answer from the browser in time")
	// ErrNoConsent: no refresh token from an OpenID Connect issuer whose
	// sign-in did not ask for consent (the profile's own prompt); wrapped
	// with ErrNoRefreshToken.
	ErrNoConsent = errors.New("the sign-in did not ask for consent")
)

// LoginScope is the scope a sign-in asks for: the default plus p.Scope.
func LoginScope(p Profile) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range strings.Fields(DefaultLoginScope + " " + p.Scope) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// oauthConfig is the x/oauth2 client configuration for p at ep. The auth
// style is always explicit: x/oauth2's auto-detection retries with the other
// style after any error, sending a refresh token or code twice.
func oauthConfig(p Profile, ep Endpoints, redirect string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if p.Method() == AuthBasic {
		style = oauth2.AuthStyleInHeader
	}
	cfg := &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		RedirectURL:  redirect,
		Scopes:       LoginScope(p),
		Endpoint:     oauth2.Endpoint{AuthURL: ep.AuthURL, TokenURL: ep.TokenURL, DeviceAuthURL: ep.DeviceURL, AuthStyle: style},
	}
	if p.Method() == AuthNone {
		cfg.ClientSecret = ""
	}
	return cfg
}

// paramOptions are the profile's extra parameters as x/oauth2 options, in
// a stable order.
func paramOptions(p Profile) []oauth2.AuthCodeOption {
	keys := slices.Sorted(maps.Keys(p.Params))
	opts := make([]oauth2.AuthCodeOption, 0, len(keys))
	for _, k := range keys {
		opts = append(opts, oauth2.SetAuthURLParam(k, p.Params[k]))
	}
	return opts
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// LoginBrowser signs in with the Authorization Code flow, PKCE (S256) and a
// loopback redirect (RFC 8252) on 127.0.0.1, port p.CallbackPort or a free
// one. open is given the authorization URL to show in a browser. State and
// nonce are checked; the ID token is verified; tokens are stored as a
// refresh stores them. It gives up after DefaultLoginTimeout or with ctx.
func (e *Engine) LoginBrowser(ctx context.Context, name string, open func(authURL string) error) (Token, error) {
	p, ep, err := e.loginSetup(ctx, name)
	if err != nil {
		return Token{}, err
	}
	if ep.AuthURL == "" {
		return Token{}, fmt.Errorf("sign in %s: the issuer has no authorization endpoint: give the profile a domain or issuer instead of a token URL", name)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p.CallbackPort))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return Token{}, fmt.Errorf("sign in %s: %w (port %d): close that program or change the profile's callback port", name, ErrCallbackPortInUse, p.CallbackPort)
		}
		return Token{}, fmt.Errorf("sign in %s: listen for the callback: %w", name, err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	redirect := CallbackURL(port)

	cfg := oauthConfig(p, ep, redirect)
	verifier, state, nonce := oauth2.GenerateVerifier(), randomString(), randomString()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if p.Audience != "" {
		opts = append(opts, oauth2.SetAuthURLParam("audience", p.Audience)) // Auth0's API selector
	}
	if prompt := p.LoginPrompt(); prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
	}
	opts = append(opts, paramOptions(p)...)
	authURL := cfg.AuthCodeURL(state, opts...)

	// The handler hands a code over and waits for the outcome of the
	// exchange, so the page the browser shows tells the truth.
	callbacks := make(chan callback)
	var forged atomicBool
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if q.Get("state") != state {
			// Any web page can hit a loopback URL: a forged callback must not
			// end the real sign-in, only be refused.
			forged.set()
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, page, "Sign-in refused", "#b3261e", "This answer does not belong to the sign-in tokentray started.", "Start the sign-in again from tokentray.")
			return
		}
		cb := callback{reply: make(chan error, 1)}
		switch {
		case q.Get("iss") != "" && ep.Issuer != "" && q.Get("iss") != ep.Issuer:
			// RFC 9207, error answers included: the answer comes from
			// another issuer (mix-up), so nothing in it is believed.
			cb.err = errors.New("the sign-in answer comes from another issuer")
		case q.Get("error") != "":
			cb.err = &OAuthError{Code: clip(q.Get("error"), 64), Description: redact(q.Get("error_description"), []string{p.ClientSecret}),
				Grant: GrantCode, Authorization: true}
		case q.Get("code") == "":
			cb.err = errors.New("the sign-in answer carries no authorization code")
		default:
			cb.code = q.Get("code")
		}
		select {
		case callbacks <- cb:
		case <-r.Context().Done():
			return
		}
		var err error
		select {
		case err = <-cb.reply:
		case <-r.Context().Done():
			return
		}
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, page, "Sign-in failed", "#b3261e", html.EscapeString(err.Error()), "Return to tokentray for details.")
			return
		}
		fmt.Fprintf(w, page, "Signed in", "#1b7f3b", "tokentray is signed in to "+html.EscapeString(name)+".", "You can close this tab.")
	})}
	go srv.Serve(ln)
	defer srv.Close()

	if err := open(authURL); err != nil {
		return Token{}, fmt.Errorf("sign in %s: open the browser: %w", name, err)
	}
	wait, cancel := context.WithTimeout(ctx, e.loginTimeout)
	defer cancel()
	var cb callback
	select {
	case cb = <-callbacks:
	case <-wait.Done():
		if errors.Is(ctx.Err(), context.Canceled) {
			return Token{}, fmt.Errorf("sign in %s: %w", name, ctx.Err())
		}
		if forged.get() {
			return Token{}, fmt.Errorf("sign in %s: %w; an answer whose state did not match this sign-in was refused (a stale tab or a forged callback)", name, ErrLoginTimeout)
		}
		return Token{}, fmt.Errorf("sign in %s: %w; if the issuer showed a callback URL error, allow %s in the application's callback URLs (Auth0: Allowed Callback URLs) and fix the profile's callback port to %d", name, ErrLoginTimeout, redirect, port)
	}
	// The wait for the user is over; redeeming the code and storing the
	// tokens have budgets of their own (the HTTP timeout, the commit
	// budget), so an approval at the last second is not lost, and a Ctrl-C
	// now waits for them (Close).
	t, err := e.exchangeCode(context.WithoutCancel(ctx), p, ep, cfg, cb, verifier, nonce)
	cb.reply <- err
	if err != nil {
		return Token{}, fmt.Errorf("sign in %s: %w", name, err)
	}
	return t, nil
}

// exchangeCode redeems the authorization code (with the PKCE verifier) and
// stores the tokens.
func (e *Engine) exchangeCode(ctx context.Context, p Profile, ep Endpoints, cfg *oauth2.Config, cb callback, verifier, nonce string) (Token, error) {
	if cb.err != nil {
		return Token{}, cb.err
	}
	op, err := e.begin(p.Name, OpSignIn)
	if err != nil {
		return Token{}, err
	}
	defer op.end()
	client, err := e.httpClient(p)
	if err != nil {
		return Token{}, err
	}
	ot, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, client), cb.code, append(paramOptions(p), oauth2.VerifierOption(verifier))...)
	if err != nil {
		return Token{}, fmt.Errorf("exchange the code: %w", classify(err, &peek{}, GrantCode, ep.TokenURL, []string{p.ClientSecret, cb.code, verifier}))
	}
	return e.finishLogin(ctx, p, ot, nonce)
}

// callback is one answer at the loopback redirect URI: a code, or what is
// wrong with it; reply carries the sign-in's outcome back to the page.
type callback struct {
	code  string
	err   error
	reply chan error
}

type atomicBool struct{ v atomic.Bool }

func (b *atomicBool) set()      { b.v.Store(true) }
func (b *atomicBool) get() bool { return b.v.Load() }

const page = `<!doctype html><html><head><meta charset="utf-8"><title>tokentray</title></head>
<body style="font-family:system-ui,sans-serif;display:flex;align-items:center;justify-content:center;height:90vh;margin:0">
<div style="max-width:32em;text-align:center"><h1 style="color:%[2]s">%[1]s</h1><p>%[3]s</p><p style="color:#555">%[4]s</p></div></body></html>`

// loginSetup loads p and its endpoints.
func (e *Engine) loginSetup(ctx context.Context, name string) (Profile, Endpoints, error) {
	p, err := e.store.LoadProfile(ctx, name)
	if err != nil {
		return p, Endpoints{}, fmt.Errorf("sign in %s: %w", name, err)
	}
	if p.Machine() {
		return p, Endpoints{}, fmt.Errorf("sign in %s: %w", name, ErrNoSignIn)
	}
	ep, err := e.Endpoints(ctx, p)
	if err != nil {
		return p, ep, fmt.Errorf("sign in %s: %w", name, err)
	}
	return p, ep, nil
}

// finishLogin verifies the ID token and stores the tokens the way a
// refresh does: the refresh token first, then the access token cache. p is
// the profile as it was when the sign-in started; the stored one is read
// again under the lock, and when it was removed or now points at another
// issuer or client, nothing is stored: those tokens belong to p's issuer.
func (e *Engine) finishLogin(ctx context.Context, p Profile, ot *oauth2.Token, nonce string) (Token, error) {
	if ot.RefreshToken == "" {
		if p.Issuer != "" && !slices.Contains(strings.Fields(p.LoginPrompt()), "consent") {
			return Token{}, fmt.Errorf("%w (%w): an OpenID Connect issuer grants offline access only when the sign-in asks for consent, and this profile's prompt is %q: set the prompt back to the default", ErrNoRefreshToken, ErrNoConsent, p.Prompt)
		}
		return Token{}, fmt.Errorf("%w: request the offline_access scope and allow it for the client (Auth0: enable \"Allow Offline Access\" in the API's settings and the Refresh Token grant in the application's advanced settings)", ErrNoRefreshToken)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.timeout+e.commitTimeout)
	defer cancel()
	t := e.tokenFrom(ot)
	if t.IDToken != "" {
		if err := e.VerifyIDToken(ctx, p, t.IDToken, nonce); err != nil {
			return Token{}, err
		}
		t.IDTokenVerified = true
	}
	err := e.withLock(ctx, p.Name, func() error {
		now, err := e.store.LoadProfile(ctx, p.Name)
		switch {
		case errors.Is(err, ErrNotFound):
			return &changedError{msg: p.Name + " was removed while you were signing in; nothing was stored"}
		case err != nil:
			return err
		case !now.SameSource(p):
			return &changedError{msg: p.Name + " changed while you were signing in; sign in again (nothing was stored)", needsLogin: true}
		}
		// One write, and whatever an earlier tokentray left is removed.
		if err := e.saveSession(ctx, p.Name, session{RefreshToken: ot.RefreshToken, Token: t, Source: p.source(), SignedInAt: t.ObtainedAt, RefreshExpiresAt: firstExpiry(ot, t.ObtainedAt)}, true); err != nil {
			return fmt.Errorf("save the tokens: %w", err)
		}
		return nil
	})
	if errors.Is(err, ErrProfileChanged) {
		// The new grant is of no use to anyone: end it at its own issuer
		// (best effort) rather than leave a live refresh token behind.
		_ = e.revoke(ctx, p, ot.RefreshToken)
	}
	if err != nil {
		return Token{}, err
	}
	e.changed(p.Name)
	return t, nil
}

// changedError is an ErrProfileChanged; when the profile still exists it
// is an ErrNeedsLogin too.
type changedError struct {
	msg        string
	needsLogin bool
}

func (e *changedError) Error() string { return e.msg }

func (e *changedError) Is(target error) bool {
	return target == ErrProfileChanged || (e.needsLogin && target == ErrNeedsLogin)
}
