package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
	"github.com/tokentray/tokentray/ui/state"
)

func copyNow(t *testing.T, f *sessiontest.Fixture, r session.Request) session.Result {
	t.Helper()
	var got *session.Result
	f.Session.Copy(r, func(res session.Result) { got = &res })
	f.Settle(t)
	require.NotNil(t, got, "done was called")
	return *got
}

func TestCopyPutsTheEnginesTokenOnTheClipboard(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.SignIn(t, "dev")

	res := copyNow(t, f, session.Request{Name: "dev", What: session.AccessToken})
	require.NoError(t, res.Err)
	first := f.Clipboard.Text()
	require.Equal(t, f.Cached(t, "dev").AccessToken, first, "the clipboard holds the token the engine cached")
	require.True(t, srv.Active(t, first), "the server says the copied token is active")
	want := "Access token for dev copied — valid " + f.Left(t, "dev")
	require.Equal(t, want, res.Message)
	require.Equal(t, []string{"tokentray: " + want}, f.Notes())

	t.Run("a second copy reuses the cached token", func(t *testing.T) {
		requests := srv.TokenRequests(t)
		copyNow(t, f, session.Request{Name: "dev", What: session.AccessToken})
		require.Equal(t, first, f.Clipboard.Text())
		require.Equal(t, requests, srv.TokenRequests(t), "no request to the token endpoint")
	})
	t.Run("refresh now & copy gets a new active token", func(t *testing.T) {
		res := copyNow(t, f, session.Request{Name: "dev", What: session.AccessToken, Force: true})
		require.NoError(t, res.Err)
		second := f.Clipboard.Text()
		require.NotEqual(t, first, second)
		require.Equal(t, f.Cached(t, "dev").AccessToken, second)
		require.True(t, srv.Active(t, second))
	})
	t.Run("authorization header", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev", What: session.Header})
		require.Equal(t, "Authorization: Bearer "+f.Cached(t, "dev").AccessToken, f.Clipboard.Text())
	})
	t.Run("ID token", func(t *testing.T) {
		res := copyNow(t, f, session.Request{Name: "dev", What: session.IDToken})
		require.NoError(t, res.Err)
		id := f.Clipboard.Text()
		require.Equal(t, f.Cached(t, "dev").IDToken, id)
		require.Equal(t, auth.KindJWT, auth.Decode(id).Kind)
		require.True(t, strings.HasPrefix(res.Message, "ID token for dev copied — valid "), res.Message)
	})
}

func TestCopyFailures(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	ctx := context.Background()

	t.Run("rejected refresh token: sign in needed, until a success", func(t *testing.T) {
		require.NoError(t, f.Engine.SetRefreshToken(ctx, "dev", "not-a-refresh-token"))
		require.NoError(t, f.Clipboard.WriteAll("mine"))
		res := copyNow(t, f, session.Request{Name: "dev"})
		require.ErrorIs(t, res.Err, auth.ErrNeedsLogin)
		require.Equal(t, "Could not copy the access token for dev. Sign in needed: the refresh token is missing, expired or revoked. Use Sign in…, or paste a new refresh token in the editor.", res.Message)
		require.Equal(t, "mine", f.Clipboard.Text(), "the clipboard is untouched")
		require.Equal(t, state.SignIn, row(t, f, "dev").Subject.State(f.Clock.Now()))

		rt := f.Server.Mint(t, "tt-post", "openid offline_access read:things", "https://api.tokentray.test")
		require.NoError(t, f.Engine.SetRefreshToken(ctx, "dev", rt))
		res = copyNow(t, f, session.Request{Name: "dev"})
		require.NoError(t, res.Err)
		require.Equal(t, state.Fresh, row(t, f, "dev").Subject.State(f.Clock.Now()))
	})
	t.Run("keychain locked", func(t *testing.T) {
		f.Store.SetErr(fmt.Errorf("read: %w", auth.ErrKeychainLocked))
		defer f.Store.SetErr(nil)
		res := copyNow(t, f, session.Request{Name: "dev", Force: true})
		require.ErrorIs(t, res.Err, auth.ErrKeychainLocked)
		require.Contains(t, res.Message, "The keychain is locked: unlock your login keyring")
	})
	t.Run("no clipboard tool names the package", func(t *testing.T) {
		f.Clipboard.SetErr(session.ErrNoClipboardTool)
		defer f.Clipboard.SetErr(nil)
		res := copyNow(t, f, session.Request{Name: "dev"})
		require.ErrorIs(t, res.Err, session.ErrNoClipboardTool)
		require.Contains(t, res.Message, "install wl-clipboard (sudo apt install wl-clipboard)")
		require.Contains(t, f.Notes()[len(f.Notes())-1], "install wl-clipboard")
		require.Equal(t, state.Fresh, row(t, f, "dev").Subject.State(f.Clock.Now()), "the token itself is fine")
	})
	t.Run("no ID token without openid", func(t *testing.T) {
		p := f.Profile("api")
		p.Scope = "offline_access read:things"
		_, err := f.Engine.AddProfile(ctx, p)
		require.NoError(t, err)
		require.NoError(t, f.Engine.SetRefreshToken(ctx, "api", f.Server.Mint(t, "tt-post", "offline_access read:things", "https://api.tokentray.test")))
		res := copyNow(t, f, session.Request{Name: "api", What: session.IDToken})
		require.ErrorContains(t, res.Err, "no ID token for api")
	})
}

