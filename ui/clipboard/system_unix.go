//go:build linux || freebsd || openbsd || netbsd || dragonfly

package clipboard

import (
	"fmt"
	"os"
	"os/exec"
)

// New returns the clipboard for a process that keeps running, such as the
// tray app: Wayland's when the session is Wayland and wl-clipboard is
// installed, else the X server's (a Wayland session's XWayland included),
// through a selection owner of this process's own.
func New() (Clipboard, error) {
	if w, ok := newWayland(); ok {
		return w, nil
	}
	if os.Getenv("WAYLAND_DISPLAY") != "" && os.Getenv("DISPLAY") == "" {
		return nil, fmt.Errorf("%w: install wl-clipboard (wl-copy and wl-paste)", ErrUnavailable)
	}
	if os.Getenv("DISPLAY") == "" {
		return nil, fmt.Errorf("%w: no X11 or Wayland display", ErrUnavailable)
	}
	x, err := NewX11("")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return x, nil
}

// newWayland is wl-clipboard, when the session is Wayland and both tools
// are on PATH.
func newWayland() (*wayland, bool) {
	if os.Getenv("WAYLAND_DISPLAY") == "" {
		return nil, false
	}
	copyPath, err := exec.LookPath("wl-copy")
	if err != nil {
		return nil, false
	}
	pastePath, err := exec.LookPath("wl-paste")
	if err != nil {
		return nil, false
	}
	return &wayland{copy: copyPath, paste: pastePath}, true
}
