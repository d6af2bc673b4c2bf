package trayapp_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/testsupport/teststack"
)

// The tray icon tells at a glance that a profile needs the user: a variant
// with a red dot and a tooltip saying which profile needs what, read from
// the StatusNotifierItem over D-Bus as a panel reads it; back to normal once
// the profile is signed in.
func TestTrayIconShowsAttention(t *testing.T) {
	bin := binary(t, repoRoot(t))
	srv := testserver.Start(t, testserver.Options{Stock: true})
	env := append(teststack.Start(t), "TOKENTRAY_KEYCHAIN_SERVICE=tokentray-e2e-"+randomHex(4))
	cli := cliRunner(t, context.Background(), bin, env)
	cli(testserver.PostClientSecret, "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")

	app := startApp(t, bin, env)
	bus := sessionBus(t, env)
	trayMenu(t, bus, app.cmd.Process.Pid)
	item := bus.Object(fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", app.cmd.Process.Pid), "/StatusNotifierItem")
	tooltip := func() string {
		v, err := item.GetProperty("org.kde.StatusNotifierItem.ToolTip")
		if err != nil {
			return ""
		}
		fields, ok := v.Value().([]any)
		if !ok || len(fields) < 3 {
			return ""
		}
		s, _ := fields[2].(string)
		return s
	}
	pixmap := func() string {
		v, err := item.GetProperty("org.kde.StatusNotifierItem.IconPixmap")
		require.NoError(t, err)
		return fmt.Sprint(v.Value())
	}
	var alert string
	eventually(t, 10*time.Second, "the tooltip naming dev", func() bool {
		return strings.Contains(tooltip(), "dev: sign in needed")
	})
	alert = pixmap()

	cli(srv.Mint(t, testserver.PostClientID, "openid offline_access", ""), "login", "dev", "--refresh-token-stdin")
	eventually(t, 10*time.Second, "the tooltip back to the name alone", func() bool { return tooltip() == "tokentray" })
	require.NotEqual(t, alert, pixmap(), "the icon is the normal one again")
}
