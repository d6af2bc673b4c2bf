package window

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
)

// addPublic adds a profile for the server's public client, not signed in.
func addPublic(t *testing.T, f *sessiontest.Fixture, name string) {
	t.Helper()
	_, err := f.Engine.AddProfile(context.Background(), f.PublicProfile(name))
	require.NoError(t, err)
}

// top is the dialog on top of w.
func top(t *testing.T, w fyne.Window) fyne.CanvasObject {
	t.Helper()
	o := w.Canvas().Overlays().Top()
	require.NotNil(t, o, "a dialog is open")
	return o
}

// requireSignedIn checks what a successful sign-in leaves behind: an active
// refresh token in the keychain, an active access token in the cache with a
// verified ID token, and the row and the inspector showing it.
func requireSignedIn(t *testing.T, f *sessiontest.Fixture, m *Main, name string) {
	t.Helper()
	tok := f.Cached(t, name)
	require.True(t, tok.IDTokenVerified)
	require.True(t, f.Server.Active(t, tok.AccessToken), "the cached access token is active at the server")
	rt, ok := f.Store.Secret(name, auth.SecretRefreshToken)
	require.True(t, ok)
	require.True(t, f.Server.Active(t, rt), "the stored refresh token is active at the server")

	f.AtLifetime(t, name, 30*time.Minute)
	m.Tick()
	r := rowOf(t, m, name)
	require.Equal(t, "0:30:00", cd(r.countdown))
	require.Equal(t, theme.Color(theme.ColorNameSuccess), r.stripe.FillColor)
	require.True(t, m.inspector.content.Visible())
	require.Equal(t, name, m.inspector.title.Text)
	require.Equal(t, IDClaimsVerified, m.inspector.idTitle.Text)
	require.Equal(t, testserver.DefaultSubject, m.inspector.subject.Text)
}

func TestSignInFromTheInspector(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, 30*time.Minute)
	f.Session.OpenURL = f.Browser()
	addPublic(t, f, "dev")
	m, w := open(t, f)

	r := rowOf(t, m, "dev")
	require.Equal(t, "sign in needed", cd(r.countdown))
	require.Equal(t, NoRefreshToken, r.detail.Text)
	m.Inspect("dev")
	signIn := button(t, m.inspector.content, LabelSignIn)
	require.Equal(t, widget.HighImportance, signIn.Importance, "signing in is the way forward")
	require.True(t, button(t, m.inspector.content, LabelSignOut).Disabled(), "nothing to sign out of")

	test.Tap(signIn)
	require.True(t, hasLabel(top(t, w), SignInTitle("dev")))
	f.Settle(t)

	opened := f.Opened()
	require.Len(t, opened, 1, "the browser was asked to open one page")
	require.Contains(t, opened[0], "code_challenge_method=S256")
	require.Contains(t, opened[0], "client_id="+testserver.PublicClientID)
	d := m.signIn
	require.Equal(t, "The issuer sends you back to "+redirectURI(t, opened[0])+".", d.page.Text)

	want := "Signed in to dev — access token valid " + f.Left(t, "dev") + "; ID token signature verified."
	require.Equal(t, want, d.status.Text)
	require.Equal(t, want, m.status.Text)
	require.Equal(t, "tokentray: "+want, f.Notes()[len(f.Notes())-1])
	requireSignedIn(t, f, m, "dev")
	require.False(t, button(t, m.inspector.content, LabelSignOut).Disabled())
	require.Equal(t, widget.HighImportance, button(t, m.inspector.content, LabelRefreshCopy).Importance)

	test.Tap(button(t, top(t, w), LabelClose))
	require.Nil(t, w.Canvas().Overlays().Top(), "Close closes the dialog")

	t.Run("a refreshed ID token is not verified", func(t *testing.T) {
		test.Tap(button(t, m.inspector.content, LabelRefreshCopy))
		f.Settle(t)
		require.False(t, f.Cached(t, "dev").IDTokenVerified)
		require.Equal(t, IDClaimsUnverified, m.inspector.idTitle.Text)
	})
}

