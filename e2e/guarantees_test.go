package e2e

// The guarantees of docs/guarantees.md, tried the way a careful user's bad
// day goes: Ctrl-C and SIGTERM while the issuer's answer is on its way, a
// keychain that stalls right after a rotation, a profile removed or moved to
// another issuer while its refresh or sign-in is in flight, and many
// processes editing profiles at once. Each test asserts what the issuers saw
// (reuse of a rotated refresh token, which tokens reached them) and what the
// keychain holds.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/testsupport/teststack"
)

// proc is a tokentray process running in the background.
type proc struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
	code   int
}

// syncBuffer is a bytes.Buffer written by os/exec's copier and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs tokentray with args in the background.
func (e *env) start(stdin string, args ...string) *proc {
	e.t.Helper()
	p := &proc{done: make(chan struct{})}
	p.cmd = e.command(context.Background(), stdin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	require.NoError(e.t, p.cmd.Start())
	go func() {
		err := p.cmd.Wait()
		p.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.code = 128 + int(ws.Signal())
			}
		}
		close(p.done)
	}()
	e.t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits at most d for the process to end and returns its result.
func (p *proc) wait(t *testing.T, d time.Duration) result {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("tokentray %v still running after %v\nstderr: %s", p.cmd.Args[1:], d, p.stderr.String())
	}
	return result{code: p.code, stdout: p.stdout.String(), stderr: p.stderr.String()}
}

// lookup reads one keychain item of the env's service with secret-tool, in
// the env's session; "" when it is absent.
func (e *env) lookup(item string) string {
	e.t.Helper()
	cmd := exec.Command("secret-tool", "lookup", "service", e.service, "username", item)
	cmd.Env = append(os.Environ(), e.extra...)
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// refreshToken is the refresh token the keychain holds for profile name:
// inside its session item (a refresh token and the cached token set, one
// JSON value), or in the item an earlier tokentray kept it in; "" if none.
func (e *env) refreshToken(name string) string {
	if raw := e.lookup("session:" + name); raw != "" {
		var s struct {
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal([]byte(raw), &s) != nil {
			e.t.Fatalf("session:%s is not JSON", name)
		}
		return s.RefreshToken
	}
	return e.lookup("refresh:" + name)
}

// cachedToken is the access token cached for profile name, "" if none.
func (e *env) cachedToken(name string) string {
	raw := e.lookup("session:" + name)
	if raw == "" {
		raw = e.lookup("token:" + name)
	} else {
		var s struct {
			Token json.RawMessage `json:"token"`
		}
		_ = json.Unmarshal([]byte(raw), &s)
		raw = string(s.Token)
	}
	var t struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(raw), &t)
	return t.AccessToken
}

// privateSession gives e a desktop session of its own (its own bus and
// gnome-keyring), for tests that stop the keyring daemon; it returns the
// daemon's PID.
func privateSession(t *testing.T, e *env) int {
	t.Helper()
	env := teststack.Start(t)
	e.extra = append(e.extra, env...)
	return teststack.PID(t, env, "gnome-keyring")
}

// A refresh whose request has reached the issuer is seen through when the
// user presses Ctrl-C or the session sends SIGTERM: the rotated refresh token
// is stored, so the next refresh works and no spent token reaches the issuer.
func TestSignalDuringRefreshKeepsTheRotatedToken(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			srv := testserver.Start(t, testserver.Options{Stock: true})
			e := newEnv(t)
			old := addProfile(t, e, srv, "openid offline_access", "")
			srv.AnswerLate(t, 1500*time.Millisecond, 1)
			p := e.start("", "token", "dev", "--refresh")
			srv.WaitHeld(t, 1) // the issuer has rotated; the answer is on its way
			require.NoError(t, p.cmd.Process.Signal(sig))
			r := p.wait(t, 20*time.Second)
			require.Contains(t, r.stderr, "finishing the refresh of dev")
			require.Equal(t, 128+int(sig), r.code, r.stderr)
			require.Empty(t, r.stdout, "an interrupted call prints no token")

			stored := e.refreshToken("dev")
			remember(stored)
			require.NotEqual(t, old, stored, "the rotated refresh token was stored")
			require.True(t, srv.Active(t, stored))

			r = e.must("", "token", "dev", "--refresh")
			at := strings.TrimSpace(r.stdout)
			remember(at)
			require.True(t, srv.Active(t, at))
			require.Zero(t, srv.Stats(t).Reuse, "no spent refresh token reached the issuer")
		})
	}
}

