package keychain

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/testsupport/teststack"
	"github.com/zalando/go-keyring"
)

// These tests talk to a real Secret Service (gnome-keyring) on a private
// session bus started by testsupport/teststack/teststack.sh. They refuse to run elsewhere
// rather than skip: a skipped keychain test looks green in CI, and running
// against a developer's real login keyring would be worse.
func TestMain(m *testing.M) {
	if os.Getenv("TOKENTRAY_TEST_STACK") != "1" {
		fmt.Fprintln(os.Stderr, "auth/keychain tests need a private Secret Service: run `make test` (starts a private D-Bus session and gnome-keyring), or by hand:\n"+
			"  d=$(mktemp -d) && testsupport/teststack/teststack.sh start $d && (. $d/env && go test ./auth/keychain/); testsupport/teststack/teststack.sh stop $d")
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// newStore returns a Store on a service name of its own, removed with all
// its items when the test ends.
func newStore(t *testing.T, opts ...Option) (*Store, string) {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	svc := "tokentray-test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if err := keyring.DeleteAll(svc); err != nil {
			t.Errorf("clean up service %s: %v", svc, err)
		}
	})
	return New(svc, opts...), svc
}

// items lists the user names of all items of service svc, as secret-tool
// sees them (it prints attributes on stderr, hence CombinedOutput).
func items(t *testing.T, svc string) []string {
	t.Helper()
	out, err := exec.Command("secret-tool", "search", "--all", "service", svc).CombinedOutput()
	require.NoError(t, err, "secret-tool search: %s", out)
	var users []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "attribute.username = "); ok {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	return users
}

// lookup reads one item directly with secret-tool.
func lookup(t *testing.T, svc, user string) string {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", svc, "username", user).Output()
	require.NoError(t, err, "secret-tool lookup %s", user)
	return string(out)
}

func clearItem(t *testing.T, svc, user string) {
	t.Helper()
	out, err := exec.Command("secret-tool", "clear", "service", svc, "username", user).CombinedOutput()
	require.NoError(t, err, "secret-tool clear: %s", out)
}

func testProfile(name string) auth.Profile {
	return auth.Profile{
		Name:         name,
		Domain:       "acme.eu.auth0.com",
		ClientID:     "client-" + name,
		ClientSecret: "s3cr3t-" + name + "-ÄÖÜ",
		AuthMethod:   auth.AuthPost,
		Audience:     "https://api.acme.test",
		Scope:        "openid offline_access",
	}
}

func TestProfileRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, svc := newStore(t)

	p := testProfile("dev")
	require.NoError(t, s.SaveProfile(ctx, p))
	got, err := s.LoadProfile(ctx, "dev")
	require.NoError(t, err)
	require.Equal(t, p, got)
	require.Equal(t, "s3cr3t-dev-ÄÖÜ", got.ClientSecret)

	p.ClientSecret = "rotated"
	p.Scope = "openid"
	require.NoError(t, s.SaveProfile(ctx, p))
	got, err = s.LoadProfile(ctx, "dev")
	require.NoError(t, err)
	require.Equal(t, p, got)

	names, err := s.ListProfiles(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"dev"}, names)
	require.Equal(t, []string{"index", "profile:dev"}, items(t, svc))
	require.JSONEq(t, `["dev"]`, lookup(t, svc, "index"))
}

func TestSecretRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, svc := newStore(t)

	tests := []struct {
		name  string
		kind  auth.SecretKind
		value string
	}{
		{"refresh token", auth.SecretRefreshToken, "v1.MjQ2NTc4OTA-refresh"},
		{"token cache json", auth.SecretTokenCache, `{"access_token":"eyJ...","expiry":"2030-01-01T00:00:00Z"}`},
		{"unicode and newlines", auth.SecretRefreshToken, "zeile 1\nzeile 2 — ✓ ÄÖÜ\n"},
		{"empty", auth.SecretTokenCache, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, s.SaveSecret(ctx, "dev", tt.kind, tt.value))
			got, err := s.LoadSecret(ctx, "dev", tt.kind)
			require.NoError(t, err)
			require.Equal(t, tt.value, got)
			require.Equal(t, tt.value, lookup(t, svc, string(tt.kind)+":dev"))

			require.NoError(t, s.DeleteSecret(ctx, "dev", tt.kind))
			_, err = s.LoadSecret(ctx, "dev", tt.kind)
			require.ErrorIs(t, err, auth.ErrNotFound)
			require.NoError(t, s.DeleteSecret(ctx, "dev", tt.kind), "deleting a missing secret is not an error")
		})
	}
	require.Empty(t, items(t, svc))

	_, err := s.LoadSecret(ctx, "dev", "password")
	require.ErrorContains(t, err, "unknown secret kind")
}

