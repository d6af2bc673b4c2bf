package window

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
	"github.com/tokentray/tokentray/ui/widgets"
)

// open shows a Main for f in a test window and loads the profiles.
func open(t *testing.T, f *sessiontest.Fixture) (*Main, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	m := New(f.Session, f.Clock.Now, w)
	w.SetContent(m.Content())
	w.Resize(fyne.NewSize(1100, 700))
	m.Start()
	f.Settle(t)
	return m, w
}

// rowViews returns the row widgets the list has laid out.
func rowViews(m *Main) map[string]*rowView {
	out := map[string]*rowView{}
	for _, o := range test.LaidOutObjects(m.list.list) {
		if r, ok := o.(*rowView); ok && r.Visible() && r.name != "" {
			out[r.name] = r
		}
	}
	return out
}

func rowOf(t *testing.T, m *Main, name string) *rowView {
	t.Helper()
	r, ok := rowViews(m)[name]
	require.True(t, ok, "row %s is on screen", name)
	return r
}

// button finds a visible button by its text inside o.
func button(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, c := range test.LaidOutObjects(o) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

// cache stores a cached token for name directly in the store.
func cache(t *testing.T, f *sessiontest.Fixture, name string, tok auth.Token) {
	t.Helper()
	b, err := json.Marshal(tok)
	require.NoError(t, err)
	require.NoError(t, f.Store.SaveSecret(context.Background(), name, auth.SecretTokenCache, string(b)))
}

func addDomainProfile(t *testing.T, f *sessiontest.Fixture, name string) {
	t.Helper()
	_, err := f.Engine.AddProfile(context.Background(), auth.Profile{Name: name, Domain: name + ".eu.auth0.com", ClientID: "c"})
	require.NoError(t, err)
	require.NoError(t, f.Store.SaveSecret(context.Background(), name, auth.SecretRefreshToken, "rt"))
}

func TestListRendersManyProfiles(t *testing.T) {
	f := sessiontest.New(t)
	now := f.Clock.Now()
	for i := range 200 {
		name := fmt.Sprintf("p%03d", i)
		addDomainProfile(t, f, name)
		cache(t, f, name, auth.Token{AccessToken: "at", ObtainedAt: now, Expiry: now.Add(time.Duration(i+1) * time.Minute)})
	}
	m, _ := open(t, f)
	require.Len(t, m.Rows(), 200)
	require.Equal(t, 200, m.list.list.Length())

	shown := rowViews(m)
	require.Less(t, len(shown), 40, "only visible rows exist as widgets")
	first := rowOf(t, m, "p000")
	require.Equal(t, "p000", first.title.Text)
	require.Equal(t, "p000.eu.auth0.com", first.detail.Text)
	require.Equal(t, "0:01:00", cd(first.countdown))
	require.Equal(t, theme.Color(theme.ColorNameWarning), first.stripe.FillColor)
	require.Equal(t, "0:06:00", cd(rowOf(t, m, "p005").countdown))

	t.Run("ticks every second", func(t *testing.T) {
		f.Clock.Advance(time.Second)
		m.Tick()
		require.Equal(t, "0:00:59", cd(rowOf(t, m, "p000").countdown))
		require.Equal(t, "0:05:59", cd(rowOf(t, m, "p005").countdown))
		f.Clock.Advance(59 * time.Second)
		m.Tick()
		require.Equal(t, "expired", cd(rowOf(t, m, "p000").countdown))
	})
	t.Run("scrolls to the last", func(t *testing.T) {
		m.list.list.ScrollToBottom()
		last := rowOf(t, m, "p199")
		require.Equal(t, "p199.eu.auth0.com", last.detail.Text)
		require.Equal(t, "3:19:00", cd(last.countdown))
		require.Less(t, len(rowViews(m)), 40)
	})
}

// cd is the text a countdown draws.
func cd(c *widgets.Countdown) string {
	for _, o := range test.WidgetRenderer(c).Objects() {
		if t, ok := o.(*canvas.Text); ok {
			return t.Text
		}
	}
	return ""
}

func TestRefreshAndCopy(t *testing.T) {
	f := sessiontest.New(t)
	srv := f.Serve(t, 30*time.Minute)
	f.SignIn(t, "dev")
	m, _ := open(t, f)
	r := rowOf(t, m, "dev")
	require.Equal(t, "no token yet", cd(r.countdown))
	require.Equal(t, srv.Issuer, r.detail.Text)

	test.Tap(r.button)
	require.True(t, r.spinner.Visible(), "a spinner while it works")
	require.True(t, r.button.Disabled())
	f.Settle(t)

	tok := f.Clipboard.Text()
	require.Equal(t, f.Cached(t, "dev").AccessToken, tok, "the clipboard holds the engine's token")
	require.True(t, srv.Active(t, tok))
	require.Equal(t, "Access token for dev copied — valid "+f.Left(t, "dev"), m.status.Text)
	r = rowOf(t, m, "dev")
	require.False(t, r.spinner.Visible())
	require.False(t, r.button.Disabled())
	f.AtLifetime(t, "dev", 30*time.Minute)
	m.Tick()
	r = rowOf(t, m, "dev")
	require.Equal(t, "0:30:00", cd(r.countdown))
	require.Equal(t, theme.Color(theme.ColorNameSuccess), r.stripe.FillColor)

	test.Tap(rowOf(t, m, "dev").button)
	f.Settle(t)
	require.NotEqual(t, tok, f.Clipboard.Text(), "Refresh & copy always refreshes")
	require.True(t, srv.Active(t, f.Clipboard.Text()))
}

func TestErrorStates(t *testing.T) {
	f := sessiontest.New(t)
	f.Serve(t, time.Hour)
	f.SignIn(t, "dev")
	require.NoError(t, f.Engine.SetRefreshToken(context.Background(), "dev", "made-up"))

	// An issuer that hangs until released, then fails with an HTML 502.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html>bad gateway</html>")
	}))
	defer slow.Close()
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	_, err := f.Engine.AddProfile(context.Background(), auth.Profile{Name: "slow", TokenURL: slow.URL + "/oauth/token", ClientID: testserver.PublicClientID})
	require.NoError(t, err)
	require.NoError(t, f.Engine.SetRefreshToken(context.Background(), "slow", "rt"))

	m, _ := open(t, f)

	t.Run("rejected refresh token", func(t *testing.T) {
		test.Tap(rowOf(t, m, "dev").button)
		f.Settle(t)
		r := rowOf(t, m, "dev")
		require.Equal(t, "sign in needed", cd(r.countdown))
		require.Equal(t, "Sign in needed: use Sign in…", r.detail.Text)
		require.Equal(t, widget.DangerImportance, r.detail.Importance)
		require.Equal(t, theme.Color(theme.ColorNamePrimary), r.stripe.FillColor)
		require.Contains(t, m.status.Text, "Could not copy the access token for dev")
	})

	t.Run("a hanging issuer never blocks the window", func(t *testing.T) {
		test.Tap(rowOf(t, m, "slow").button)
		require.Equal(t, 1, f.Loop.Pending(), "the refresh runs in the background")
		require.True(t, rowOf(t, m, "slow").spinner.Visible())
		// The UI goroutine is free: other rows still work and tick.
		f.Clock.Advance(time.Second)
		m.Tick()
		m.Inspect("dev")
		require.Equal(t, "dev", m.inspector.title.Text)

		close(release)
		f.Settle(t)
		r := rowOf(t, m, "slow")
		require.False(t, r.spinner.Visible())
		require.Equal(t, "error", cd(r.countdown))
		require.Equal(t, "Issuer unreachable: retry later", r.detail.Text)
		require.Equal(t, theme.Color(theme.ColorNameError), r.stripe.FillColor)
	})

	t.Run("locked keychain", func(t *testing.T) {
		f.Store.SetErr(fmt.Errorf("keychain: %w", auth.ErrKeychainLocked))
		defer f.Store.SetErr(nil)
		m.Reload()
		f.Settle(t)
		require.Equal(t, "The keychain is locked: unlock your login keyring, then try again.", m.status.Text)
	})
}