func row(t *testing.T, f *sessiontest.Fixture, name string) session.Row {
	t.Helper()
	f.Session.Reload()
	f.Settle(t)
	rows, err := f.Session.Rows()
	require.NoError(t, err)
	for _, r := range rows {
		if r.Name() == name {
			return r
		}
	}
	t.Fatalf("no row %s", name)
	return session.Row{}
}

func TestAFailureOlderThanTheCachedTokenIsForgotten(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	f.Store.SetErr(auth.ErrKeychainTimeout)
	copyNow(t, f, session.Request{Name: "dev"})
	f.Store.SetErr(nil)
	require.Equal(t, state.Error, row(t, f, "dev").Subject.State(f.Clock.Now()))

	// Another process (the CLI) refreshes: the error no longer describes the token.
	f.Clock.Advance(time.Second)
	_, err := f.Engine.Token(context.Background(), "dev", auth.TokenOptions{ForceRefresh: true})
	require.NoError(t, err)
	require.Equal(t, state.Fresh, row(t, f, "dev").Subject.State(f.Clock.Now()))
}

// timers is a fake AfterFunc: it keeps the functions to fire by hand.
// Copies arm timers on their own goroutines, hence the lock.
type timers struct {
	mu   sync.Mutex
	list []*timer
}

type timer struct {
	f       func()
	stopped bool
}

func (tm *timers) after(_ time.Duration, f func()) func() bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tmr := &timer{f: f}
	tm.list = append(tm.list, tmr)
	return func() bool {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		was := !tmr.stopped
		tmr.stopped = true
		return was
	}
}

// armed counts timers neither stopped nor fired.
func (tm *timers) armed() int {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	n := 0
	for _, x := range tm.list {
		if !x.stopped {
			n++
		}
	}
	return n
}

// fire runs the armed timers, as their goroutines would.
func (tm *timers) fire() {
	tm.mu.Lock()
	var due []func()
	for _, x := range tm.list {
		if !x.stopped {
			x.stopped = true
			due = append(due, x.f)
		}
	}
	tm.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func TestAutoClearOnlyClearsOurOwnToken(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	tm := &timers{}
	f.Session.AfterFunc = tm.after

	t.Run("off by default", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		require.Zero(t, tm.armed())
	})
	f.Session.SetAutoClear(30 * time.Second)
	t.Run("still ours: cleared", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		require.NotEmpty(t, f.Clipboard.Text())
		tm.fire()
		require.Equal(t, "", f.Clipboard.Text())
	})
	t.Run("the user copied something else: kept", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		require.NoError(t, f.Clipboard.WriteAll("user's own text"))
		tm.fire()
		require.Equal(t, "user's own text", f.Clipboard.Text())
	})
	t.Run("a newer copy is not cleared by the older timer", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		copyNow(t, f, session.Request{Name: "dev", What: session.Header})
		require.Equal(t, 1, tm.armed(), "the first timer was stopped")
		tm.fire()
		require.Equal(t, "", f.Clipboard.Text(), "the newest copy is cleared by its own timer")
	})
}

