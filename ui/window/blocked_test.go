package window

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session/sessiontest"
	"github.com/tokentray/tokentray/ui/tray"
)

// returns runs a tap as Fyne would, on the goroutine standing for the UI's,
// and fails unless it returns while the keychain is blocked. The tap runs on
// a goroutine of its own only so that a tap that does wait fails the test
// instead of hanging it; the channel orders it before everything after.
func returns(t *testing.T, tap func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tap()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the tap waited for the keychain: keychain work on the UI goroutine")
	}
}

// TestNoKeychainWorkOnTheUIGoroutine: a keychain that does not answer (an
// unlock prompt) must never freeze the window or the tray: every action
// returns at once and finishes once the keychain answers.
func TestNoKeychainWorkOnTheUIGoroutine(t *testing.T) {
	for _, tc := range []struct {
		name string
		// prepare gets the window to the tap, with the keychain answering.
		prepare func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window)
		// tap is the action, done while the keychain is blocked.
		tap func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray)
		// outcome checks what the action did once the keychain answered.
		outcome func(t *testing.T, f *sessiontest.Fixture, m *Main)
	}{
		{
			name: "copy",
			prepare: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) {
				test.Tap(rowOf(t, m, "dev").button) // a token to copy
				f.Settle(t)
				require.NoError(t, f.Clipboard.WriteAll(""))
				m.Inspect("dev")
			},
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				test.Tap(button(t, m.inspector.content, LabelCopy))
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				require.Equal(t, f.Cached(t, "dev").AccessToken, f.Clipboard.Text())
			},
		},
		{
			name:    "edit",
			prepare: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) { m.Inspect("dev") },
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				test.Tap(button(t, m.inspector.content, LabelEdit))
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				require.True(t, m.editor.content.Visible())
				require.Equal(t, "Edit dev", m.editor.title.Text)
			},
		},
		{
			name: "save",
			prepare: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) {
				m.AddProfile()
				test.Type(m.editor.name, "new")
				test.Type(m.editor.where, "new.auth0.com")
				test.Type(m.editor.clientID, "c")
			},
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				test.Tap(m.editor.saveBtn)
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				_, err := f.Engine.Profile(context.Background(), "new")
				require.NoError(t, err)
				require.Equal(t, "Saved new.", m.status.Text)
			},
		},
		{
			name: "delete",
			prepare: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) {
				m.Inspect("dev")
				test.Tap(button(t, m.inspector.content, LabelDelete))
			},
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				test.Tap(button(t, top(t, w), "Delete"))
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				names, err := f.Engine.Names(context.Background())
				require.NoError(t, err)
				require.Empty(t, names)
			},
		},
		{
			name: "sign out",
			prepare: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) {
				m.Inspect("dev")
				test.Tap(button(t, m.inspector.content, LabelSignOut))
			},
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				test.Tap(button(t, top(t, w), "Sign out"))
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				_, ok := f.Store.Secret("dev", auth.SecretRefreshToken)
				require.False(t, ok, "signed out")
			},
		},
		{
			name: "reload",
			prepare: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window) {
				f.SignIn(t, "prod") // not shown until a reload: no watcher ran yet
			},
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				m.Reload()
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				require.Len(t, m.Rows(), 2)
			},
		},
		{
			name: "tray click",
			tap: func(t *testing.T, f *sessiontest.Fixture, m *Main, w fyne.Window, tr *tray.Tray) {
				tr.Menu().Items[0].Action()
			},
			outcome: func(t *testing.T, f *sessiontest.Fixture, m *Main) {
				require.Equal(t, f.Cached(t, "dev").AccessToken, f.Clipboard.Text())
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sessiontest.New(t)
			f.Serve(t, 30*time.Minute)
			f.SignIn(t, "dev")
			m, w := open(t, f)
			tr := &tray.Tray{Session: f.Session, Now: f.Clock.Now}
			tr.Start()
			f.Settle(t)
			if tc.prepare != nil {
				tc.prepare(t, f, m, w)
				f.Settle(t)
			}
			f.Store.ResetReads()

			release := f.Store.Block()
			t.Cleanup(release)
			returns(t, func() { tc.tap(t, f, m, w, tr) })
			require.Positive(t, f.Loop.Pending(), "the work waits for the keychain, in the background")
			release()
			f.Settle(t)
			require.NotEmpty(t, f.Store.Reads(), "the action did use the keychain")
			tc.outcome(t, f, m)
		})
	}
}
