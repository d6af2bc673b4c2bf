package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/internal/version"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/testsupport/teststack"
)

// addProfile adds profile dev (client_secret_post) at srv — an OpenID
// Connect issuer profile for a stock server, an Auth0 domain profile for an
// Auth0-shaped one — and stores a fresh refresh token for it through the
// CLI, as a user would.
func addProfile(t *testing.T, e *env, srv *testserver.Server, scope, resource string) string {
	t.Helper()
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", where(srv), "--client-id", testserver.PostClientID, "--client-secret-stdin")
	rt := srv.Mint(t, testserver.PostClientID, scope, resource)
	remember(rt)
	e.must(rt, "login", "dev", "--refresh-token-stdin")
	return rt
}

// where is the profile flag naming srv: --issuer=URL for a stock server,
// --domain=URL for an Auth0-shaped one.
func where(srv *testserver.Server) string {
	if srv.Stock {
		return "--issuer=" + srv.Issuer
	}
	return "--domain=" + srv.Issuer
}

func TestProfilesLiveInTheKeychain(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	rt := addProfile(t, e, srv, "openid offline_access", "")
	items := e.keychainItems()
	require.Contains(t, items, "index")
	require.Contains(t, items, "profile:dev")
	require.Contains(t, items, "session:dev", "the refresh token and the token cache, one item")

	r := e.must("", "token", "dev")
	at := strings.TrimSpace(r.stdout)
	remember(at)
	require.True(t, srv.Active(t, at), "the printed access token is active at the server")
	require.Equal(t, at, e.cachedToken("dev"), "the access token is cached in the keychain")

	// The stored refresh token is the rotated one, straight from the keychain.
	stored := e.refreshToken("dev")
	require.NotEqual(t, rt, stored)
	require.True(t, srv.Active(t, stored))
	remember(stored)

	r = e.must("", "profile", "list")
	require.Contains(t, r.stdout, "dev")
	require.Contains(t, r.stdout, "valid")

	e.must("", "profile", "rm", "dev")
	require.Empty(t, slices.DeleteFunc(e.keychainItems(), func(s string) bool { return s == "index" }), "removing a profile removes all its items")
	require.Equal(t, 1, e.run("", "token", "dev").code)
}

func TestCompletionListsProfiles(t *testing.T) {
	e := newEnv(t)
	e.must("", "profile", "add", "alpha", "--domain", "alpha.eu.auth0.com", "--client-id", "a", "--auth", "none")
	e.must("", "profile", "add", "beta", "--domain", "beta.eu.auth0.com", "--client-id", "b", "--auth", "none")
	r := e.must("", "__complete", "token", "")
	require.Contains(t, r.stdout, "alpha\nbeta\n")
	r = e.must("", "completion", "bash")
	require.Contains(t, r.stdout, "__start_tokentray")
}

// Eight CLI processes and a dozen goroutines of another process ask for the
// same profile whose token needs refreshing. Under rotation with reuse
// detection, a second refresh with the spent token would revoke the grant:
// exactly one refresh may happen and the session must survive.
func TestConcurrentProcessesRefreshOnce(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true, IssuerPath: "/realms/test"})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access", "")
	srv.ResetStats(t)

	locks, err := auth.LockDir(e.service)
	require.NoError(t, err)
	inProc := auth.NewEngine(keychain.New(e.service), auth.FileLocker{Dir: locks})

	var wg sync.WaitGroup
	var mu sync.Mutex
	var tokens, failures []string
	add := func(tok, failure string) {
		mu.Lock()
		defer mu.Unlock()
		if failure != "" {
			failures = append(failures, failure)
			return
		}
		tokens = append(tokens, tok)
	}
	start := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			<-start
			cmd := e.command(context.Background(), "", "token", "dev")
			out, err := cmd.Output()
			if err != nil {
				add("", "process: "+err.Error())
				return
			}
			add(strings.TrimSpace(string(out)), "")
		})
	}
	for range 12 {
		wg.Go(func() {
			<-start
			tok, err := inProc.Token(context.Background(), "dev", auth.TokenOptions{})
			if err != nil {
				add("", "goroutine: "+err.Error())
				return
			}
			add(tok.AccessToken, "")
		})
	}
	close(start)
	wg.Wait()

	require.Empty(t, failures)
	require.Len(t, tokens, 20)
	for _, tok := range tokens {
		require.Equal(t, tokens[0], tok, "everyone got the one refreshed token")
	}
	remember(tokens[0])
	require.Equal(t, 1, srv.TokenRequests(t), "exactly one refresh at the server")
	require.True(t, srv.Active(t, tokens[0]))
	// The grant is alive: a forced refresh with the stored token works.
	r := e.must("", "token", "dev", "--refresh")
	require.True(t, srv.Active(t, strings.TrimSpace(r.stdout)))
	remember(strings.TrimSpace(r.stdout))
}

