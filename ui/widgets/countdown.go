// Package widgets holds tokentray's custom Fyne widgets (the token countdown
// and scope chips) and the colour each token state is drawn in; what the
// states are and how they are worded is ui/state's, so the tray menu and the
// main window always agree.
package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/ui/state"
)

// StateColor is the theme colour a token state is drawn in.
func StateColor(s state.State) fyne.ThemeColorName {
	switch s {
	case state.Fresh:
		return theme.ColorNameSuccess
	case state.Soon:
		return theme.ColorNameWarning
	case state.SignIn:
		return theme.ColorNamePrimary
	case state.Error:
		return theme.ColorNameError
	}
	return theme.ColorNamePlaceHolder // none, expired: nothing wrong, nothing valid
}

// barHeight is the height of the lifetime bar under the countdown text.
const barHeight = 4

// Countdown shows how long a profile's access token stays valid: h:mm:ss in
// the state's colour over a bar of the remaining lifetime. It reads its
// clock on every Refresh, so whoever owns it ticks it by calling Refresh
// (the window does, once a second while it is visible). Like every widget
// it must only be used on Fyne's UI goroutine.
type Countdown struct {
	widget.BaseWidget

	clock   auth.Clock
	subject state.Subject
}

// NewCountdown returns a countdown reading time from clock.
func NewCountdown(clock auth.Clock) *Countdown {
	c := &Countdown{clock: clock}
	c.ExtendBaseWidget(c)
	return c
}

// Set shows s and redraws.
func (c *Countdown) Set(s state.Subject) {
	c.subject = s
	c.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (c *Countdown) CreateRenderer() fyne.WidgetRenderer {
	r := &countdownRenderer{
		c:    c,
		text: canvas.NewText("", color.Black),
		back: canvas.NewRectangle(color.Transparent),
		fill: canvas.NewRectangle(color.Transparent),
	}
	r.text.TextStyle = fyne.TextStyle{Monospace: true}
	r.text.Alignment = fyne.TextAlignTrailing
	r.back.CornerRadius = barHeight / 2
	r.fill.CornerRadius = barHeight / 2
	r.Refresh()
	return r
}

type countdownRenderer struct {
	c          *Countdown
	text       *canvas.Text
	back, fill *canvas.Rectangle
	fraction   float32
}

func (r *countdownRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.text, r.back, r.fill}
}

func (r *countdownRenderer) MinSize() fyne.Size {
	// Wide enough for "sign in needed", the longest text, so rows do not
	// jump when a state changes.
	w := fyne.MeasureText("sign in needed", r.text.TextSize, r.text.TextStyle).Width
	h := r.text.MinSize().Height
	return fyne.NewSize(w, h+theme.Padding()/2+barHeight)
}

func (r *countdownRenderer) Layout(size fyne.Size) {
	th := r.text.MinSize().Height
	r.text.Resize(fyne.NewSize(size.Width, th))
	r.text.Move(fyne.NewPos(0, 0))
	y := size.Height - barHeight
	r.back.Move(fyne.NewPos(0, y))
	r.back.Resize(fyne.NewSize(size.Width, barHeight))
	r.fill.Move(fyne.NewPos(0, y))
	r.fill.Resize(fyne.NewSize(size.Width*r.fraction, barHeight))
}

func (r *countdownRenderer) Refresh() {
	now := r.c.clock()
	s := r.c.subject
	th := r.c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	col := th.Color(StateColor(s.State(now)), v)

	r.text.Text = s.Countdown(now)
	r.text.Color = col
	r.text.TextSize = th.Size(theme.SizeNameText)
	r.back.FillColor = th.Color(theme.ColorNameInputBorder, v)
	r.fill.FillColor = col
	r.fraction = float32(s.Fraction(now))
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *countdownRenderer) Destroy() {}