// stuck is a clipboard whose first write puts its text on the clipboard
// and then returns only when released: a copy held up between writing and
// arming its auto-clear, while another copy overtakes it.
type stuck struct {
	*sessiontest.Clipboard
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (c *stuck) WriteAll(text string) error {
	err := c.Clipboard.WriteAll(text)
	first := false
	c.once.Do(func() { first = true })
	if first {
		close(c.entered)
		<-c.release
	}
	return err
}

func TestAutoClearOfConcurrentCopies(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	tm := &timers{}
	f.Session.AfterFunc = tm.after
	f.Session.SetAutoClear(30 * time.Second)
	clip := &stuck{Clipboard: f.Clipboard, entered: make(chan struct{}), release: make(chan struct{})}
	f.Session.Clipboard = clip

	var first, second *session.Result
	f.Session.Copy(session.Request{Name: "dev"}, func(r session.Result) { first = &r })
	<-clip.entered
	f.Session.Copy(session.Request{Name: "dev", What: session.Header}, func(r session.Result) { second = &r })
	// Give the second copy every chance to finish first; it may also wait
	// for the first, which is what serialising the writes means.
	_ = f.Loop.SettleUntil(func() bool { return second != nil }, 500*time.Millisecond)
	close(clip.release)
	f.Settle(t)
	require.NoError(t, first.Err)
	require.NoError(t, second.Err)

	onClipboard := f.Clipboard.Text()
	require.NotEmpty(t, onClipboard)
	require.Equal(t, 1, tm.armed(), "one pending clear")
	tm.fire()
	require.Equal(t, "", f.Clipboard.Text(), "the token on the clipboard (%.22s…) was cleared", onClipboard)
}

func TestFlushClear(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	tm := &timers{}
	f.Session.AfterFunc = tm.after

	t.Run("without auto-clear the token stays", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		f.Session.FlushClear()
		require.Equal(t, f.Cached(t, "dev").AccessToken, f.Clipboard.Text())
	})
	f.Session.SetAutoClear(time.Minute)
	t.Run("a pending clear happens at once", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		require.NotEmpty(t, f.Clipboard.Text())
		f.Session.FlushClear()
		require.Equal(t, "", f.Clipboard.Text())
		require.Zero(t, tm.armed(), "the timer was stopped")
	})
	t.Run("the user's own text is kept", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		require.NoError(t, f.Clipboard.WriteAll("user's own text"))
		f.Session.FlushClear()
		require.Equal(t, "user's own text", f.Clipboard.Text())
	})
	t.Run("a late timer after the flush wipes nothing", func(t *testing.T) {
		copyNow(t, f, session.Request{Name: "dev"})
		pending := tm.list[len(tm.list)-1].f
		f.Session.FlushClear()
		require.NoError(t, f.Clipboard.WriteAll("user's own text"))
		pending()
		require.Equal(t, "user's own text", f.Clipboard.Text())
	})
}

