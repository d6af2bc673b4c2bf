// Package text is user-facing wording shared by the command line and the GUI.
// It imports no fyne, so ui/cli can use it.
package text

import (
	"fmt"
	"time"
)

// Duration formats a remaining time coarsely: "42 s", "59 min", "1 h 05 min".
// Partial units are dropped: a token "valid 59 min" is never valid for less.
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	h := int(d.Hours())
	return fmt.Sprintf("%d h %02d min", h, int(d.Minutes())-60*h)
}
