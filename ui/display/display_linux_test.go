package display

import (
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The display names libxcb takes, against a fake X server on a TCP port
// and the real one of the test session.
func TestDialX(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	if port < 6000 {
		t.Logf("port %d is below 6000: only the refusing names are tried", port)
	} else {
		n := strconv.Itoa(port - 6000)
		for _, d := range []string{"127.0.0.1:" + n, "127.0.0.1:" + n + ".0", "tcp/127.0.0.1:" + n} {
			c, err := dialX(d, time.Second)
			require.NoError(t, err, d)
			c.Close()
		}
	}
	for _, d := range []string{"nonsense", ":x", "[::1]:59999", "tcp/localhost:59999", "unix:59999"} {
		_, err := dialX(d, time.Second)
		require.Error(t, err, d)
		require.NotContains(t, err.Error(), "missing port", d)
	}

	// The session's own X server (make test runs Xvfb) is found.
	if d := os.Getenv("DISPLAY"); strings.HasPrefix(d, ":") {
		require.NoError(t, Check())
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	require.ErrorContains(t, Check(), "no DISPLAY or WAYLAND_DISPLAY")
}
