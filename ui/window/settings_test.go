package window

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"
)

func TestSettingsRoundTrip(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(800, 600))
	store := a.Preferences()

	require.Equal(t, Prefs{Margin: time.Minute, AutoClear: time.Minute, Notifications: true}, LoadPrefs(store), "defaults: copies cleared after a minute")

	var saved *Prefs
	s := showSettings(w, store, func(p Prefs) { saved = &p })
	s.margin.SetSelected("5 min")
	s.autoClear.SetSelected("30 s")
	s.notifyExpiring.SetChecked(true)
	s.startHidden.SetChecked(true)
	test.Tap(button(t, w.Canvas().Overlays().Top(), "Save"))

	want := Prefs{Margin: 5 * time.Minute, AutoClear: 30 * time.Second, Notifications: true, NotifyExpiring: true, StartHidden: true}
	require.NotNil(t, saved)
	require.Equal(t, want, *saved)
	require.Equal(t, want, LoadPrefs(store), "stored in the preferences")
	require.Equal(t, 30, store.Int(PrefAutoClear))

	t.Run("cancel changes nothing", func(t *testing.T) {
		saved = nil
		s := showSettings(w, store, func(p Prefs) { saved = &p })
		require.Equal(t, "5 min", s.margin.Selected)
		s.autoClear.SetSelected("Never")
		test.Tap(button(t, w.Canvas().Overlays().Top(), "Cancel"))
		require.Nil(t, saved)
		require.Equal(t, want, LoadPrefs(store))
	})
}

// "Start at login" writes and removes the XDG autostart entry for this
// executable, started hidden.
func TestSettingsStartAtLogin(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	entry := filepath.Join(cfg, "autostart", "tokentray.desktop")
	a := test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(800, 600))

	s := showSettings(w, a.Preferences(), nil)
	require.False(t, s.startAtLogin.Checked)
	s.startAtLogin.SetChecked(true)
	test.Tap(button(t, w.Canvas().Overlays().Top(), "Save"))
	b, err := os.ReadFile(entry)
	require.NoError(t, err)
	self, _ := os.Executable()
	self, _ = filepath.EvalSymlinks(self)
	require.Contains(t, string(b), `Exec="`+self+`" --hidden`)

	s = showSettings(w, a.Preferences(), nil)
	require.True(t, s.startAtLogin.Checked, "the form shows what is set")
	s.startAtLogin.SetChecked(false)
	test.Tap(button(t, w.Canvas().Overlays().Top(), "Save"))
	_, err = os.Stat(entry)
	require.ErrorIs(t, err, os.ErrNotExist)
}