func TestReusedRefreshTokenExitsWith3(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	old := addProfile(t, e, srv, "openid offline_access", "")
	e.must("", "token", "dev", "--refresh") // rotates: old is spent
	e.must(old, "login", "dev", "--refresh-token-stdin")

	// tokentray knows old is spent: it is refused without asking the issuer.
	srv.ResetStats(t)
	r := e.run("", "token", "dev")
	require.Equal(t, 3, r.code, r.stderr)
	require.Contains(t, r.stderr, "Sign in again: tokentray login dev")
	require.Empty(t, r.stdout)
	require.NotContains(t, r.stderr, old)
	require.Zero(t, srv.TokenRequests(t), "a spent refresh token is never sent")

	// A copy that this machine's record does not know of (another
	// machine's, say) reaches the issuer, which refuses it: exit 3 too.
	locks, err := auth.LockDir(e.service)
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(locks, "dev.spent")))
	r = e.run("", "token", "dev")
	require.Equal(t, 3, r.code, r.stderr)
	require.Contains(t, r.stderr, "sign in again")
	require.Equal(t, 1, srv.Stats(t).Reuse)
	require.NotContains(t, r.stderr, old)

	require.Equal(t, old, e.refreshToken("dev"), "the rejected refresh token is kept, not destroyed")
}

func TestCopyPutsTokenOnClipboard(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access read:things", testserver.APIAudience)
	r := e.must("", "token", "dev", "--copy")
	require.Empty(t, r.stdout)
	require.Contains(t, r.stderr, "Copied the access token for dev")
	var clip []byte
	require.Eventually(t, func() bool {
		var err error
		clip, err = exec.Command("xclip", "-o", "-selection", "clipboard").Output()
		return err == nil && len(clip) > 0
	}, 5*time.Second, 50*time.Millisecond)
	remember(string(clip))
	require.True(t, srv.Active(t, string(clip)), "the clipboard holds an active access token")
	require.Equal(t, auth.KindJWT, auth.Decode(string(clip)).Kind)

	// Marked as a secret for clipboard managers, next to the text.
	targets, err := exec.Command("xclip", "-o", "-selection", "clipboard", "-t", "TARGETS").Output()
	require.NoError(t, err)
	require.Contains(t, strings.Fields(string(targets)), "x-kde-passwordManagerHint")
	require.Contains(t, strings.Fields(string(targets)), "UTF8_STRING")
	hint, err := exec.Command("xclip", "-o", "-selection", "clipboard", "-t", "x-kde-passwordManagerHint").Output()
	require.NoError(t, err)
	require.Equal(t, "secret", string(hint))
}

// --clear-after takes the token off the clipboard once its time is up,
// after the command itself has long returned.
func TestCopyIsClearedAfterItsTime(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := newEnv(t)
	addProfile(t, e, srv, "openid offline_access", "")
	r := e.must("", "token", "dev", "--copy", "--clear-after", "2s")
	require.Contains(t, r.stderr, "it is taken off again in 2 s")
	clip, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
	require.NoError(t, err, "on the clipboard once the command has returned")
	remember(string(clip))
	require.True(t, srv.Active(t, string(clip)))
	require.Eventually(t, func() bool {
		out, err := exec.Command("xclip", "-o", "-selection", "clipboard").Output()
		return err != nil || len(out) == 0
	}, 10*time.Second, 100*time.Millisecond, "gone after 2 s")
}

