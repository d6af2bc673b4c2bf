// Package window is tokentray's main window: the profile list with live
// countdowns, the inspector of the selected profile's token, the profile
// editor, the sign-in and sign-out dialogs and the settings. Each screen is a struct of its widgets, its
// dependencies and its on-handlers; keychain and network work goes through
// session.Session, off the UI goroutine. The package does not import
// fyne/v2/app, so fyne/v2/test drives it headless.
package window

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
)

// Title is the window's title.
const Title = "tokentray"

// LabelAdd is the toolbar button that opens the editor for a new profile.
const LabelAdd = "Add profile"

// Main is the main window's content. Its methods must be called on the UI
// goroutine.
type Main struct {
	session *session.Session
	clock   auth.Clock
	win     fyne.Window

	list      *profileList
	inspector *inspector
	editor    *editor

	empty   *widget.Label
	detail  *fyne.Container
	hint    *widget.Label
	status  *widget.Label
	content fyne.CanvasObject

	signIn *signInDialog // the last sign-in dialog, nil before the first
	pasted *pasted       // the last "Inspect a token…" dialog, nil before the first

	rows     []session.Row
	listErr  error
	selected string

	// OnSettings opens the settings; nil hides the button.
	OnSettings func()
}

// New builds the window's content for s. win is where dialogs appear.
func New(s *session.Session, clock auth.Clock, win fyne.Window) *Main {
	m := &Main{session: s, clock: clock, win: win}
	m.list = newList(clock)
	m.list.onSelect = m.showInspector
	m.list.onRefreshCopy = m.refreshCopy

	m.inspector = newInspector(clock)
	m.inspector.onRefreshCopy = m.refreshCopy
	m.inspector.onCopy = m.copy
	m.inspector.onEdit = m.edit
	m.inspector.onDelete = m.confirmDelete
	m.inspector.onSignIn = func(name string) { m.SignIn(name, false) }
	m.inspector.onSignOut = m.SignOut

	m.editor = newEditor(m.exists)
	m.editor.onSave = func(p auth.Profile, refreshToken string, adding bool) { m.save(p, refreshToken, adding, false) }
	m.editor.onSignIn = func(p auth.Profile, refreshToken string, adding bool) { m.save(p, refreshToken, adding, true) }
	m.editor.onCancel = func() { m.showInspector(m.selected) }

	m.empty = widget.NewLabel("Select a profile to inspect its token, or add one.")
	m.empty.Importance = widget.LowImportance
	m.detail = container.NewStack(container.NewCenter(m.empty), m.inspector.content, m.editor.content)
	m.show(nil)

	m.hint = widget.NewLabel("")
	m.hint.Importance = widget.WarningImportance
	m.hint.Wrapping = fyne.TextWrapWord
	m.hint.Hide()
	m.status = widget.NewLabel("")
	m.status.Truncation = fyne.TextTruncateEllipsis

	add := widget.NewButtonWithIcon(LabelAdd, theme.ContentAddIcon(), m.AddProfile)
	inspect := widget.NewButtonWithIcon(LabelInspectToken, theme.SearchIcon(), m.InspectToken)
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() {
		if m.OnSettings != nil {
			m.OnSettings()
		}
	})
	top := container.NewVBox(container.NewHBox(add, inspect, layout.NewSpacer(), settings), m.hint)
	split := container.NewHSplit(m.list.list, container.NewPadded(m.detail))
	split.SetOffset(0.5)
	m.content = container.NewBorder(top, m.status, nil, nil, split)
	return m
}

// Content is the window's content.
func (m *Main) Content() fyne.CanvasObject { return m.content }

// Rows are the profiles as last loaded.
func (m *Main) Rows() []session.Row { return m.rows }

// Start shows the profiles and follows the Session's rows, which change
// with every profile's change.
func (m *Main) Start() {
	m.session.Watch(func(string) { m.setRows(m.session.Rows()) })
	if m.session.Loaded() {
		m.setRows(m.session.Rows())
	} else {
		m.session.LoadOnce()
	}
}

// SetHint shows a one-line hint above the list ("" hides it).
func (m *Main) SetHint(text string) {
	m.hint.SetText(text)
	if text == "" {
		m.hint.Hide()
	} else {
		m.hint.Show()
	}
}

// Reload re-reads every profile's state off the UI goroutine (through the
// Session, which the tray shares); the window follows.
func (m *Main) Reload() { m.session.Reload() }

func (m *Main) setRows(rows []session.Row, err error) {
	m.rows, m.listErr = rows, err
	if err != nil {
		m.SetStatus(session.Problem(err))
	}
	m.list.set(rows, m.selected)
	if m.inspector.content.Visible() {
		if r, ok := m.row(m.selected); ok {
			m.inspector.show(r)
		} else {
			m.selected = ""
			m.show(nil)
		}
	}
}

