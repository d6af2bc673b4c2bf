package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Chips shows a list of short values (granted scopes, audiences) as
// rounded chips that wrap onto as many rows as they need. With no items it
// shows Empty in the placeholder colour.
type Chips struct {
	widget.BaseWidget

	// Empty is shown when there are no items ("none" by default).
	Empty string

	items []string
	box   *fyne.Container
}

// NewChips returns chips showing items.
func NewChips(items ...string) *Chips {
	c := &Chips{Empty: "none", items: append([]string(nil), items...)}
	c.ExtendBaseWidget(c)
	return c
}

// Items returns the chips' values.
func (c *Chips) Items() []string { return append([]string(nil), c.items...) }

// SetItems replaces the chips.
func (c *Chips) SetItems(items []string) {
	c.items = append([]string(nil), items...)
	c.Refresh()
}

func (c *Chips) rebuild() {
	th := c.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	size := th.Size(theme.SizeNameCaptionText)
	objs := make([]fyne.CanvasObject, 0, len(c.items))
	if len(c.items) == 0 {
		t := canvas.NewText(c.Empty, th.Color(theme.ColorNamePlaceHolder, v))
		t.TextSize = size
		objs = append(objs, t)
	}
	for _, it := range c.items {
		t := canvas.NewText(it, th.Color(theme.ColorNameForeground, v))
		t.TextSize = size
		bg := canvas.NewRectangle(th.Color(theme.ColorNameButton, v))
		bg.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
		bg.StrokeWidth = 1
		bg.CornerRadius = size
		pad := th.Size(theme.SizeNamePadding)
		objs = append(objs, container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(pad/2, pad/2, pad*1.5, pad*1.5), t)))
	}
	// A new layout each time: RowWrapLayout caches the min size of its
	// last arrangement.
	c.box = container.New(layout.NewRowWrapLayout(), objs...)
}

// CreateRenderer implements fyne.Widget.
func (c *Chips) CreateRenderer() fyne.WidgetRenderer {
	c.rebuild()
	return &chipsRenderer{c: c}
}

type chipsRenderer struct{ c *Chips }

func (r *chipsRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.c.box} }
func (r *chipsRenderer) MinSize() fyne.Size           { return r.c.box.MinSize() }
func (r *chipsRenderer) Layout(s fyne.Size)           { r.c.box.Resize(s) }
func (r *chipsRenderer) Destroy()                     {}
func (r *chipsRenderer) Refresh() {
	r.c.rebuild()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}