func TestChunking(t *testing.T) {
	ctx := context.Background()
	const size = 64
	s, svc := newStore(t, WithChunkSize(size))
	require.NoError(t, s.SaveProfile(ctx, testProfile("dev")))

	long := strings.Repeat("0123456789", 30) // 300 bytes: 5 chunks
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, long))
	require.Equal(t, []string{"token:dev", "token:dev#a1", "token:dev#a2", "token:dev#a3", "token:dev#a4", "token:dev#a5"}, tokenItems(t, svc))
	got, err := s.LoadSecret(ctx, "dev", auth.SecretTokenCache)
	require.NoError(t, err)
	require.Equal(t, long, got)
	require.True(t, strings.HasPrefix(lookup(t, svc, "token:dev"), chunkPrefix), "the head holds a pointer, not the value")
	require.Equal(t, long[:size], lookup(t, svc, "token:dev#a1"))

	// A rewrite goes to the other slot and leaves no stale chunks behind,
	// and a short value none at all.
	shorter := strings.Repeat("abcdefghij", 10) // 100 bytes: 2 chunks
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, shorter))
	require.Equal(t, []string{"token:dev", "token:dev#b1", "token:dev#b2"}, tokenItems(t, svc))
	got, err = s.LoadSecret(ctx, "dev", auth.SecretTokenCache)
	require.NoError(t, err)
	require.Equal(t, shorter, got)

	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, "short"))
	require.Equal(t, []string{"token:dev"}, tokenItems(t, svc))
	require.Equal(t, "short", lookup(t, svc, "token:dev"))

	// Everything chunked is removed with the profile, the empty index too.
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretTokenCache, long))
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, long[:150]))
	// The profile record is longer than 64 bytes: chunked as well.
	require.Contains(t, items(t, svc), "profile:dev#a1")
	require.Contains(t, items(t, svc), "refresh:dev#a3")
	require.NoError(t, s.DeleteProfile(ctx, "dev"))
	require.Empty(t, items(t, svc))
}

// tokenItems are the items of the token cache of "dev".
func tokenItems(t *testing.T, svc string) []string {
	return slices.DeleteFunc(items(t, svc), func(u string) bool { return !strings.HasPrefix(u, "token:dev") })
}

func TestChunkBoundaries(t *testing.T) {
	ctx := context.Background()
	const size = 64
	s, svc := newStore(t, WithChunkSize(size))

	tests := []struct {
		name  string
		value string
		items []string
	}{
		{"exactly the limit", strings.Repeat("x", size), []string{"refresh:dev"}},
		// Each rewrite goes to the slot the current value does not use.
		{"one byte over", strings.Repeat("y", size+1), []string{"refresh:dev", "refresh:dev#a1", "refresh:dev#a2"}},
		{"twice the limit", strings.Repeat("z", 2*size), []string{"refresh:dev", "refresh:dev#b1", "refresh:dev#b2"}},
		// A short value that looks like a head must not be taken for one.
		{"looks like a head", chunkPrefix + "v1:1:abc", []string{"refresh:dev", "refresh:dev#a1"}},
		// 3-byte runes: chunks end on rune boundaries (63, 63, 24 bytes), so
		// each is valid text.
		{"multibyte", strings.Repeat("€", 50), []string{"refresh:dev", "refresh:dev#b1", "refresh:dev#b2", "refresh:dev#b3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, tt.value))
			require.Equal(t, tt.items, items(t, svc))
			got, err := s.LoadSecret(ctx, "dev", auth.SecretRefreshToken)
			require.NoError(t, err)
			require.Equal(t, tt.value, got)
			for _, it := range tt.items[1:] {
				v := lookup(t, svc, it)
				require.LessOrEqual(t, len(v), size, it)
				require.True(t, utf8.ValidString(v), it)
			}
		})
	}
}