func redirectURI(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	require.NoError(t, err)
	return u.Query().Get("redirect_uri")
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestEditorCallbackPort(t *testing.T) {
	f := sessiontest.New(t)
	m, _ := open(t, f)
	m.AddProfile()
	e := m.editor
	require.Equal(t, "A free port for each sign-in: http://127.0.0.1:<port>/callback. Fix one if the issuer matches callback URLs exactly (Auth0).", e.callbackHint.Text)
	for _, tc := range []struct{ port, hint, msg string }{
		{"8484", "Allowed Callback URLs: http://127.0.0.1:8484/callback", ""},
		{"65535", "Allowed Callback URLs: http://127.0.0.1:65535/callback", ""},
		{"0", "A free port for each sign-in: http://127.0.0.1:<port>/callback. Fix one if the issuer matches callback URLs exactly (Auth0).", ""},
		{"80", "", "Callback port 80 is out of range: use 1024 to 65535, or empty for any free port."},
		{"65536", "", "Callback port 65536 is out of range: use 1024 to 65535, or empty for any free port."},
		{"http", "", "Callback port must be a number: 1024 to 65535, or empty for any free port."},
	} {
		t.Run(tc.port, func(t *testing.T) {
			e.callbackPort.SetText("")
			test.Type(e.callbackPort, tc.port)
			require.Equal(t, tc.hint, e.callbackHint.Text)
			require.Equal(t, tc.msg, e.callbackMsg.Text)
			_, ok := e.validate()
			if tc.msg != "" {
				require.False(t, ok)
			}
		})
	}
	t.Run("a wrong port is not saved", func(t *testing.T) {
		test.Type(e.name, "dev")
		test.Type(e.where, "dev.auth0.com")
		test.Type(e.clientID, "c")
		e.callbackPort.SetText("80")
		test.Tap(e.saveBtn)
		f.Settle(t)
		names, err := f.Engine.Names(context.Background())
		require.NoError(t, err)
		require.Empty(t, names)
		require.Equal(t, "Fix the fields marked above, then save again.", e.formMsg.Text)
	})
	t.Run("a token URL cannot sign in", func(t *testing.T) {
		e.kind.SetSelected(KindTokenURL)
		require.True(t, e.signInBtn.Disabled())
		e.kind.SetSelected(KindIssuer)
		require.False(t, e.signInBtn.Disabled())
	})
}

func TestSignInFromTheEditor(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.Session.OpenURL = f.Browser()
	m, _ := open(t, f)
	port := freePort(t)

	m.AddProfile()
	e := m.editor
	test.Type(e.name, "dev")
	e.kind.SetSelected(KindIssuer)
	test.Type(e.where, srv.Issuer)
	test.Type(e.clientID, testserver.PublicClientID)
	e.method.SetSelected(MethodNone)
	test.Type(e.audience, testserver.APIAudience)
	test.Type(e.scope, "read:things")
	test.Type(e.callbackPort, strconv.Itoa(port))
	require.Equal(t, "Allowed Callback URLs: "+auth.CallbackURL(port), e.callbackHint.Text)

	test.Tap(button(t, e.content, LabelSaveSignIn))
	f.Settle(t)

	p, err := f.Engine.Profile(context.Background(), "dev")
	require.NoError(t, err)
	require.Equal(t, port, p.CallbackPort, "the port is saved with the profile")
	require.Equal(t, []string{auth.CallbackURL(port)}, []string{redirectURI(t, f.Opened()[0])}, "the sign-in used the fixed port")
	require.Equal(t, "Signed in to dev — access token valid "+f.Left(t, "dev")+"; ID token signature verified.", m.status.Text)
	requireSignedIn(t, f, m, "dev")

	t.Run("editing shows the stored port", func(t *testing.T) {
		test.Tap(button(t, m.inspector.content, LabelEdit))
		f.Settle(t)
		require.Equal(t, strconv.Itoa(port), e.callbackPort.Text)
		require.Equal(t, "Allowed Callback URLs: "+auth.CallbackURL(port), e.callbackHint.Text)
	})
}

func TestSignInCancelled(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, 30*time.Minute)
	pages := &recorder{} // a browser nobody uses
	f.Session.OpenURL = pages.open
	addPublic(t, f, "dev")
	m, w := open(t, f)

	m.SignIn("dev", false)
	f.SettleUntil(t, func() bool { return m.signIn.status.Text == "Waiting for the browser…" })
	require.Len(t, pages.get(), 1)
	require.False(t, m.signIn.copyBtn.Disabled())

	t.Run("copy the link", func(t *testing.T) {
		test.Tap(button(t, top(t, w), LabelCopyLink))
		f.SettleUntil(t, func() bool { return f.Clipboard.Text() != "" })
		require.Equal(t, pages.get()[0], f.Clipboard.Text())
	})

	test.Tap(button(t, top(t, w), LabelCancel))
	require.Nil(t, w.Canvas().Overlays().Top(), "Cancel closes the dialog at once")
	f.Settle(t)
	require.Equal(t, "Sign-in to dev cancelled.", m.status.Text)
	_, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.False(t, ok, "nothing stored")
	// The loopback listener is gone: a late answer from the browser finds nobody.
	_, err := http.Get(redirectURI(t, pages.get()[0]) + "?code=x&state=y")
	require.Error(t, err)
	require.Equal(t, "sign in needed", cd(rowOf(t, m, "dev").countdown))
}