// Tick advances the countdowns; the owner calls it every second while the
// window is visible.
func (m *Main) Tick() {
	m.list.list.Refresh()
	if m.inspector.content.Visible() {
		m.inspector.tick()
	}
	if m.signIn != nil {
		m.signIn.tick()
	}
}

// OnHidden is called by the owner when the window is hidden (closed to the
// tray): a revealed token is masked again, so it is not in clear the next
// time the window shows.
func (m *Main) OnHidden() {
	m.inspector.conceal()
}

// SetStatus shows a message in the status line.
func (m *Main) SetStatus(text string) { m.status.SetText(text) }

func (m *Main) row(name string) (session.Row, bool) {
	for _, r := range m.rows {
		if r.Name() == name {
			return r, true
		}
	}
	return session.Row{}, false
}

func (m *Main) exists(name string) bool {
	_, ok := m.row(name)
	return ok
}

// show makes one of the detail screens visible (nil: the placeholder).
func (m *Main) show(o fyne.CanvasObject) {
	for _, c := range []fyne.CanvasObject{m.inspector.content, m.editor.content} {
		if c == o {
			c.Show()
		} else {
			c.Hide()
		}
	}
	if o == nil {
		m.detail.Objects[0].Show()
	} else {
		m.detail.Objects[0].Hide()
	}
}

func (m *Main) showInspector(name string) {
	r, ok := m.row(name)
	if !ok {
		m.show(nil)
		return
	}
	m.selected = name
	m.inspector.show(r)
	m.show(m.inspector.content)
}

// Inspect selects the named profile and shows its token.
func (m *Main) Inspect(name string) {
	if i := m.list.index(name); i >= 0 {
		m.list.list.Select(i)
		m.list.list.ScrollTo(i)
	}
	m.showInspector(name)
}

// AddProfile opens the editor for a new profile.
func (m *Main) AddProfile() {
	// No profile is selected while adding one: reloads must not bring the
	// old selection back (and scroll to it).
	m.selected = ""
	m.list.unselect()
	m.editor.add()
	m.show(m.editor.content)
	m.win.Canvas().Focus(m.editor.name)
}

func (m *Main) refreshCopy(name string) {
	m.list.setBusy(name, true)
	m.inspector.refresh.Disable()
	m.session.Copy(session.Request{Name: name, What: session.AccessToken, Force: true}, func(res session.Result) {
		m.list.setBusy(name, false)
		m.inspector.refresh.Enable()
		m.SetStatus(res.Message)
	})
}

func (m *Main) copy(name string, what session.What) {
	m.session.Copy(session.Request{Name: name, What: what}, func(res session.Result) {
		m.SetStatus(res.Message)
	})
}

// edit loads the stored profile (client secret included) and opens the editor.
func (m *Main) edit(name string) {
	m.session.LoadProfile(name, func(p auth.Profile, err error) {
		if err != nil {
			m.SetStatus(session.Problem(err))
			return
		}
		m.editor.edit(p)
		m.show(m.editor.content)
	})
}

// save stores the editor's profile (and a pasted refresh token) and, with
// signIn, then signs in to it in the browser.
func (m *Main) save(p auth.Profile, refreshToken string, adding, signIn bool) {
	m.editor.saveBtn.Disable()
	m.session.SaveProfile(p, refreshToken, adding, func(res session.SaveResult) {
		m.editor.saveBtn.Enable()
		name := res.Profile.Name
		switch {
		case !res.Saved:
			m.editor.failed(res)
			return
		case res.Err != nil:
			// The profile exists now: storing the refresh token is what is
			// left, and trying again is an edit of it.
			m.selected = name
			m.editor.edit(res.Profile)
			m.editor.refreshToken.SetText(refreshToken)
			m.editor.failed(res)
			m.SetStatus(res.Message)
			return
		}
		m.SetStatus(res.Message)
		m.selected = name
		m.show(m.inspector.content)
		if signIn {
			m.SignIn(name, false)
		}
	})
}

// DeleteTitle is the confirmation dialog's title for a profile.
func DeleteTitle(name string) string { return "Delete " + name + "?" }

func (m *Main) confirmDelete(name string) {
	d := dialog.NewConfirm(DeleteTitle(name),
		"This removes the profile, its refresh token and its cached tokens from the keychain.\nThere is no undo.",
		func(ok bool) {
			if ok {
				m.remove(name)
			}
		}, m.win)
	d.SetConfirmText("Delete")
	d.SetConfirmImportance(widget.DangerImportance)
	d.SetDismissText("Keep")
	d.Show()
}

func (m *Main) remove(name string) {
	m.session.RemoveProfile(name, func(res session.RemoveResult) {
		m.SetStatus(res.Message)
		if res.Err != nil {
			return
		}
		if m.selected == name {
			m.selected = ""
			m.show(nil)
		}
	})
}