func TestDamagedChunks(t *testing.T) {
	ctx := context.Background()
	s, svc := newStore(t, WithChunkSize(16))
	require.NoError(t, s.SaveProfile(ctx, testProfile("dev")))
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, strings.Repeat("r", 40)))

	// A lost chunk makes the secret unreadable: it counts as absent (so the
	// engine asks for a new sign-in, which overwrites it), and the error
	// says what happened without showing any part of the value.
	clearItem(t, svc, "refresh:dev#a2")
	_, err := s.LoadSecret(ctx, "dev", auth.SecretRefreshToken)
	require.ErrorIs(t, err, auth.ErrNotFound)
	require.ErrorIs(t, err, auth.ErrDamaged, "told apart from an absent value")
	require.ErrorContains(t, err, "chunk 2 of 3 is missing")
	require.NotContains(t, err.Error(), "rrrr")

	// A chunk replaced behind the store's back fails the checksum.
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, strings.Repeat("r", 40)))
	require.NoError(t, keyring.Set(svc, "refresh:dev#b3", "tampered"))
	_, err = s.LoadSecret(ctx, "dev", auth.SecretRefreshToken)
	require.ErrorIs(t, err, auth.ErrNotFound)
	require.ErrorContains(t, err, "checksum")

	// A profile record in chunks that cannot be put together is broken.
	long := testProfile("dev")
	long.Audience = strings.Repeat("https://api.example.test/", 4)
	require.NoError(t, s.SaveProfile(ctx, long))
	clearItem(t, svc, "profile:dev#b1")
	_, err = s.LoadProfile(ctx, "dev")
	require.ErrorIs(t, err, auth.ErrBrokenProfile)
	require.NotContains(t, err.Error(), long.ClientSecret)

	// Deleting removes what is left, including chunks without a head.
	require.NoError(t, keyring.Set(svc, "token:dev#1", "orphan"))
	require.NoError(t, s.DeleteProfile(ctx, "dev"))
	require.Empty(t, items(t, svc))
}

func TestIndex(t *testing.T) {
	ctx := context.Background()
	s, svc := newStore(t)

	names, err := s.ListProfiles(ctx)
	require.NoError(t, err)
	require.Empty(t, names)

	for _, n := range []string{"staging", "dev", "prod"} {
		require.NoError(t, s.SaveProfile(ctx, testProfile(n)))
	}
	require.NoError(t, s.SaveProfile(ctx, testProfile("dev")), "saving again does not duplicate the name")
	names, err = s.ListProfiles(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"dev", "prod", "staging"}, names)

	_, err = s.LoadProfile(ctx, "unknown")
	require.ErrorIs(t, err, auth.ErrNotFound)
	require.ErrorIs(t, s.DeleteProfile(ctx, "unknown"), auth.ErrNotFound)

	// Record removed behind the store's back: listed, but broken.
	clearItem(t, svc, "profile:prod")
	_, err = s.LoadProfile(ctx, "prod")
	require.ErrorIs(t, err, auth.ErrBrokenProfile)
	require.NotErrorIs(t, err, auth.ErrNotFound)
	// Record that is not a profile: broken too, and the secret is not echoed.
	require.NoError(t, keyring.Set(svc, "profile:staging", `{"name":"staging","client_secret":"hunter2"`))
	_, err = s.LoadProfile(ctx, "staging")
	require.ErrorIs(t, err, auth.ErrBrokenProfile)
	require.NotContains(t, err.Error(), "hunter2")

	names, err = s.ListProfiles(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"dev", "prod", "staging"}, names)

	// Broken profiles can be removed, secrets and all.
	require.NoError(t, s.SaveSecret(ctx, "prod", auth.SecretRefreshToken, "rt"))
	require.NoError(t, s.DeleteProfile(ctx, "prod"))
	require.NoError(t, s.DeleteProfile(ctx, "staging"))
	require.ErrorIs(t, s.DeleteProfile(ctx, "prod"), auth.ErrNotFound)
	names, err = s.ListProfiles(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"dev"}, names)
	require.Equal(t, []string{"index", "profile:dev"}, items(t, svc))

	// A damaged index is reported as such, with what to do.
	require.NoError(t, keyring.Set(svc, "index", "not json"))
	_, err = s.ListProfiles(ctx)
	require.ErrorContains(t, err, "profile index")
	require.ErrorContains(t, err, "is damaged")
}

func TestConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- s.SaveProfile(ctx, testProfile(fmt.Sprintf("p%d", i))) }()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	names, err := s.ListProfiles(ctx)
	require.NoError(t, err)
	require.Len(t, names, n, "no index update may be lost within one process")
}

const loginCollection = "/org/freedesktop/secrets/collection/login"

func loginLocked(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command("busctl", "--user", "get-property", "org.freedesktop.secrets", loginCollection,
		"org.freedesktop.Secret.Collection", "Locked").CombinedOutput()
	require.NoError(t, err, "busctl get-property: %s", out)
	return strings.TrimSpace(string(out)) == "b true"
}

// unlockLogin unlocks the login collection without a prompt, through
// gnome-keyring's own D-Bus interface (what Seahorse uses). The Secret
// Service Unlock method always wants a prompt, and `gnome-keyring-daemon
// --unlock` does not reach a running daemon: it starts a second one.
func unlockLogin(t *testing.T) {
	t.Helper()
	pw, err := os.ReadFile(os.Getenv("TOKENTRAY_TEST_KEYRING_PASSWORD_FILE"))
	require.NoError(t, err, "read the keyring password written by testsupport/teststack/teststack.sh")
	conn, err := dbus.SessionBusPrivate()
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.Auth(nil))
	require.NoError(t, conn.Hello())
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var session dbus.ObjectPath
	require.NoError(t, svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session))
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, pw, "text/plain"}
	require.NoError(t, svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0,
		dbus.ObjectPath(loginCollection), secret).Err)
	require.False(t, loginLocked(t), "login collection still locked")
}

// privateSession moves this test onto a desktop session of its own
// (testsupport/teststack/teststack.sh): locking that keyring cannot disturb the tests of
// other packages that run at the same time on the shared one.
func privateSession(t *testing.T) {
	t.Helper()
	env := teststack.Start(t)
	// Cleanups run last-in first-out: the environment is restored first,
	// then the connection to the private bus is dropped.
	t.Cleanup(func() { closeSharedBus(t) })
	for _, k := range []string{"DBUS_SESSION_BUS_ADDRESS", "TOKENTRAY_TEST_KEYRING_PASSWORD_FILE"} {
		t.Setenv(k, teststack.Getenv(env, k))
	}
	closeSharedBus(t)
}

