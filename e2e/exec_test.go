package e2e

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// exec hands the command a valid token in its environment, replacing any
// stale one, and tokentray's exit code is the command's.
func TestExecPassesTheTokenAndTheExitCode(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access read:things", testserver.APIAudience)
	e.extra = append(e.extra, "ACCESS_TOKEN=stale-from-the-caller", "ID_TOKEN=stale-id")
	r := e.run("", "exec", "dev", "--", "sh", "-c", `printf '%s\n%s\n' "$ACCESS_TOKEN" "$ID_TOKEN"; exit 7`)
	require.Equal(t, 7, r.code, "stderr: %s", r.stderr)
	require.Empty(t, r.stderr, "the command's exit code needs no message")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 2)
	remember(lines...)
	require.True(t, srv.Active(t, lines[0]), "ACCESS_TOKEN is an active access token")
	require.NotEqual(t, "stale-id", lines[1])
	require.NotEmpty(t, lines[1], "ID_TOKEN is set when the profile has one")
	require.Equal(t, lines[0], e.must("", "token", "dev").stdout[:len(lines[0])], "the cached token, no second refresh")

	// Flags after NAME belong to the command; stdin reaches it.
	r = e.run("piped input", "exec", "dev", "cat", "-")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "piped input", r.stdout)

	r = e.run("", "exec", "dev", "--", "no-such-command-here")
	require.Equal(t, 127, r.code)
	require.Contains(t, r.stderr, "no-such-command-here: command not found")
	r = e.run("", "exec", "dev", "--", "./no-such-file")
	require.Equal(t, 127, r.code, "a path that does not exist, as shells say")

	r = e.run("", "exec", "dev")
	require.Equal(t, 2, r.code)
	require.Contains(t, r.stderr, "tokentray exec NAME -- COMMAND")
}

// The command is tokentray's process: a signal sent to tokentray reaches it.
func TestExecPassesSignalsThrough(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access", "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := e.command(ctx, "", "exec", "dev", "--", "sh", "-c", `trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done`)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "ready\n", line)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	require.Error(t, err)
	require.Equal(t, 42, cmd.ProcessState.ExitCode(), "the command's trap ran and its code came back")
}

// Without a refresh token nothing runs and no browser opens: exit 3 and
// the command that signs in.
func TestExecNeedsASignIn(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", where(srv), "--client-id", testserver.PostClientID, "--client-secret-stdin")
	marker := filepath.Join(t.TempDir(), "ran")
	e.extra = append(e.extra, "BROWSER=touch "+marker+".browser")
	r := e.run("", "exec", "dev", "--", "touch", marker)
	require.Equal(t, 3, r.code, r.stderr)
	require.Contains(t, r.stderr, "tokentray login dev")
	for _, f := range []string{marker, marker + ".browser"} {
		_, err := os.Stat(f)
		require.True(t, os.IsNotExist(err), "%s must not exist", f)
	}
}

// nohup tokentray exec … keeps the command immune to hangups: a signal
// tokentray was started ignoring stays ignored for the command.
func TestExecKeepsIgnoredSignalsIgnored(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access", "")
	cmd := e.command(context.Background(), "", "x")
	cmd.Path = "/bin/sh"
	cmd.Args = []string{"sh", "-c", `trap "" HUP; exec "$0" exec dev -- sh -c 'grep SigIgn /proc/self/status'`, bin}
	out, err := cmd.Output()
	require.NoError(t, err)
	fields := strings.Fields(string(out))
	require.Len(t, fields, 2, string(out))
	mask, err := strconv.ParseUint(fields[1], 16, 64)
	require.NoError(t, err)
	require.NotZero(t, mask&(1<<(uint(syscall.SIGHUP)-1)), "SIGHUP still ignored: %s", out)
}