// TestAReloadLeavesTheEditorAlone: reloads come at any time (a copy from
// the tray, the periodic tick, showing the window) and must not take the
// user out of the editor, lose what they typed or scroll the list.
func TestAReloadLeavesTheEditorAlone(t *testing.T) {
	reloads := map[string]func(t *testing.T, f *sessiontest.Fixture, m *Main){
		"explicit reload": func(t *testing.T, f *sessiontest.Fixture, m *Main) { m.Reload() },
		"another profile changed": func(t *testing.T, f *sessiontest.Fixture, m *Main) {
			require.NoError(t, f.Engine.SetRefreshToken(context.Background(), "prod", "rt-2"))
		},
	}
	for name, reload := range reloads {
		t.Run("adding, after inspecting a profile: "+name, func(t *testing.T) {
			f := sessiontest.New(t)
			addDomainProfile(t, f, "dev")
			addDomainProfile(t, f, "prod")
			m, _ := open(t, f)
			m.Inspect("dev")
			m.AddProfile()
			test.Type(m.editor.name, "staging")
			reload(t, f, m)
			f.Settle(t)
			require.True(t, m.editor.content.Visible(), "the editor is still shown")
			require.False(t, m.inspector.content.Visible())
			require.Equal(t, "staging", m.editor.name.Text)
			require.Equal(t, "Add profile", m.editor.title.Text)
		})
		t.Run("editing: "+name, func(t *testing.T) {
			f := sessiontest.New(t)
			addDomainProfile(t, f, "dev")
			addDomainProfile(t, f, "prod")
			m, _ := open(t, f)
			m.Inspect("dev")
			test.Tap(button(t, m.inspector.content, LabelEdit))
			f.Settle(t)
			test.Type(m.editor.audience, "https://api.example.com")
			reload(t, f, m)
			f.Settle(t)
			require.True(t, m.editor.content.Visible(), "the editor is still shown")
			require.Equal(t, "https://api.example.com", m.editor.audience.Text)
			require.Equal(t, "Edit dev", m.editor.title.Text)
		})
	}
	t.Run("a reload does not scroll", func(t *testing.T) {
		f := sessiontest.New(t)
		for i := range 60 {
			addDomainProfile(t, f, fmt.Sprintf("p%02d", i))
		}
		m, _ := open(t, f)
		m.Inspect("p50")
		require.Positive(t, m.list.list.GetScrollOffset(), "Inspect scrolls to the profile")
		m.list.list.ScrollToTop()
		m.Reload()
		f.Settle(t)
		require.Zero(t, m.list.list.GetScrollOffset())
		require.Equal(t, "p50", m.inspector.title.Text)
	})
}
