// Package e2e runs the built tokentray binary as users and scripts do: real
// processes, the real Secret Service (gnome-keyring on a private D-Bus
// session started by `make test`), the real authorization server.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/testsupport/testserver"
	"github.com/tokentray/tokentray/testsupport/teststack"
)

// bin is the binary under test: $TOKENTRAY_BIN (make test builds it) or one
// built here; browser is the test browser (see testbrowser/); describe is
// the `git describe` its version was stamped with.
var bin, browser, describe string

// secrets collects every secret the tests hand to tokentray; after the suite
// none of them may appear in a file under $HOME (config, cache, logs).
var secrets struct {
	sync.Mutex
	list []string
}

func remember(s ...string) {
	secrets.Lock()
	secrets.list = append(secrets.list, s...)
	secrets.Unlock()
}

func TestMain(m *testing.M) {
	if os.Getenv("TOKENTRAY_TEST_STACK") != "1" {
		fmt.Fprintln(os.Stderr, "e2e: run `make test` (starts a private D-Bus session, gnome-keyring and Xvfb for these tests)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "tokentray-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cleanup := func() { os.RemoveAll(dir) }
	_, file, _, _ := runtime.Caller(0)
	build := func(out string, pkgs ...string) {
		cmd := exec.Command("go", append([]string{"build", "-o", out}, pkgs...)...)
		cmd.Dir = filepath.Dir(filepath.Dir(file))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: build %s: %v\n", strings.Join(pkgs, " "), err)
			cleanup()
			os.Exit(1)
		}
	}
	bin, describe = os.Getenv("TOKENTRAY_BIN"), os.Getenv("TOKENTRAY_DESCRIBE")
	if bin == "" {
		// Both executables, side by side (the CLI finds the tray app
		// there), built as `make build` builds them.
		out, _ := exec.Command("git", "-C", filepath.Dir(filepath.Dir(file)), "describe", "--tags", "--always", "--dirty").Output()
		describe = strings.TrimSpace(string(out))
		ldflags := "-X github.com/tokentray/tokentray/internal/version.Describe=" + describe
		os.Setenv("CGO_ENABLED", "0")
		build(dir+string(filepath.Separator), "-ldflags", ldflags, ".")
		os.Unsetenv("CGO_ENABLED")
		build(dir+string(filepath.Separator), "-ldflags", ldflags, "./cmd/tokentray-gui")
		bin = filepath.Join(dir, "tokentray")
	}
	browser = filepath.Join(dir, "testbrowser")
	build(browser, "./e2e/testbrowser")
	remember(testserver.PostClientSecret, testserver.BasicClientSecret)
	code := m.Run()
	cleanup()
	if code == 0 {
		// The test session's directory: $HOME (config, cache, keyrings) and
		// the logs of the bus, keyring and X server beside it.
		root := filepath.Dir(os.Getenv("HOME"))
		if leaks := scanForSecrets(root); len(leaks) > 0 {
			fmt.Fprintf(os.Stderr, "e2e: secrets found on disk under %s:\n  %s\n", root, strings.Join(leaks, "\n  "))
			code = 1
		} else {
			secrets.Lock()
			fmt.Printf("e2e: scanned %s for %d secrets used by the tests: none on disk\n", root, len(secrets.list))
			secrets.Unlock()
		}
	}
	os.Exit(code)
}

// scanForSecrets lists files under root containing any remembered secret.
// gnome-keyring's own encrypted keyring file is scanned too: it must hold
// only ciphertext.
func scanForSecrets(root string) []string {
	secrets.Lock()
	list := append([]string(nil), secrets.list...)
	secrets.Unlock()
	var leaks []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if strings.Contains(path, string(filepath.Separator)+"go"+string(filepath.Separator)) {
			return nil // a Go module cache under $HOME, if any
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, s := range list {
			if s != "" && bytes.Contains(b, []byte(s)) {
				leaks = append(leaks, fmt.Sprintf("%s contains a secret of %d bytes", path, len(s)))
			}
		}
		return nil
	})
	return leaks
}

// env is one isolated tokentray world: its own keychain service name and
// therefore its own profiles and lock directory.
type env struct {
	t       testing.TB
	service string
	extra   []string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	e := &env{t: t, service: "tokentray-e2e-" + hex.EncodeToString(b)}
	t.Cleanup(func() {
		// Nor in the kernel's key store, where the binaries copied the
		// token sets (keychain.KernelCache).
		keychain.NewKernelCache(e.service, e.lockRoot()).DropAll()
		// Leave nothing behind in the shared keychain.
		out, _ := exec.Command("secret-tool", "search", "--all", "service", e.service).CombinedOutput()
		if strings.Contains(string(out), "attribute.username") {
			exec.Command("secret-tool", "clear", "service", e.service).Run()
		}
	})
	return e
}

// getenv is the variable as the binaries e runs see it.
func (e *env) getenv(key string) string {
	return teststack.Getenv(append(os.Environ(), e.extra...), key)
}

// lockRoot is where the binaries e runs keep the lock directories of
// their keychain services (auth.LockRoot, from os.UserCacheDir).
func (e *env) lockRoot() string {
	cache := e.getenv("XDG_CACHE_HOME")
	if cache == "" {
		cache = filepath.Join(e.getenv("HOME"), ".cache")
	}
	return auth.LockRootUnder(cache)
}

type result struct {
	code           int
	stdout, stderr string
}

// run starts the binary with args and stdin, waits at most 60 s.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := e.command(ctx, stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			e.t.Fatalf("run tokentray %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (e *env) command(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(append(os.Environ(), "TOKENTRAY_KEYCHAIN_SERVICE="+e.service), e.extra...)
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

// must runs and fails the test unless the exit code is 0.
func (e *env) must(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != 0 {
		e.t.Fatalf("tokentray %v: exit %d\nstderr: %s", args, r.code, r.stderr)
	}
	return r
}

// keychainItems lists the accounts stored under the env's service.
func (e *env) keychainItems() []string {
	e.t.Helper()
	out, _ := exec.Command("secret-tool", "search", "--all", "--unlock", "service", e.service).CombinedOutput()
	var users []string
	for _, line := range strings.Split(string(out), "\n") {
		if u, ok := strings.CutPrefix(line, "attribute.username = "); ok {
			users = append(users, u)
		}
	}
	return users
}