// recorder is a browser that only notes the pages it is asked to open.
type recorder struct {
	mu    sync.Mutex
	pages []string
}

func (r *recorder) open(u *url.URL) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, u.String())
	return nil
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.pages...)
}

// deviceDialog starts a device sign-in from the browser one's switch and
// waits for the code.
func deviceDialog(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) *signInDialog {
	t.Helper()
	f.Session.OpenURL = (&recorder{}).open
	m.Inspect("dev")
	test.Tap(button(t, m.inspector.content, LabelSignIn))
	browser := m.signIn
	f.SettleUntil(t, func() bool { return browser.authURL != "" })
	test.Tap(button(t, top(t, w), LabelUseCode))
	d := m.signIn
	require.NotSame(t, browser, d)
	require.True(t, d.device)
	require.True(t, hasLabel(top(t, w), SignInTitle("dev")))
	f.SettleUntil(t, func() bool { return d.codeLabel.Text != "" })
	return d
}

func TestDeviceSignIn(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.ServeWith(t, testserver.Options{AccessTTL: 30 * time.Minute, DeviceInterval: time.Second})
	addPublic(t, f, "dev")
	m, w := open(t, f)
	d := deviceDialog(t, f, m, w)

	code := d.codeLabel.Text
	require.Regexp(t, `^[A-Z]{4}-?[A-Z]{4}$`, code)
	require.Equal(t, theme.SizeNameHeadingText, d.codeLabel.SizeName, "the code in large type")
	require.Equal(t, d.code.VerificationURI, d.page.Text)
	require.True(t, strings.HasPrefix(d.page.Text, srv.Issuer), d.page.Text)

	t.Run("copy and open", func(t *testing.T) {
		test.Tap(button(t, top(t, w), LabelCopyCode))
		opened := &recorder{}
		f.Session.OpenURL = opened.open
		test.Tap(button(t, top(t, w), LabelOpenPage))
		f.SettleUntil(t, func() bool { return len(opened.get()) == 1 && f.Clipboard.Text() != "" })
		require.Equal(t, code, f.Clipboard.Text())
		require.Equal(t, []string{d.code.VerificationURIComplete}, opened.get(), "the page with the code filled in")
		require.Contains(t, opened.get()[0], "user_code=")
	})
	t.Run("the time left ticks", func(t *testing.T) {
		f.Clock.Set(d.code.ExpiresAt.Add(-5 * time.Minute))
		m.Tick()
		require.Equal(t, "Waiting for approval… 5:00 left", d.status.Text)
		f.Clock.Advance(time.Second)
		m.Tick()
		require.Equal(t, "Waiting for approval… 4:59 left", d.status.Text)
		f.Clock.Set(time.Now())
	})

	srv.ApproveDevice(t, code, false)
	f.Settle(t)
	require.Equal(t, "Signed in to dev — access token valid "+f.Left(t, "dev")+"; ID token signature verified.", d.status.Text)
	require.Equal(t, d.status.Text, m.status.Text, "not overwritten by the cancelled browser sign-in")
	require.False(t, d.tryAgainBtn.Visible())
	requireSignedIn(t, f, m, "dev")
}

func TestDeviceSignInDenied(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.ServeWith(t, testserver.Options{AccessTTL: 30 * time.Minute, DeviceInterval: time.Second})
	addPublic(t, f, "dev")
	m, w := open(t, f)
	d := deviceDialog(t, f, m, w)

	srv.ApproveDevice(t, d.codeLabel.Text, true)
	f.Settle(t)
	require.Equal(t, "Could not sign in to dev. The sign-in was denied, in the browser or on the verification page: sign in again to retry.", d.status.Text)
	require.Equal(t, widget.DangerImportance, d.status.Importance)
	require.True(t, d.tryAgainBtn.Visible())
	require.Equal(t, LabelClose, d.cancelBtn.Text)
	_, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.False(t, ok, "nothing stored")
	require.Equal(t, NoRefreshToken, rowOf(t, m, "dev").detail.Text, "the row is as before: a denial is no error of the profile")

	t.Run("try again asks for a new code", func(t *testing.T) {
		test.Tap(button(t, top(t, w), LabelTryAgain))
		again := m.signIn
		require.NotSame(t, d, again)
		f.SettleUntil(t, func() bool { return again.codeLabel.Text != "" })
		require.NotEqual(t, d.codeLabel.Text, again.codeLabel.Text)
		test.Tap(button(t, top(t, w), LabelCancel))
		f.Settle(t)
		require.Equal(t, "Sign-in to dev cancelled.", m.status.Text)
	})
}

