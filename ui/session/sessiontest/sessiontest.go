// Package sessiontest builds what GUI tests need around a session.Session:
// an engine over an in-memory store with a settable clock, the real
// authorization server (testserver) with profiles signed in to it, a fake
// clipboard, a recorded list of notifications and a Loop that plays
// Fyne's UI goroutine.
package sessiontest

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/text"
)

// Clipboard is an in-memory session.Clipboard. Err, when set, fails every
// call (to simulate a missing clipboard tool).
type Clipboard struct {
	mu   sync.Mutex
	text string
	err  error
}

// ReadAll implements session.Clipboard.
func (c *Clipboard) ReadAll() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text, c.err
}

// WriteAll implements session.Clipboard.
func (c *Clipboard) WriteAll(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.text = s
	return nil
}

// Text is the clipboard's content.
func (c *Clipboard) Text() string { s, _ := c.ReadAll(); return s }

// SetErr makes every following call fail with err (nil to recover).
func (c *Clipboard) SetErr(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
}

// Fixture is a session wired to fakes and, once Serve is called, to the real
// authorization server.
type Fixture struct {
	Store     *authtest.Store
	Clock     *authtest.Clock
	Engine    *auth.Engine
	Clipboard *Clipboard
	Loop      *Loop
	Session   *session.Session
	Server    *testserver.Server // nil until Serve

	mu     sync.Mutex
	notes  []string
	opened []string
}

// New returns a fixture whose clock stands at the current time (tokens from
// the server expire relative to the real clock).
func New(t testing.TB) *Fixture {
	t.Helper()
	f := &Fixture{
		Store:     authtest.NewStore(),
		Clock:     authtest.NewClock(time.Now().Truncate(time.Second)),
		Clipboard: &Clipboard{},
		Loop:      NewLoop(),
	}
	f.Engine = auth.NewEngine(f.Store, authtest.NopLocker{}, auth.WithClock(f.Clock.Now), auth.WithTimeout(10*time.Second))
	f.Session = &session.Session{
		Engine:    f.Engine,
		Clipboard: f.Clipboard,
		Loop:      f.Loop,
		Notify: func(title, body string) {
			f.mu.Lock()
			f.notes = append(f.notes, title+": "+body)
			f.mu.Unlock()
		},
	}
	return f
}

// Serve starts the real authorization server (access tokens live ttl): a
// stock OpenID Connect issuer, which is what the fixture's issuer profiles
// meet in the field (consent for offline access, discovered endpoints).
func (f *Fixture) Serve(t testing.TB, ttl time.Duration) *testserver.Server {
	t.Helper()
	return f.ServeWith(t, testserver.Options{AccessTTL: ttl})
}

// ServeWith starts the real authorization server with opt (device code
// lifetime and polling interval, for instance).
func (f *Fixture) ServeWith(t testing.TB, opt testserver.Options) *testserver.Server {
	t.Helper()
	opt.Stock = true
	f.Server = testserver.Start(t, opt)
	return f.Server
}

// PublicProfile returns a profile for the server's public (native) client,
// which may sign in in the browser on any loopback port, with the API as
// its resource.
func (f *Fixture) PublicProfile(name string) auth.Profile {
	return auth.Profile{
		Name:       name,
		Issuer:     f.Server.Issuer,
		ClientID:   testserver.PublicClientID,
		AuthMethod: auth.AuthNone,
		Params:     map[string]string{"resource": testserver.APIAudience}, // RFC 8707: the API
		Scope:      "read:things",
	}
}

// Browser returns a Session.OpenURL that plays the user's browser: it
// follows the URL with its own cookie jar through the test server's
// automatic sign-in and consent, back to the loopback callback. It counts
// the pages it was asked to open.
func (f *Fixture) Browser() func(*url.URL) error {
	return func(u *url.URL) error {
		f.mu.Lock()
		f.opened = append(f.opened, u.String())
		f.mu.Unlock()
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, Timeout: 20 * time.Second}
		go func() {
			resp, err := c.Get(u.String())
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
}

// Opened returns the URLs given to Browser so far.
func (f *Fixture) Opened() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.opened...)
}

// Notes returns the notifications shown so far, as "title: body", once
// those on their way have arrived (for up to 10 s).
func (f *Fixture) Notes() []string {
	f.Session.WaitNotified(10 * time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.notes...)
}

// Profile returns a profile for the server's client_secret_post client
// with the API as its resource (so access tokens are JWTs) and openid (so there is
// an ID token).
func (f *Fixture) Profile(name string) auth.Profile {
	return auth.Profile{
		Name:         name,
		Issuer:       f.Server.Issuer,
		ClientID:     testserver.PostClientID,
		ClientSecret: testserver.PostClientSecret,
		AuthMethod:   auth.AuthPost,
		Params:       map[string]string{"resource": testserver.APIAudience}, // RFC 8707: the API
		Scope:        "openid offline_access read:things",
	}
}

// SignIn adds a profile for the server (see Profile) with a fresh refresh
// token minted by the server. Serve must have been called.
func (f *Fixture) SignIn(t testing.TB, name string) auth.Profile {
	t.Helper()
	ctx := context.Background()
	p, err := f.Engine.AddProfile(ctx, f.Profile(name))
	if err != nil {
		t.Fatalf("add profile %s: %v", name, err)
	}
	rt := f.Server.Mint(t, testserver.PostClientID, "openid offline_access read:things", testserver.APIAudience)
	if err := f.Engine.SetRefreshToken(ctx, name, rt); err != nil {
		t.Fatalf("set refresh token of %s: %v", name, err)
	}
	return p
}

// Cached returns the access token the engine has cached for name.
func (f *Fixture) Cached(t testing.TB, name string) auth.Token {
	t.Helper()
	st := f.Engine.Status(context.Background(), name)
	if st.Err != nil {
		t.Fatalf("status of %s: %v", name, st.Err)
	}
	return st.Token
}

// Left is how long name's cached access token has left at the fixture's
// clock, worded as the GUI words it ("30 min"). The server stamps expiry
// with the real clock while the fixture's stands still, so a test computes
// what a message should say rather than assume how long it ran.
func (f *Fixture) Left(t testing.TB, name string) string {
	t.Helper()
	return text.Duration(f.Cached(t, name).Expiry.Sub(f.Clock.Now()))
}

// AtLifetime sets the fixture's clock to when name's cached access token
// had d left, so countdowns and labels read exactly d after a Tick.
func (f *Fixture) AtLifetime(t testing.TB, name string, d time.Duration) {
	t.Helper()
	f.Clock.Set(f.Cached(t, name).Expiry.Add(-d))
}

// SettleUntil runs pending UI work until cond holds (see
// Loop.SettleUntil) and fails t if it does not within 20 s.
func (f *Fixture) SettleUntil(t testing.TB, cond func() bool) {
	t.Helper()
	if err := f.Loop.SettleUntil(cond, 20*time.Second); err != nil {
		t.Fatal(err)
	}
}

// Settle runs pending UI work (see Loop.Settle) and fails t if
// it does not finish within 20 s.
func (f *Fixture) Settle(t testing.TB) {
	t.Helper()
	if err := f.Loop.Settle(20 * time.Second); err != nil {
		t.Fatal(err)
	}
}
