package widgets_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/ui/widgets"
)

// texts returns every canvas.Text drawn inside o, in order.
func texts(o fyne.CanvasObject) []*canvas.Text {
	var out []*canvas.Text
	for _, c := range test.LaidOutObjects(o) {
		if t, ok := c.(*canvas.Text); ok {
			out = append(out, t)
		}
	}
	return out
}

func TestChipsShowEachItemAndWrap(t *testing.T) {
	test.NewTempApp(t)
	c := widgets.NewChips("openid", "read:things", "write:things")
	w := test.NewWindow(c)
	defer w.Close()
	w.Resize(fyne.NewSize(600, 200))

	var got []string
	for _, tx := range texts(c) {
		got = append(got, tx.Text)
	}
	require.Equal(t, []string{"openid", "read:things", "write:things"}, got)
	oneRow := c.MinSize().Height

	w.Resize(fyne.NewSize(100, 400))
	require.Greater(t, c.MinSize().Height, oneRow, "narrow: the chips wrap onto more rows")
}

func TestChipsEmpty(t *testing.T) {
	test.NewTempApp(t)
	c := widgets.NewChips()
	w := test.NewWindow(c)
	defer w.Close()
	tx := texts(c)
	require.Len(t, tx, 1)
	require.Equal(t, "none", tx[0].Text)
	require.Equal(t, theme.Color(theme.ColorNamePlaceHolder), tx[0].Color)

	c.SetItems([]string{"email"})
	tx = texts(c)
	require.Len(t, tx, 1)
	require.Equal(t, "email", tx[0].Text)
}