// HTTPS_PROXY is honoured: the refresh for a remote tenant goes through the
// proxy (which here refuses it), never around it.
func TestProxyIsHonoured(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	seen := make(chan string, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err == nil {
					seen <- req.Method + " " + req.Host
				}
				c.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	e := newEnv(t)
	e.extra = []string{"HTTPS_PROXY=http://" + ln.Addr().String(), "NO_PROXY="}
	e.must("", "profile", "add", "remote", "--domain", "tenant.example.test", "--client-id", "c", "--auth", "none")
	e.must("rt-for-proxy-test", "login", "remote", "--refresh-token-stdin")
	r := e.run("", "token", "remote")
	require.NotEqual(t, 0, r.code)
	select {
	case got := <-seen:
		require.Equal(t, "CONNECT tenant.example.test:443", got)
	case <-time.After(5 * time.Second):
		t.Fatal("the proxy was not used")
	}
	require.Equal(t, "rt-for-proxy-test", e.refreshToken("remote"))
}

func TestSecretsNeverInArguments(t *testing.T) {
	e := newEnv(t)
	r := e.run("", "profile", "add", "x", "--domain", "a.com", "--client-id", "c", "--client-secret", "oops")
	require.Equal(t, 2, r.code, "there is no flag that takes a secret")
	r = e.run("", "login", "x", "--refresh-token", "oops")
	require.Equal(t, 2, r.code)
}

// On a terminal, secrets are read with echo off: run the binary on a pseudo
// terminal (util-linux's script), type the refresh token at the prompt, and
// check that the terminal never showed it while the keychain got it.
func TestHiddenPromptOnATerminal(t *testing.T) {
	e := newEnv(t)
	e.must("", "profile", "add", "dev", "--domain", "acme.eu.auth0.com", "--client-id", "c", "--auth", "none")
	const secret = "typed-refresh-token-5c1d9e7a"
	remember(secret)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qec", bin+" login dev --refresh-token-stdin", "/dev/null")
	cmd.Env = append(os.Environ(), "TOKENTRAY_KEYCHAIN_SERVICE="+e.service)
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var screen strings.Builder
	buf := make([]byte, 256)
	for !strings.Contains(screen.String(), "(input hidden): ") {
		n, err := out.Read(buf)
		require.NoError(t, err, "no prompt; the terminal showed: %q", screen.String())
		screen.Write(buf[:n])
	}
	// The prompt is written just before echo is switched off; type at a
	// human's pace after it, as a person (or a paste) would.
	time.Sleep(300 * time.Millisecond)
	_, err = in.Write([]byte(secret + "\r"))
	require.NoError(t, err)
	rest, _ := io.ReadAll(out)
	screen.Write(rest)
	in.Close()
	require.NoError(t, cmd.Wait(), screen.String())
	require.Contains(t, screen.String(), "Stored the refresh token for dev")
	require.NotContains(t, screen.String(), secret, "the typed secret was echoed")
	stored, ok := storedRefreshToken(t, e, "dev")
	require.True(t, ok)
	require.Equal(t, secret, stored)
}

// A profile whose record vanished from the keychain (removed by another
// tool) is listed as broken, does not break the listing, and can be removed.
func TestBrokenProfileCanBeRemoved(t *testing.T) {
	e := newEnv(t)
	e.must("", "profile", "add", "ok", "--domain", "ok.eu.auth0.com", "--client-id", "c", "--auth", "none")
	e.must("", "profile", "add", "gone", "--domain", "gone.eu.auth0.com", "--client-id", "c", "--auth", "none")
	require.NoError(t, exec.Command("secret-tool", "clear", "service", e.service, "username", "profile:gone").Run())

	r := e.must("", "profile", "list")
	require.Regexp(t, `gone\s.*error: .*remove the profile`, r.stdout)
	require.Regexp(t, `ok\s.*ok\.eu\.auth0\.com`, r.stdout)
	require.Equal(t, 1, e.run("", "token", "gone").code)

	e.must("", "profile", "rm", "gone")
	r = e.must("", "profile", "list", "--json")
	require.NotContains(t, r.stdout, `"gone"`)
	require.Contains(t, r.stdout, `"ok"`)
}

// A locked or missing keychain: a message that says what to do, quickly,
// and never a plaintext fallback.
func TestKeychainUnavailableMessages(t *testing.T) {
	env := teststack.Start(t) // locking must not disturb the shared session
	e := newEnv(t)
	e.extra = env
	e.must("", "profile", "add", "dev", "--domain", "acme.eu.auth0.com", "--client-id", "c", "--auth", "none")

	lock := exec.Command("busctl", "--user", "call", "org.freedesktop.secrets", "/org/freedesktop/secrets",
		"org.freedesktop.Secret.Service", "Lock", "ao", "1", "/org/freedesktop/secrets/collection/login")
	lock.Env = env
	out, err := lock.CombinedOutput()
	require.NoError(t, err, "lock: %s", out)

	start := time.Now()
	r := e.run("secret-value-typed-while-locked", "login", "dev", "--refresh-token-stdin")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "keyring is locked")
	require.Contains(t, r.stderr, "unlock it")
	require.Less(t, time.Since(start), 10*time.Second)
	r = e.run("", "profile", "list")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "keyring is locked")

	// No Secret Service on the bus at all.
	e.extra = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	r = e.run("", "profile", "list")
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "never stores secrets in plain files")

	home := teststack.Getenv(env, "HOME")
	remember("secret-value-typed-while-locked")
	require.Empty(t, scanForSecrets(filepath.Dir(home)), "no plaintext fallback")
}

