package desktop

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/tokentray/tokentray/ui/clipboard"
	"github.com/tokentray/tokentray/ui/session"
)

// systemClipboard is ui/clipboard's, opened on first use and shared: on
// X11 a selection owner of the app's own (no xclip needed), on Wayland
// wl-clipboard. Where there is none (Wayland without wl-clipboard) every
// call fails with session.ErrNoClipboardTool.
type systemClipboard struct{}

var system struct {
	once sync.Once
	cb   clipboard.Clipboard
	err  error
}

func openClipboard() (clipboard.Clipboard, error) {
	system.once.Do(func() {
		system.cb, system.err = clipboard.New()
		if system.err != nil {
			system.err = fmt.Errorf("%w (%v)", session.ErrNoClipboardTool, system.err)
		}
	})
	return system.cb, system.err
}

func (systemClipboard) ReadAll() (string, error) {
	cb, err := openClipboard()
	if err != nil {
		return "", err
	}
	return cb.ReadAll()
}

func (systemClipboard) WriteAll(s string) error {
	cb, err := openClipboard()
	if err != nil {
		return err
	}
	return cb.WriteAll(s)
}

func missingClipboardTool() bool {
	_, err := openClipboard()
	return err != nil
}

// HasTrayHost reports whether a system tray will show tokentray's icon. On
// Linux and the BSDs that means a StatusNotifierWatcher on the session bus
// (KDE, XFCE, GNOME with the AppIndicator extension); Fyne's systray
// registers with it once, at start. Windows and macOS always have a tray.
func HasTrayHost() bool {
	if !freedesktop() {
		return true
	}
	addr := sessionBusAddress()
	if addr == "" {
		return false
	}
	// Connect to the address explicitly: with none, godbus would run
	// dbus-launch and start a stray bus.
	conn, err := dbus.Connect(addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}

func sessionBusAddress() string {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		p := filepath.Join(d, "bus")
		if _, err := os.Stat(p); err == nil {
			return "unix:path=" + p
		}
	}
	return ""
}

// freedesktop reports whether the tray is a StatusNotifierItem on the
// session bus (Linux and the BSDs), which fyne.io/systray drives without
// any of Fyne's windowing.
func freedesktop() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return true
	}
	return false
}