func TestProblemSaysWhatToDo(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("list profiles: %w", auth.ErrKeychainLocked), "The keychain is locked: unlock your login keyring, then try again."},
		{fmt.Errorf("refresh dev: %w", &auth.RateLimitError{Status: 429, RetryAfter: 30 * time.Second}), "The issuer is rate limiting token requests: retry in 30 s."},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Status: 400, Code: "invalid_grant"}), "Sign in needed: the refresh token is missing, expired or revoked. Use Sign in…, or paste a new refresh token in the editor."},
		{fmt.Errorf("refresh dev: %w", &auth.ResponseError{Status: 502, Problem: "not JSON"}), "The issuer is unreachable or failing right now: try again later."},
		{fmt.Errorf("copy to the clipboard: %w", session.ErrNoClipboardTool), "No clipboard on this Wayland desktop: install wl-clipboard (sudo apt install wl-clipboard)."},
		{fmt.Errorf("sign in dev: %w on the verification page", auth.ErrDenied), "The sign-in was denied, in the browser or on the verification page: sign in again to retry."},
		{fmt.Errorf("sign in dev: %w (code ABCD-EFGH); run the sign-in again", auth.ErrCodeExpired), "The code expired before it was approved: start the sign-in again."},
		{fmt.Errorf("sign in dev: %w: request the offline_access scope", auth.ErrNoRefreshToken), "Signed in, but the issuer sent no refresh token, so nothing was stored: request the offline_access scope and allow it for the client " +
			"(Auth0: enable Allow Offline Access in the API's settings and the Refresh Token grant in the application's advanced settings)."},
		{fmt.Errorf("sign out dev: %w; the tokens were kept", fmt.Errorf("%w: %w", auth.ErrRevocation, auth.ErrNoRevocationEndpoint)),
			"The refresh token was not revoked: the issuer has no revocation endpoint."},
		{fmt.Errorf("sign out dev: %w", fmt.Errorf("%w: %w", auth.ErrRevocation, &auth.OAuthError{Status: 400, Code: "invalid_request", Description: "client is not authorized"})),
			"The refresh token was not revoked: the issuer refused with invalid_request (client is not authorized)."},
		{fmt.Errorf("sign out dev: %w", fmt.Errorf("%w: %w", auth.ErrRevocation, &auth.ResponseError{Status: 503})),
			"The refresh token was not revoked: the issuer is unreachable or failing right now; try again later."},
		{fmt.Errorf("sign in dev: %w", context.Canceled), "Cancelled."},
		{fmt.Errorf("refresh dev: %w (keychain timeout): %w", auth.ErrRotationLost, auth.ErrNeedsLogin),
			"Sign in needed: the issuer replaced the refresh token but the keychain did not store the new one, so the stored one is spent and is never sent again. Use Sign in…"},
		{fmt.Errorf("sign in dev: %w", errChanged{}), "The profile was changed or removed while you were signing in, so nothing was stored: sign in again if you still need it."},
		{fmt.Errorf("refresh dev: %w", auth.ErrClosed), "tokentray is quitting."},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Status: 403, Code: "mfa_required", Description: "Multifactor authentication required"}),
			"Multi-factor authentication is required: sign in again (Sign in…), and the issuer will ask for it."},
		{fmt.Errorf("sign in dev: %w", &auth.OAuthError{Code: "login_required", Description: "End-User authentication is required", Authorization: true}),
			"The issuer wants you to sign in interactively (login_required: End-User authentication is required): set the profile's sign-in prompt back to Default in the editor, then sign in again."},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Status: 400, Code: "login_required", Description: "session ended"}),
			"The issuer wants you to sign in again (login_required: session ended). Use Sign in…"},
		{fmt.Errorf("sign out dev: %w", fmt.Errorf("%w: %w", auth.ErrRevocation, &auth.OAuthError{Status: 400, Code: "unauthorized_client", Grant: auth.GrantRevocation})),
			"The refresh token was not revoked: the issuer refused with unauthorized_client."},
		{fmt.Errorf("sign in dev: %w (%w): the prompt", auth.ErrNoRefreshToken, auth.ErrNoConsent),
			"Signed in, but the issuer sent no refresh token, so nothing was stored: an OpenID Connect issuer grants offline access only when the sign-in asks for consent. Set the profile's sign-in prompt back to Default in the editor."},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Status: 403, Code: "unauthorized_client", Description: "Grant type 'refresh_token' not allowed for the client."}),
			"This application may not use refresh tokens: enable the Refresh Token grant for it at the issuer (Auth0: Applications, the application, Advanced Settings, Grant Types)."},
		{errors.New("something odd"), "Something odd."},
	} {
		t.Run(tc.want, func(t *testing.T) { require.Equal(t, tc.want, session.Problem(tc.err)) })
	}
}

func TestBriefFitsARow(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Status: 400, Code: "invalid_grant"}), "Sign in needed: use Sign in…"},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Status: 401, Code: "invalid_client"}), "Refused by the issuer: invalid_client"},
		{fmt.Errorf("refresh dev: %w", &auth.ResponseError{Status: 503, Problem: "not JSON"}), "Issuer unreachable: retry later"},
		{fmt.Errorf("read: %w", auth.ErrKeychainLocked), "Keychain locked: unlock it and retry"},
		{fmt.Errorf("sign in dev: %w", auth.ErrDenied), "Sign-in denied"},
		{fmt.Errorf("sign in dev: %w", auth.ErrCodeExpired), "Code expired: sign in again"},
		{fmt.Errorf("sign in dev: %w", auth.ErrNoRefreshToken), "No refresh token: allow offline_access"},
		{fmt.Errorf("sign out dev: %w: timeout", auth.ErrRevocation), "Sign-out not confirmed by the issuer"},
		{fmt.Errorf("refresh dev: %w: %w", auth.ErrRotationLost, auth.ErrNeedsLogin), "Sign in needed: new token not stored"},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Code: "mfa_required"}), "Sign in needed: MFA required"},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Code: "interaction_required"}), "Sign in needed: interaction_required"},
		{fmt.Errorf("refresh dev: %w", &auth.OAuthError{Code: "unsupported_grant_type"}), "Refresh tokens not allowed for the app"},
		{fmt.Errorf("sign in dev: %w", errChanged{}), "Profile changed during sign-in"},
		{errors.New("something odd"), "Failed: select it for details"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, session.Brief(tc.err))
			require.LessOrEqual(t, len(session.Brief(tc.err)), 45)
		})
	}
}