func TestDeviceCodeExpires(t *testing.T) {
	f := sessiontest.New(t)
	f.ServeWith(t, testserver.Options{AccessTTL: 30 * time.Minute, DeviceInterval: time.Second, DeviceTTL: 2 * time.Second})
	addPublic(t, f, "dev")
	m, w := open(t, f)
	d := deviceDialog(t, f, m, w)
	f.Settle(t)
	require.Equal(t, "Could not sign in to dev. The code expired before it was approved: start the sign-in again.", d.status.Text)
	require.True(t, d.tryAgainBtn.Visible())
}

func TestSignOut(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.SignIn(t, "dev")
	m, w := open(t, f)
	test.Tap(rowOf(t, m, "dev").button)
	f.Settle(t)
	rt, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)
	require.True(t, srv.Active(t, rt))

	m.Inspect("dev")
	test.Tap(button(t, m.inspector.content, LabelSignOut))
	require.True(t, hasLabel(top(t, w), SignOutTitle("dev")))
	test.Tap(button(t, top(t, w), "Keep"))
	f.Settle(t)
	require.True(t, srv.Active(t, rt), "Keep changes nothing")

	test.Tap(button(t, m.inspector.content, LabelSignOut))
	test.Tap(button(t, top(t, w), "Sign out"))
	f.Settle(t)
	require.False(t, srv.Active(t, rt), "the server says the refresh token is inactive")
	_, ok = f.Store.Secret("dev", auth.SecretRefreshToken)
	require.False(t, ok)
	_, ok = f.Store.Secret("dev", auth.SecretTokenCache)
	require.False(t, ok)
	require.Equal(t, "Signed out of dev: the issuer revoked the refresh token and the tokens were removed from the keychain.", m.status.Text)
	r := rowOf(t, m, "dev")
	require.Equal(t, "sign in needed", cd(r.countdown))
	require.Equal(t, NoRefreshToken, r.detail.Text)
	require.True(t, button(t, m.inspector.content, LabelSignOut).Disabled())
	_, err := f.Engine.Profile(context.Background(), "dev")
	require.NoError(t, err, "the profile stays")
}

func TestSignOutWhenRevocationFails(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	// A bare token URL: the issuer's token endpoint works, but tokentray
	// knows no revocation endpoint for it.
	ctx := context.Background()
	_, err := f.Engine.AddProfile(ctx, auth.Profile{Name: "dev", TokenURL: srv.TokenURL, ClientID: testserver.PostClientID,
		ClientSecret: testserver.PostClientSecret, AuthMethod: auth.AuthPost})
	require.NoError(t, err)
	rt := srv.Mint(t, testserver.PostClientID, "openid offline_access read:things", testserver.APIAudience)
	require.NoError(t, f.Engine.SetRefreshToken(ctx, "dev", rt))
	m, w := open(t, f)
	m.Inspect("dev")
	require.True(t, button(t, m.inspector.content, LabelSignIn).Disabled(), "a token URL has nothing to sign in with")

	signOut := func() {
		test.Tap(button(t, m.inspector.content, LabelSignOut))
		test.Tap(button(t, top(t, w), "Sign out"))
		f.Settle(t)
	}
	signOut()
	require.True(t, hasLabel(top(t, w), RevocationTitle("dev")), "a dialog explains")
	want := "Not signed out of dev: the refresh token was not revoked: the issuer has no revocation endpoint. The tokens were kept."
	require.Equal(t, want, m.status.Text)
	stored, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)
	require.Equal(t, rt, stored, "the tokens were kept")

	test.Tap(button(t, top(t, w), LabelKeepTokens))
	_, ok = f.Store.Secret("dev", auth.SecretRefreshToken)
	require.True(t, ok)

	signOut()
	test.Tap(button(t, top(t, w), LabelRemoveLocal))
	f.Settle(t)
	_, ok = f.Store.Secret("dev", auth.SecretRefreshToken)
	require.False(t, ok, "removed locally")
	require.True(t, srv.Active(t, rt), "and, honestly, still valid at the issuer")
	require.Equal(t, "Removed the tokens of dev from the keychain, but the issuer did not revoke the refresh token: it may stay valid until it expires.", m.status.Text)
	r := rowOf(t, m, "dev")
	require.Equal(t, "sign in needed", cd(r.countdown))
	require.Equal(t, NoRefreshTokenPaste, r.detail.Text)
}
