// Package clipboard puts tokens on the system clipboard, marked as secrets
// so that clipboard managers keep them out of their history, and takes them
// off again. It needs neither cgo nor a GUI toolkit, so the command line and
// the tray app share it.
//
//   - X11: tokentray owns the selection itself (X11), offering the text and
//     x-kde-passwordManagerHint = "secret".
//   - Wayland: wl-copy and wl-paste (wl-clipboard), with --sensitive where
//     that wl-copy has it (2.3 and later), which sets the same hint.
//   - Windows and macOS: github.com/atotto/clipboard.
//
// A copy made by a process that exits at once (`tokentray token --copy`) is
// served by a detached helper, the same executable started with
// HelperCommand, which leaves when another program copies something or when
// its time is up (see Command).
package clipboard

import (
	"errors"
	"time"
)

// DefaultClearAfter is how long a copied token stays on the clipboard
// unless the user chose otherwise (the tray app's setting, `token --copy
// --clear-after`): long enough to paste it, short enough not to be pasted
// somewhere by accident an hour later.
const DefaultClearAfter = 60 * time.Second

// Clipboard is the system clipboard. Safe for concurrent use; calls may
// take a round trip to the display server or the start of a tool, so GUIs
// make them off their UI goroutine.
type Clipboard interface {
	ReadAll() (string, error)
	WriteAll(text string) error
}

// ErrUnavailable means there is no clipboard to talk to: no display, or on
// Wayland no wl-clipboard installed.
var ErrUnavailable = errors.New("no clipboard")