func TestSignInAndOutThroughTheSession(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.Session.OpenURL = f.Browser()
	_, err := f.Engine.AddProfile(context.Background(), f.PublicProfile("dev"))
	require.NoError(t, err)
	require.Equal(t, state.SignIn, row(t, f, "dev").Subject.State(f.Clock.Now()))

	var browser string
	var in *session.SignInResult
	f.Session.StartSignIn("dev", false, session.SignInEvents{
		Browser: func(u string, err error) { require.NoError(t, err); browser = u },
		Done:    func(r session.SignInResult) { in = &r },
	})
	f.Settle(t)
	require.NotNil(t, in)
	require.NoError(t, in.Err)
	require.Equal(t, f.Opened(), []string{browser}, "the browser was given the authorization URL")
	require.Equal(t, "Signed in to dev — access token valid "+f.Left(t, "dev")+"; ID token signature verified.", in.Message)
	require.Equal(t, in.Token.AccessToken, f.Cached(t, "dev").AccessToken)
	require.True(t, srv.Active(t, in.Token.AccessToken))
	require.Equal(t, state.Fresh, row(t, f, "dev").Subject.State(f.Clock.Now()))

	rt, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)
	var out *session.SignOutResult
	f.Session.SignOut("dev", false, func(r session.SignOutResult) { out = &r })
	f.Settle(t)
	require.NotNil(t, out)
	require.NoError(t, out.Err)
	require.False(t, srv.Active(t, rt))
	require.Equal(t, state.SignIn, row(t, f, "dev").Subject.State(f.Clock.Now()))
}

func TestSignInWithoutABrowserKeepsWaiting(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, 30*time.Minute)
	_, err := f.Engine.AddProfile(context.Background(), f.PublicProfile("dev"))
	require.NoError(t, err)
	var openErr error
	var in *session.SignInResult
	si := f.Session.StartSignIn("dev", false, session.SignInEvents{
		Browser: func(_ string, err error) { openErr = err },
		Done:    func(r session.SignInResult) { in = &r },
	})
	f.SettleUntil(t, func() bool { return openErr != nil })
	require.ErrorIs(t, openErr, session.ErrNoBrowser)
	require.Nil(t, in, "still waiting: the user can open the page by hand")
	si.Cancel()
	f.Settle(t)
	require.True(t, in.Cancelled())
	require.Equal(t, "Sign-in to dev cancelled.", in.Message)
	require.Empty(t, f.Notes(), "a cancel is not worth a notification")
}

// TestANotifierThatHangsDoesNotBlock: Fyne's SendNotification waits for the
// notification daemon without a timeout; the UI goroutine must not.
func TestANotifierThatHangsDoesNotBlock(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	release := make(chan struct{})
	var mu sync.Mutex
	var shown []string
	f.Session.Notify = func(title, body string) {
		<-release
		mu.Lock()
		shown = append(shown, body)
		mu.Unlock()
	}

	// A notifier called on the UI goroutine would hang this test: fail it
	// instead, and let the stuck goroutine go at the end.
	var first, second session.Result
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		first = copyNow(t, f, session.Request{Name: "dev"})
		second = copyNow(t, f, session.Request{Name: "dev", What: session.Header})
	}()
	select {
	case <-finished:
	case <-time.After(15 * time.Second):
		close(release)
		t.Fatal("the copies waited for the notifier")
	}
	require.NoError(t, first.Err)
	require.Equal(t, "Authorization: Bearer "+f.Cached(t, "dev").AccessToken, f.Clipboard.Text(), "both copies went through")
	require.False(t, f.Session.WaitNotified(10*time.Millisecond), "the notifier is still stuck")

	close(release)
	require.True(t, f.Session.WaitNotified(10*time.Second))
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{first.Message, second.Message}, shown, "shown later, in order")
}

func TestNotificationsCanBeTurnedOff(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	f.Session.SetNotifications(false)
	copyNow(t, f, session.Request{Name: "dev"})
	require.Empty(t, f.Notes())
	f.Session.Announce("tokentray", "Access token for dev expires in 4 min")
	require.Equal(t, []string{"tokentray: Access token for dev expires in 4 min"}, f.Notes(), "announcements have their own setting")
	f.Session.SetNotifications(true)
	res := copyNow(t, f, session.Request{Name: "dev"})
	require.Equal(t, "tokentray: "+res.Message, f.Notes()[1])
}

// errChanged is what the engine returns when a profile changed during its
// sign-in.
type errChanged struct{}

func (errChanged) Error() string { return "dev changed while you were signing in" }
func (errChanged) Is(target error) bool {
	return target == auth.ErrProfileChanged || target == auth.ErrNeedsLogin
}
