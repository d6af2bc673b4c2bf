package trayapp_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/testsupport/teststack"
)

// TestQuitMidRefresh (short: the session lives under the test's temporary
// directory, and unix socket paths are short) clicks a profile in the tray of
// the built app, whose refresh the issuer processes at once (rotating the
// refresh token) but answers late, and quits the app while the answer is on
// its way — with Quit in the tray, and with SIGTERM as a session logout
// sends it. The app waits until the rotated refresh token is stored, says
// so on stderr, and the session survives: no spent token reaches the issuer.
func TestQuitMidRefresh(t *testing.T) {
	root := repoRoot(t)
	bin := binary(t, root)
	for _, how := range []string{"quit", "term"} {
		t.Run(how, func(t *testing.T) {
			env := teststack.Start(t)
			srv := testserver.Start(t, testserver.Options{Stock: true})
			service := "tokentray-e2e-" + randomHex(4)
			env = append(env, "TOKENTRAY_KEYCHAIN_SERVICE="+service)
			cli := cliRunner(t, context.Background(), bin, env)
			cli(testserver.PostClientSecret, "profile", "add", "dev", "--issuer", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
			old := srv.Mint(t, testserver.PostClientID, "openid offline_access", "")
			cli(old, "login", "dev", "--refresh-token-stdin")
			stored := func() string { // the refresh token inside dev's session item
				c := exec.Command("secret-tool", "lookup", "service", service, "username", "session:dev")
				c.Env = env
				out, _ := c.Output()
				var s struct {
					RefreshToken string `json:"refresh_token"`
				}
				_ = json.Unmarshal(out, &s)
				return s.RefreshToken
			}

			app := startApp(t, bin, env)
			menu := trayMenu(t, sessionBus(t, env), app.cmd.Process.Pid)
			eventually(t, 10*time.Second, "the profile in the tray", func() bool {
				_, ok := find(layout(t, menu), "dev · no token yet")
				return ok
			})
			settleMenu(t, menu, 300*time.Millisecond)
			srv.AnswerLate(t, 1500*time.Millisecond, 1)
			// A click on a profile without a token refreshes and copies.
			clickUntil(t, "the refresh sent", func() { clickLabel(t, menu, "dev", "") },
				func() bool { return srv.Stats(t).Held >= 1 })
			if how == "quit" {
				clickLabel(t, menu, "", "Quit")
			} else {
				require.NoError(t, app.cmd.Process.Signal(syscall.SIGTERM))
			}
			require.NoError(t, app.wait(t, 20*time.Second))
			require.Contains(t, app.out.String(), "finishing the refresh of dev")

			rt := stored()
			require.NotEqual(t, old, rt, "the rotated refresh token was stored before the app ended")
			require.True(t, srv.Active(t, rt))
			require.True(t, srv.Active(t, cli("", "token", "dev", "--refresh")), "the session survived")
			require.Zero(t, srv.Stats(t).Reuse, "no spent refresh token reached the issuer")
		})
	}
}