func TestLockedKeyring(t *testing.T) {
	privateSession(t)
	ctx := context.Background()
	const timeout = 3 * time.Second
	s, _ := newStore(t, WithTimeout(timeout))
	require.NoError(t, s.SaveProfile(ctx, testProfile("dev")))
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, "rt"))

	out, err := exec.Command("busctl", "--user", "call", "org.freedesktop.secrets", "/org/freedesktop/secrets",
		"org.freedesktop.Secret.Service", "Lock", "ao", "1", loginCollection).CombinedOutput()
	require.NoError(t, err, "lock: %s", out)
	t.Cleanup(func() { unlockLogin(t) }) // later tests need it unlocked, even if this one fails
	require.True(t, loginLocked(t))

	// The process's DISPLAY does not matter: gnome-keyring asks gcr-prompter,
	// which the bus would start with the bus's environment. The test bus
	// activates nothing, so the prompt is dismissed at once and go-keyring
	// fails fast instead of waiting for a click.
	tests := []struct {
		name string
		op   func() error
	}{
		{"list", func() error { _, err := s.ListProfiles(ctx); return err }},
		{"load profile", func() error { _, err := s.LoadProfile(ctx, "dev"); return err }},
		{"load secret", func() error { _, err := s.LoadSecret(ctx, "dev", auth.SecretRefreshToken); return err }},
		{"save secret", func() error { return s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, "rt2") }},
		{"delete secret", func() error { return s.DeleteSecret(ctx, "dev", auth.SecretRefreshToken) }},
		{"delete profile", func() error { return s.DeleteProfile(ctx, "dev") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := tt.op()
			took := time.Since(start)
			require.ErrorIs(t, err, auth.ErrKeychainLocked)
			require.Less(t, took, timeout, "a locked keyring must be reported, not waited out")
			require.ErrorContains(t, err, "the login keyring is locked")
			require.ErrorContains(t, err, "unlock it")
			require.NotContains(t, err.Error(), "rt2")
			t.Logf("%s: %v after %v", tt.name, err, took.Round(time.Millisecond))
		})
	}

	unlockLogin(t)
	got, err := s.LoadSecret(ctx, "dev", auth.SecretRefreshToken)
	require.NoError(t, err)
	require.Equal(t, "rt", got, "nothing was changed while locked")
}

// closeSharedBus drops godbus's process-wide session bus connection, which
// go-keyring reuses for every call: without this, a changed
// DBUS_SESSION_BUS_ADDRESS is ignored for the rest of the process.
//
// dbus.SessionBus blocks while another goroutine is connecting, and a
// connect that hangs (a bus that never answers Hello) blocks it forever: the
// wait is bounded so that such a failure ends the test instead of the run.
func closeSharedBus(t *testing.T) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if conn, err := dbus.SessionBus(); err == nil {
			_ = conn.Close()
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("godbus's shared session bus connection is stuck connecting")
	}
}

// startEmptyBus starts a dbus-daemon whose config lists no service
// directories: a session bus on which nobody provides org.freedesktop.secrets.
func startEmptyBus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	addr := "unix:path=" + filepath.Join(dir, "bus")
	conf := filepath.Join(dir, "bus.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>`+addr+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600))
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--nopidfile", "--print-address=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// The address is printed once the bus listens.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "dbus-daemon did not start")
	require.Contains(t, line, dir)
	return addr
}

func TestNoSecretService(t *testing.T) {
	ctx := context.Background()
	const timeout = 3 * time.Second
	s, _ := newStore(t, WithTimeout(timeout))
	empty := startEmptyBus(t)

	tests := []struct {
		name, addr, problem string
	}{
		{"bus without a Secret Service", empty, "no Secret Service found on the session bus"},
		{"no bus at that address", "unix:path=" + filepath.Join(t.TempDir(), "nothing"), "cannot reach the D-Bus session bus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Cleanups run last-in first-out: the environment is restored
			// first, then the connection to the wrong bus is dropped.
			t.Cleanup(func() { closeSharedBus(t) })
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", tt.addr)
			closeSharedBus(t)

			start := time.Now()
			_, err := s.LoadSecret(ctx, "dev", auth.SecretRefreshToken)
			took := time.Since(start)
			t.Logf("%v after %v", err, took.Round(time.Millisecond))
			require.ErrorIs(t, err, auth.ErrKeychainUnavailable)
			require.Less(t, took, time.Second)
			require.ErrorContains(t, err, tt.problem)
			require.ErrorContains(t, err, "never stores secrets in plain files")
			require.ErrorIs(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, "rt"), auth.ErrKeychainUnavailable)
			_, err = s.ListProfiles(ctx)
			require.ErrorIs(t, err, auth.ErrKeychainUnavailable)
		})
	}

	// Back on the real bus, the same Store works again.
	require.NoError(t, s.SaveSecret(ctx, "dev", auth.SecretRefreshToken, "rt"))
}