// The command line, which scripts run before every API call, links no GUI
// toolkit and no cgo (so it starts fast and cross-compiles anywhere); the
// tray app is the executable beside it.
func TestCommandLineLinksNoGUI(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", bin).Output()
	require.NoError(t, err)
	info := string(out)
	for _, gui := range []string{"fyne.io/", "github.com/go-gl/", "fyne.io/systray"} {
		require.NotContains(t, info, gui)
	}
	require.Contains(t, info, "CGO_ENABLED=0")

	gui, err := exec.Command("go", "version", "-m", filepath.Join(filepath.Dir(bin), "tokentray-gui")).Output()
	require.NoError(t, err)
	require.Contains(t, string(gui), "fyne.io/fyne/v2", "the tray app is the executable beside it")

	// Alone, without the tray app beside it or on PATH, it says what to do.
	lone := filepath.Join(t.TempDir(), "tokentray")
	b, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(lone, b, 0o755))
	cmd := exec.Command(lone)
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
	msg, err := cmd.CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(msg), "the tray app (tokentray-gui) is not installed beside tokentray or on PATH")
	require.Contains(t, string(msg), "make build")

	// A tokentray-gui that is the command line itself (a symlink, a copy)
	// is not started: it would start itself forever.
	require.NoError(t, os.Symlink(lone, filepath.Join(filepath.Dir(lone), "tokentray-gui")))
	cmd = exec.Command(lone)
	cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin")
	start := time.Now()
	msg, err = cmd.CombinedOutput()
	require.Error(t, err)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Contains(t, string(msg), "is not installed beside tokentray")
}

