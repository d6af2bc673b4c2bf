// Package teststack starts, for one test, a private headless desktop session
// of its own (testsupport/teststack/teststack.sh: Xvfb, a session D-Bus, an unlocked
// gnome-keyring and, when installed, a tray host, notification daemon and
// window manager), for tests that lock the keychain, click the tray or use
// the clipboard and so must not share `make test`'s session with others.
package teststack

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/kernelkeys"
)

// Start starts a session, stopped by PID when t ends, and returns its
// environment (the current one with the session's variables on top).
func Start(t testing.TB) []string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "teststack.sh")
	dir := t.TempDir()
	if out, err := exec.Command("bash", script, "start", dir).CombinedOutput(); err != nil {
		t.Fatalf("teststack start: %v: %s", err, out)
	}
	var env []string
	t.Cleanup(func() {
		if out, err := exec.Command("bash", script, "stop", dir).CombinedOutput(); err != nil {
			t.Errorf("teststack stop: %v: %s", err, out)
		}
		// The kernel's copies of the session's token sets too: the
		// kernel's key store outlives the session.
		if cache := Getenv(env, "XDG_CACHE_HOME"); cache != "" {
			kernelkeys.DropScope(auth.LockRootUnder(cache))
		}
	})
	dump, err := exec.Command("bash", "-c", `. "$1/env" && env -0`, "bash", dir).Output()
	if err != nil {
		t.Fatalf("teststack env: %v", err)
	}
	for _, kv := range strings.Split(string(dump), "\x00") {
		if kv != "" {
			env = append(env, kv)
		}
	}
	return env
}

// Getenv returns the last value of key in env.
func Getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// PID returns the PID that the session of env (Start's result, or the
// environment of `make test` itself) recorded for process name, such as
// "gnome-keyring": tests stop and continue it to make the keychain stall.
func PID(t testing.TB, env []string, name string) int {
	t.Helper()
	dir := Getenv(env, "TOKENTRAY_TEST_STACK_DIR")
	if dir == "" {
		t.Fatal("teststack: no TOKENTRAY_TEST_STACK_DIR in the environment: run under `make test`")
	}
	b, err := os.ReadFile(filepath.Join(dir, "pids"))
	if err != nil {
		t.Fatalf("teststack: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == name {
			pid, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatalf("teststack: pid of %s: %v", name, err)
			}
			return pid
		}
	}
	t.Fatalf("teststack: %s is not in %s/pids", name, dir)
	return 0
}
