package cli_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// Where the process cannot be replaced (Windows; the harness leaves Exec
// nil), the command runs as a child: same environment, stdio and exit code.
func TestExecRunsAChildWithoutExec(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	h := newHarness(t)
	h.signIn(t, srv, "offline_access", "")

	t.Setenv("ID_TOKEN", "stale")
	code, out, stderr := h.run("from stdin", "exec", "dev", "--", "sh", "-c", `printf '%s|%s|' "$ACCESS_TOKEN" "${ID_TOKEN-unset}"; cat; exit 5`)
	require.Equal(t, 5, code, stderr)
	require.Empty(t, stderr)
	parts := strings.Split(out, "|")
	require.Len(t, parts, 3)
	require.True(t, srv.Active(t, parts[0]))
	require.Equal(t, "unset", parts[1], "no ID token without openid: the stale one is removed")
	require.Equal(t, "from stdin", parts[2])
}