// A second Ctrl-C does not wait.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access", "")
	srv.AnswerLate(t, 20*time.Second, 1)
	p := e.start("", "token", "dev", "--refresh")
	srv.WaitHeld(t, 1)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	require.Eventually(t, func() bool { return strings.Contains(p.stderr.String(), "finishing the refresh of dev") }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	r := p.wait(t, 3*time.Second)
	require.Equal(t, 130, r.code, r.stderr)
}

// The keychain stalls (gnome-keyring stopped, as an unlock prompt or a busy
// daemon does) between the issuer's answer and the write of the rotated
// refresh token. Whatever happens next, no spent refresh token is ever sent:
// the outcome is a working token or "sign in again" (exit 3) with the reason.
func TestKeychainStallAfterRotation(t *testing.T) {
	for _, tc := range []struct {
		name string
		// resume is how long after the answer the keyring continues; 0:
		// only after the process has ended.
		resume time.Duration
	}{
		{"resumes while tokentray waits", 7 * time.Second},
		{"resumes after tokentray gave up", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testserver.Start(t, testserver.Options{Stock: true})
			e := newEnv(t)
			keyring := privateSession(t, e)
			addProfile(t, e, srv, "openid offline_access", "")
			srv.AnswerLate(t, 500*time.Millisecond, 1)
			p := e.start("", "token", "dev", "--refresh")
			srv.WaitHeld(t, 1)
			require.NoError(t, syscall.Kill(keyring, syscall.SIGSTOP))
			continued := false
			cont := func() {
				if !continued {
					continued = true
					require.NoError(t, syscall.Kill(keyring, syscall.SIGCONT))
				}
			}
			t.Cleanup(cont)
			if tc.resume > 0 {
				time.Sleep(tc.resume)
				cont()
			}
			r := p.wait(t, 60*time.Second)
			cont()
			requireTokenOrSignIn(t, srv, "first call", r)
			if tc.resume > 0 {
				require.Equal(t, 0, r.code, "the write that landed while tokentray waited counts")
			}

			// Later calls, from other processes, never send the spent token.
			before := srv.Stats(t).TokenRequests
			if r := e.run("", "token", "dev", "--refresh"); requireTokenOrSignIn(t, srv, "second call", r) == 3 {
				require.Equal(t, before, srv.Stats(t).TokenRequests, "the issuer was not contacted")
			}
			require.Zero(t, srv.Stats(t).Reuse, "no spent refresh token reached the issuer")
		})
	}
}

// requireTokenOrSignIn checks that r printed an access token that is active
// at srv (exit 0) or said to sign in again because the rotated refresh token
// could not be stored (exit 3), and returns the exit code.
func requireTokenOrSignIn(t *testing.T, srv *testserver.Server, what string, r result) int {
	t.Helper()
	t.Logf("%s: exit %d, stderr %q", what, r.code, r.stderr)
	switch r.code {
	case 0:
		remember(strings.TrimSpace(r.stdout))
		require.True(t, srv.Active(t, strings.TrimSpace(r.stdout)))
	case 3:
		require.Contains(t, r.stderr, "the issuer rotated the refresh token but the keychain did not store the new one")
		require.Contains(t, r.stderr, "tokentray login dev")
	default:
		t.Fatalf("%s: exit %d: want a token (0) or sign in again (3)\nstderr: %s", what, r.code, r.stderr)
	}
	return r.code
}

