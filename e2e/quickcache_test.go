package e2e

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// The cached token set is also in the kernel's key store, so a cached
// `tokentray token` asks the keychain nothing: it is served while
// gnome-keyring is stopped (an unlock prompt, a busy daemon), and gone with
// a sign-out. The refresh token never goes there.
func TestCachedTokenWithoutTheKeychain(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	keyring := privateSession(t, e)
	rt := addProfile(t, e, srv, "openid offline_access", "")
	at := strings.TrimSpace(e.must("", "token", "dev").stdout)
	remember(at)
	quick := keychain.NewKernelCache(e.service, e.lockRoot())
	raw, ok := quick.Get("dev")
	require.True(t, ok, "the token set is in the kernel's key store")
	require.Contains(t, raw, at)
	require.NotContains(t, raw, e.refreshToken("dev"), "never the refresh token")
	require.NotContains(t, raw, rt)

	require.NoError(t, syscall.Kill(keyring, syscall.SIGSTOP))
	stopped := true
	cont := func() {
		if stopped {
			stopped = false
			require.NoError(t, syscall.Kill(keyring, syscall.SIGCONT))
		}
	}
	t.Cleanup(cont)
	start := time.Now()
	r := e.must("", "token", "dev")
	require.Equal(t, at, strings.TrimSpace(r.stdout))
	require.Less(t, time.Since(start), 2*time.Second, "no keychain wait")

	// Without the copy, the same call waits for the keychain and says so.
	e.extra = append(e.extra, keychain.NoQuickCacheEnv+"=1")
	r = e.run("", "token", "dev")
	require.NotEqual(t, 0, r.code)
	require.Contains(t, r.stderr, "keychain did not answer")
	cont()

	// A process that does not use the copy still drops it when it signs
	// out: other processes are using it.
	e.must("", "token", "dev")
	e.extra = e.extra[:len(e.extra)-1]
	_, ok = quick.Get("dev")
	require.True(t, ok, "reading the keychain without the copy leaves it standing")
	e.extra = append(e.extra, keychain.NoQuickCacheEnv+"=1")
	e.must("", "logout", "dev")
	e.extra = e.extra[:len(e.extra)-1]
	_, ok = quick.Get("dev")
	require.False(t, ok, "a sign-out removes the copy")
	r = e.run("", "token", "dev")
	require.Equal(t, 3, r.code, "signed out: %s", r.stderr)
	require.Empty(t, r.stdout)
}

// `profile rm` and `profile add` at another issuer: the copy of the first
// profile's tokens is gone with it.
func TestQuickCopyGoesWithTheProfile(t *testing.T) {
	first := testserver.Start(t, testserver.Options{Stock: true})
	second := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	addProfile(t, e, first, "openid offline_access", "")
	remember(strings.TrimSpace(e.must("", "token", "dev").stdout))
	quick := keychain.NewKernelCache(e.service, e.lockRoot())
	_, ok := quick.Get("dev")
	require.True(t, ok, "the first profile's token set is in the kernel's key store")
	e.must("", "profile", "rm", "dev")
	_, ok = quick.Get("dev")
	require.False(t, ok, "gone with the profile")
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", "--issuer", second.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	_, ok = quick.Get("dev")
	require.False(t, ok)
	r := e.run("", "token", "dev")
	require.Equal(t, 3, r.code, "the new profile needs a sign-in: %s", r.stderr)
	require.Empty(t, r.stdout)
}
