// Package display tells whether this process can open a window, without
// loading a GUI toolkit: the command line asks before it starts the tray
// app (whose OpenGL and X11 libraries may not even be installed on a
// server), and the tray app asks before Fyne starts.
package display

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Check tells, within a second, whether the tray app can have a window: Fyne's driver on Linux speaks X11 (directly or through
// Xwayland), and without an X server GLFW panics with a stack trace. An SSH
// session without forwarding has no DISPLAY; a stale DISPLAY names a
// server that is gone.
func Check() error {
	d := os.Getenv("DISPLAY")
	if d == "" {
		if os.Getenv("WAYLAND_DISPLAY") != "" {
			return fmt.Errorf("no X display for it (WAYLAND_DISPLAY is set but DISPLAY is not: enable Xwayland)")
		}
		return fmt.Errorf("no DISPLAY or WAYLAND_DISPLAY is set")
	}
	c, err := dialX(d, time.Second)
	if err != nil {
		return fmt.Errorf("the display %s does not accept connections (%v)", d, err)
	}
	c.Close()
	return nil
}

// dialX connects to the X server of display [proto/][host]:N[.screen] as
// libxcb does: for a local display its unix socket (abstract first, as Xorg
// and Xvfb listen on both), then TCP on localhost (VcXsrv, Xming); for a
// host, TCP port 6000+N.
func dialX(display string, timeout time.Duration) (net.Conn, error) {
	proto := ""
	if p, rest, ok := strings.Cut(display, "/"); ok && !strings.HasPrefix(display, "/") {
		proto, display = p, rest
	}
	i := strings.LastIndex(display, ":")
	if i < 0 {
		return nil, fmt.Errorf("not a display name")
	}
	host, rest := strings.Trim(display[:i], "[]"), display[i+1:]
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("not a display name")
	}
	tcp := func(h string) (net.Conn, error) {
		return net.DialTimeout("tcp", net.JoinHostPort(h, strconv.Itoa(6000+n)), timeout)
	}
	if host != "" && host != "unix" || proto == "tcp" {
		if host == "" || host == "unix" {
			host = "localhost"
		}
		return tcp(host)
	}
	path := "/tmp/.X11-unix/X" + num
	if c, err := net.DialTimeout("unix", "@"+path, timeout); err == nil {
		return c, nil
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err == nil || proto == "unix" || host == "unix" {
		return c, err
	}
	if c, terr := tcp("localhost"); terr == nil {
		return c, nil
	}
	return nil, err
}