// `profile rm dev` while dev's refresh is in flight, then `profile add dev`
// at another issuer: the new profile starts without tokens and the second
// issuer never receives the first one's refresh token.
func TestRemoveAndAddDuringRefresh(t *testing.T) {
	first := testserver.Start(t, testserver.Options{Stock: true})
	second := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	old := addProfile(t, e, first, "openid offline_access", "")
	first.AnswerLate(t, 2*time.Second, 1)
	p := e.start("", "token", "dev", "--refresh")
	first.WaitHeld(t, 1)
	e.must("", "profile", "rm", "dev")
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", "--issuer", second.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	r := p.wait(t, 30*time.Second)
	t.Logf("refresh: exit %d, stderr %q", r.code, r.stderr)
	if r.code == 0 {
		remember(strings.TrimSpace(r.stdout))
	}

	require.Empty(t, e.refreshToken("dev"), "the new profile has no refresh token")
	require.Empty(t, e.cachedToken("dev"), "the new profile has no cached token")
	r = e.run("", "token", "dev")
	require.Equal(t, 3, r.code, "the new profile needs a sign-in: %s", r.stderr)
	require.Empty(t, r.stdout)
	require.False(t, second.Received(t, old))
	require.Zero(t, second.Stats(t).ByGrant["refresh_token"], "the second issuer got no refresh request at all")
}

var userCodeRE = regexp.MustCompile(`(?m)^\s+([A-Z0-9-]{4,})\s*$`)

// A device sign-in approved after the profile was moved to another issuer
// stores nothing under the edited profile.
func TestDeviceSignInAfterProfileMoved(t *testing.T) {
	first := testserver.Start(t, testserver.Options{Stock: true, DeviceInterval: time.Second})
	second := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", "--issuer", first.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	p := e.start("", "login", "dev", "--device", "--timeout", "60s")
	var code string
	require.Eventually(t, func() bool {
		if m := userCodeRE.FindStringSubmatch(p.stderr.String()); m != nil {
			code = m[1]
			return true
		}
		return false
	}, 20*time.Second, 20*time.Millisecond, "no user code printed")
	e.must("", "profile", "edit", "dev", "--issuer", second.Issuer)
	first.ApproveDevice(t, code, false)
	r := p.wait(t, 30*time.Second)
	require.NotEqual(t, 0, r.code, "the sign-in must not succeed: %s", r.stderr)
	require.Contains(t, r.stderr, "dev changed while you were signing in; sign in again")
	require.Empty(t, e.refreshToken("dev"))
	require.Empty(t, e.cachedToken("dev"))
	require.Zero(t, second.TokenRequests(t))
}

// Eight `profile add` processes at once leave eight listed profiles, and
// eight `profile rm` leave none (nothing behind in the keychain either).
func TestConcurrentProfileEditsKeepTheIndex(t *testing.T) {
	e := newEnv(t)
	const n = 8
	run := func(args func(i int) []string) {
		var wg sync.WaitGroup
		errs := make(chan string, n)
		for i := range n {
			wg.Go(func() {
				if r := e.run("", args(i)...); r.code != 0 {
					errs <- fmt.Sprintf("%v: exit %d: %s", args(i), r.code, r.stderr)
				}
			})
		}
		wg.Wait()
		close(errs)
		for msg := range errs {
			t.Error(msg)
		}
	}
	run(func(i int) []string {
		return []string{"profile", "add", fmt.Sprintf("p%d", i), "--domain", fmt.Sprintf("t%d.eu.auth0.com", i), "--client-id", "c", "--auth", "none"}
	})
	r := e.must("", "profile", "list", "--json")
	for i := range n {
		require.Contains(t, r.stdout, fmt.Sprintf(`"p%d"`, i))
	}
	run(func(i int) []string { return []string{"profile", "rm", fmt.Sprintf("p%d", i)} })
	r = e.must("", "profile", "list", "--json")
	for i := range n {
		require.NotContains(t, r.stdout, fmt.Sprintf(`"p%d"`, i))
	}
	sc := bufio.NewScanner(strings.NewReader(strings.Join(e.keychainItems(), "\n")))
	for sc.Scan() {
		require.Equal(t, "index", sc.Text(), "only the (empty) index may remain")
	}
}