// Without a desktop (an SSH session, a stale DISPLAY), starting the tray
// app says so in one line and exits 1 at once: no GLFW panic.
func TestTrayAppWithoutADisplay(t *testing.T) {
	for _, display := range []string{"", ":77", "localhost:77"} {
		t.Run("DISPLAY="+display, func(t *testing.T) {
			cmd := exec.Command(bin)
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			if display != "" {
				cmd.Env = append(cmd.Env, "DISPLAY="+display)
			}
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			require.Equal(t, 1, ee.ExitCode(), "%s", out)
			require.Less(t, took, 2*time.Second)
			msg := string(out)
			require.Equal(t, 1, strings.Count(msg, "\n"), "one line: %q", msg)
			require.Contains(t, msg, "the tray app needs a graphical session")
			require.Contains(t, msg, "tokentray --help")
			require.NotContains(t, strings.ToLower(msg), "panic")
		})
	}
}

// --version and the version command print the release and the build's
// `git describe`, as the Makefile stamps it.
func TestVersion(t *testing.T) {
	want := "tokentray " + version.Release
	if describe != "" {
		want += " (" + describe + ")"
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		r := newEnv(t).must("", args...)
		require.Equal(t, want+"\n", r.stdout, args)
	}
}

// `tokentray autostart on` writes an XDG autostart entry starting the tray
// app beside it, hidden; `off` removes it; `status` tells.
func TestAutostart(t *testing.T) {
	e := newEnv(t)
	cfg := t.TempDir()
	e.extra = append(e.extra, "XDG_CONFIG_HOME="+cfg)
	entry := filepath.Join(cfg, "autostart", "tokentray.desktop")
	require.Equal(t, "off\n", e.must("", "autostart", "status").stdout)
	r := e.must("", "autostart", "on")
	require.Contains(t, r.stderr, entry)
	b, err := os.ReadFile(entry)
	require.NoError(t, err)
	gui, err := filepath.EvalSymlinks(filepath.Join(filepath.Dir(bin), "tokentray-gui"))
	require.NoError(t, err)
	require.Contains(t, string(b), `Exec="`+gui+`" --hidden`+"\n")
	out, err := exec.Command("desktop-file-validate", entry).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Equal(t, "on\n", e.must("", "autostart", "status").stdout)
	e.must("", "autostart", "off")
	_, err = os.Stat(entry)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.Equal(t, 2, e.run("", "autostart", "maybe").code)
}

// A keychain written by tokentray before the session item (refresh:NAME and
// token:NAME) keeps working, and the first refresh moves it to one item.
func TestLegacyItemsMoveToTheSessionItem(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Stock: true})
	e := newEnv(t)
	e.must(testserver.PostClientSecret+"\n", "profile", "add", "dev", where(srv), "--client-id", testserver.PostClientID, "--client-secret-stdin")
	old := srv.Mint(t, testserver.PostClientID, "openid offline_access", "")
	remember(old)
	store := exec.Command("secret-tool", "store", "--label", "legacy", "service", e.service, "username", "refresh:dev")
	store.Stdin = strings.NewReader(old)
	require.NoError(t, store.Run())
	require.Equal(t, old, e.refreshToken("dev"))

	r := e.must("", "token", "dev")
	at := strings.TrimSpace(r.stdout)
	remember(at)
	require.True(t, srv.Active(t, at))
	items := e.keychainItems()
	require.Contains(t, items, "session:dev")
	require.NotContains(t, items, "refresh:dev", "the old item is gone")
	require.NotContains(t, items, "token:dev")
	rt := e.refreshToken("dev")
	remember(rt)
	require.NotEqual(t, old, rt)
	require.True(t, srv.Active(t, rt))
	require.Equal(t, at, e.cachedToken("dev"))
}

// TestCLIStaysQuietUnderCUTF8 runs the binary the way scripts in
// containers do (LANG=C and friends): nothing but the help may reach the
// terminal.
func TestCLIStaysQuietUnderCUTF8(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "C", "en_US.UTF-8"} {
		c := exec.Command(bin, "--help")
		c.Env = append(os.Environ(), "LANG="+lang, "LC_ALL=", "LANGUAGE=")
		var stderr bytes.Buffer
		c.Stderr = &stderr
		require.NoError(t, c.Run())
		require.Empty(t, stderr.String(), "LANG=%s", lang)
	}
}
