package desktop

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// checkDisplay tells, within a second, whether the tray app can have a
// window: Fyne's driver on Linux speaks X11 (directly or through
// Xwayland), and without an X server GLFW panics with a stack trace. An SSH
// session without forwarding has no DISPLAY; a stale DISPLAY names a
// server that is gone.
func checkDisplay() error {
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

// dialX connects to the X server of display [host]:N[.screen]: its unix
// socket (abstract first, as Xorg and Xvfb listen on both) for a local
// display, TCP port 6000+N otherwise.
func dialX(display string, timeout time.Duration) (net.Conn, error) {
	i := strings.LastIndex(display, ":")
	if i < 0 {
		return nil, fmt.Errorf("not a display name")
	}
	host, rest := display[:i], display[i+1:]
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("not a display name")
	}
	if host == "" || host == "unix" {
		path := "/tmp/.X11-unix/X" + num
		if c, err := net.DialTimeout("unix", "@"+path, timeout); err == nil {
			return c, nil
		}
		return net.DialTimeout("unix", path, timeout)
	}
	return net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)), timeout)
}
