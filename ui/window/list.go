package window

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/session"
	"github.com/tokentray/tokentray/ui/state"
	"github.com/tokentray/tokentray/ui/widgets"
)

// LabelRefreshCopy is the row button's text.
const LabelRefreshCopy = "Refresh & copy"

// What a row says when there is nothing to refresh with: sign in, or, for
// a profile with only a token URL (no sign-in endpoints), paste one.
const (
	NoRefreshToken      = "No refresh token: Sign in…"
	NoRefreshTokenPaste = "No refresh token: Edit… and paste one"
)

// profileList is the virtualised list of profiles: one row per profile with its
// name, where it gets tokens, a live countdown, the state colour and a
// "Refresh & copy" button. Only visible rows exist as widgets, so 200
// profiles cost what a screenful does.
type profileList struct {
	clock auth.Clock
	rows  []session.Row
	busy  map[string]bool
	// sel is the selected row's index, -1 for none; syncing is set while
	// set moves the selection to follow the rows, which is no user's choice
	// and must not open the inspector.
	sel     widget.ListItemID
	syncing bool

	list *widget.List

	onSelect      func(name string)
	onRefreshCopy func(name string)
}

func newList(clock auth.Clock) *profileList {
	l := &profileList{clock: clock, busy: map[string]bool{}, sel: -1}
	l.list = widget.NewList(
		func() int { return len(l.rows) },
		func() fyne.CanvasObject { return newRowView(l) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(l.rows) {
				r := l.rows[id]
				o.(*rowView).set(r, l.busy[r.Name()])
			}
		},
	)
	l.list.OnSelected = func(id widget.ListItemID) {
		l.sel = id
		if !l.syncing && id < len(l.rows) && l.onSelect != nil {
			l.onSelect(l.rows[id].Name())
		}
	}
	l.list.OnUnselected = func(id widget.ListItemID) {
		if l.sel == id {
			l.sel = -1
		}
	}
	return l
}

// set replaces the rows, keeping the selection on the same profile (none
// when selected is "" or gone). It neither opens the inspector nor
// scrolls: a reload must leave whatever the user is doing (the editor, a
// scrolled list) as it was.
func (l *profileList) set(rows []session.Row, selected string) {
	l.rows = rows
	l.syncing = true
	defer func() { l.syncing = false }()
	offset := l.list.GetScrollOffset()
	switch i := l.index(selected); {
	case i < 0:
		l.list.UnselectAll()
	case i != l.sel:
		l.list.Select(i) // scrolls to the row: undone below
	}
	l.list.Refresh()
	l.list.ScrollToOffset(offset)
}

// unselect clears the selection without telling anyone.
func (l *profileList) unselect() {
	l.syncing = true
	l.list.UnselectAll()
	l.syncing = false
}

func (l *profileList) index(name string) int {
	for i, r := range l.rows {
		if r.Name() == name {
			return i
		}
	}
	return -1
}

func (l *profileList) setBusy(name string, busy bool) {
	if busy {
		l.busy[name] = true
	} else {
		delete(l.busy, name)
	}
	if i := l.index(name); i >= 0 {
		l.list.RefreshItem(i)
	}
}

// rowView is one visible row; widget.List reuses it for other profiles as
// the list scrolls.
type rowView struct {
	widget.BaseWidget
	l    *profileList
	name string

	stripe    *canvas.Rectangle
	title     *widget.Label
	detail    *widget.Label
	countdown *widgets.Countdown
	button    *widget.Button
	spinner   *widget.Activity
	content   fyne.CanvasObject
}

func newRowView(l *profileList) *rowView {
	r := &rowView{
		l:         l,
		stripe:    canvas.NewRectangle(color.Transparent),
		title:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail:    widget.NewLabel(""),
		countdown: widgets.NewCountdown(l.clock),
		spinner:   widget.NewActivity(),
	}
	r.stripe.SetMinSize(fyne.NewSize(4, 0))
	r.stripe.CornerRadius = 2
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.detail.SizeName = theme.SizeNameCaptionText
	r.button = widget.NewButtonWithIcon(LabelRefreshCopy, theme.ViewRefreshIcon(), func() {
		if l.onRefreshCopy != nil && r.name != "" {
			l.onRefreshCopy(r.name)
		}
	})
	r.spinner.Hide()
	text := container.New(layout.NewCustomPaddedVBoxLayout(0), r.title, r.detail)
	// The spinner's slot keeps its size while hidden so rows do not shift.
	slot := canvas.NewRectangle(color.Transparent)
	slot.SetMinSize(fyne.NewSquareSize(theme.IconInlineSize() + theme.Padding()))
	right := container.NewHBox(
		container.NewCenter(r.countdown),
		container.NewStack(slot, r.spinner),
		container.NewCenter(r.button),
	)
	r.content = container.NewBorder(nil, nil, r.stripe, right, text)
	r.ExtendBaseWidget(r)
	return r
}

func (r *rowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *rowView) set(row session.Row, busy bool) {
	r.name = row.Name()
	st := row.Subject.State(r.l.clock())
	r.stripe.FillColor = r.Theme().Color(widgets.StateColor(st), fyne.CurrentApp().Settings().ThemeVariant())
	r.stripe.Refresh()
	r.title.SetText(row.Name())
	err := row.LastErr()
	switch {
	case err != nil && (st == state.Error || st == state.SignIn):
		r.detail.Importance = widget.DangerImportance
		r.detail.SetText(session.Brief(err))
	case st == state.SignIn:
		r.detail.Importance = widget.DangerImportance
		if row.CanSignIn() {
			r.detail.SetText(NoRefreshToken)
		} else {
			r.detail.SetText(NoRefreshTokenPaste)
		}
	default:
		r.detail.Importance = widget.MediumImportance
		r.detail.SetText(row.Status.Profile.Where())
	}
	r.countdown.Set(row.Subject)
	if busy {
		r.button.Disable()
		r.spinner.Show()
		r.spinner.Start()
	} else {
		r.spinner.Stop()
		r.spinner.Hide()
		r.button.Enable()
	}
}
