package cli_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/authtest"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/ui/cli"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("write /dev/stdout: broken pipe")
}

// TestRunCachedAnswersOnlyThePlainCallFromTheQuickCopy: `token NAME` is
// answered from the quick copy with what Run prints and no keychain read;
// anything else, or a copy without a usable token, is left to Run.
func TestRunCachedAnswersOnlyThePlainCallFromTheQuickCopy(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	cache := authtest.NewCache()
	h := newHarness(t, auth.WithTokenCache(cache))
	st := h.store
	access := h.signIn(t, srv, "openid offline_access", "")
	_, viaRun, _ := h.run("", "token", "dev")
	require.Equal(t, access+"\n", viaRun)

	cached := func(args ...string) (int, bool, string, string) {
		var out, errb bytes.Buffer
		app := &cli.App{Engine: h.eng, Stdout: &out, Stderr: &errb}
		code, ok := app.RunCached(args)
		return code, ok, out.String(), errb.String()
	}
	st.ResetReads()
	code, ok, out, stderr := cached("token", "dev")
	require.True(t, ok, "the refresh filled the quick copy")
	require.Equal(t, cli.ExitOK, code)
	require.Equal(t, viaRun, out, "what Run prints")
	require.Empty(t, stderr)
	require.Empty(t, st.Reads(), "no keychain read")

	// Profile names may start with a dash, and flags may look like names:
	// with a copy under each, only the dash check leaves them to cobra.
	copied, _ := cache.Get("dev")
	for _, name := range []string{"-h", "--refresh", "-o"} {
		require.NoError(t, auth.ValidateName(name))
		cache.Put(name, copied, time.Hour)
	}
	for _, args := range [][]string{
		{"token"}, {"token", "dev", "--header"}, {"token", "--refresh"}, {"token", "-o"}, {"token", "-h"},
		{"profile", "show"}, {"inspect", "dev"}, {"token", "nobody"}, {"token", "dev", "extra"},
	} {
		code, ok, out, stderr := cached(args...)
		require.False(t, ok, "%v is Run's", args)
		require.Equal(t, 0, code)
		require.Empty(t, out+stderr, "%v: nothing said", args)
	}

	h.eng.SetMargin(2 * time.Hour) // the copy's token is within the margin now
	_, ok, out, _ = cached("token", "dev")
	require.False(t, ok, "a token due for a refresh is Run's")
	require.Empty(t, out)
	h.eng.SetMargin(auth.DefaultMargin)

	var errb bytes.Buffer
	app := &cli.App{Engine: h.eng, Stdout: failingWriter{}, Stderr: &errb}
	code, ok = app.RunCached([]string{"token", "dev"})
	require.True(t, ok)
	require.Equal(t, cli.ExitError, code, "a failed write is an error, as in Run")
	require.Contains(t, errb.String(), "broken pipe")

	off := newHarness(t, auth.WithTokenCacheDropped(cache))
	app = &cli.App{Engine: off.eng, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	_, ok = app.RunCached([]string{"token", "dev"})
	require.False(t, ok, "an engine that only drops the copy never reads it")
}
