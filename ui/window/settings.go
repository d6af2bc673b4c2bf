package window

import (
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/autostart"
	"github.com/tokentray/tokentray/ui/clipboard"
	"github.com/tokentray/tokentray/ui/text"
)

// Preference keys (Fyne preferences: nothing secret is ever stored there).
const (
	PrefMargin         = "margin_seconds"
	PrefAutoClear      = "autoclear_seconds"
	PrefNotifications  = "notifications"
	PrefNotifyExpiring = "notify_expiring"
	PrefStartHidden    = "start_hidden"
)

// Prefs are the user's settings.
type Prefs struct {
	Margin         time.Duration // refresh when less than this is left
	AutoClear      time.Duration // wipe a copied token from the clipboard after this; 0: never
	Notifications  bool          // notify copies and failures
	NotifyExpiring bool          // notify when a token has 5 minutes left
	StartHidden    bool          // start in the tray without showing the window
}

// LoadPrefs reads the settings, with defaults for what was never set.
func LoadPrefs(p fyne.Preferences) Prefs {
	return Prefs{
		Margin:         time.Duration(p.IntWithFallback(PrefMargin, int(auth.DefaultMargin/time.Second))) * time.Second,
		AutoClear:      time.Duration(p.IntWithFallback(PrefAutoClear, int(clipboard.DefaultClearAfter/time.Second))) * time.Second,
		Notifications:  p.BoolWithFallback(PrefNotifications, true),
		NotifyExpiring: p.BoolWithFallback(PrefNotifyExpiring, false),
		StartHidden:    p.BoolWithFallback(PrefStartHidden, false),
	}
}

// Save writes the settings.
func (s Prefs) Save(p fyne.Preferences) {
	p.SetInt(PrefMargin, int(s.Margin/time.Second))
	p.SetInt(PrefAutoClear, int(s.AutoClear/time.Second))
	p.SetBool(PrefNotifications, s.Notifications)
	p.SetBool(PrefNotifyExpiring, s.NotifyExpiring)
	p.SetBool(PrefStartHidden, s.StartHidden)
}

var (
	margins    = []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute}
	autoClears = []time.Duration{0, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}
)

func durationLabel(d time.Duration) string {
	if d == 0 {
		return "Never"
	}
	return text.Duration(d)
}

func durationSelect(options []time.Duration, current time.Duration) *widget.Select {
	labels := make([]string, 0, len(options)+1)
	found := false
	for _, d := range options {
		labels = append(labels, durationLabel(d))
		found = found || d == current
	}
	if !found {
		labels = append(labels, durationLabel(current))
	}
	s := widget.NewSelect(labels, nil)
	s.SetSelected(durationLabel(current))
	return s
}

func selectedDuration(s *widget.Select, options []time.Duration, fallback time.Duration) time.Duration {
	for _, d := range options {
		if durationLabel(d) == s.Selected {
			return d
		}
	}
	return fallback
}

// settingsForm is the settings form.
type settingsForm struct {
	prefs Prefs

	margin         *widget.Select
	autoClear      *widget.Select
	notifications  *widget.Check
	notifyExpiring *widget.Check
	startHidden    *widget.Check
	// startAtLogin is not a preference but the login session's own setting
	// (ui/autostart): it is read when the form opens and written on Save.
	startAtLogin *widget.Check

	content fyne.CanvasObject
}

// newSettingsForm returns the form showing p.
func newSettingsForm(p Prefs) *settingsForm {
	s := &settingsForm{prefs: p}
	s.margin = durationSelect(margins, p.Margin)
	s.autoClear = durationSelect(autoClears, p.AutoClear)
	s.notifications = widget.NewCheck("Notify when a token is copied or a refresh fails", nil)
	s.notifications.SetChecked(p.Notifications)
	s.notifyExpiring = widget.NewCheck("Notify 5 minutes before a token expires", nil)
	s.notifyExpiring.SetChecked(p.NotifyExpiring)
	s.startHidden = widget.NewCheck("Start hidden in the tray", nil)
	s.startHidden.SetChecked(p.StartHidden)
	s.startAtLogin = widget.NewCheck("Start at login (hidden in the tray)", nil)
	on, _ := autostart.Enabled()
	s.startAtLogin.SetChecked(on)
	s.content = container.NewVBox(
		container.New(layout.NewFormLayout(),
			key("Refresh when less than"), s.margin,
			key("Clear copied tokens after"), s.autoClear,
		),
		s.notifications, s.notifyExpiring, s.startHidden, s.startAtLogin,
	)
	return s
}

// chosen returns the settings as the form shows them.
func (s *settingsForm) chosen() Prefs {
	return Prefs{
		Margin:         selectedDuration(s.margin, margins, s.prefs.Margin),
		AutoClear:      selectedDuration(s.autoClear, autoClears, s.prefs.AutoClear),
		Notifications:  s.notifications.Checked,
		NotifyExpiring: s.notifyExpiring.Checked,
		StartHidden:    s.startHidden.Checked,
	}
}

// ShowSettings opens the settings dialog on win; Save writes them to store
// and hands them to onSave.
func ShowSettings(win fyne.Window, store fyne.Preferences, onSave func(Prefs)) {
	showSettings(win, store, onSave)
}

// showSettings is ShowSettings, returning the form (for tests).
func showSettings(win fyne.Window, store fyne.Preferences, onSave func(Prefs)) *settingsForm {
	s := newSettingsForm(LoadPrefs(store))
	d := dialog.NewCustomConfirm("Settings", "Save", "Cancel", s.content, func(ok bool) {
		if !ok {
			return
		}
		p := s.chosen()
		p.Save(store)
		if err := s.applyStartAtLogin(); err != nil {
			dialog.ShowError(err, win)
		}
		if onSave != nil {
			onSave(p)
		}
	}, win)
	d.Show()
	return s
}

// applyStartAtLogin writes the start-at-login setting when the form
// changed it: an entry starting this very executable, hidden.
func (s *settingsForm) applyStartAtLogin() error {
	on, err := autostart.Enabled()
	if err == nil && on == s.startAtLogin.Checked {
		return nil
	}
	if !s.startAtLogin.Checked {
		return autostart.Disable()
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	return autostart.Enable(self)
}
