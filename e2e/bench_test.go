package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/auth/keychain"
	"github.com/tokentray/tokentray/testsupport/testserver"
)

// BenchmarkCLI prints, side by side in one run against the local
// authorization server and the session's gnome-keyring, the figures `make
// bench` reports for the command line, each with its reference and goal:
//
//   - cached `tokentray token` vs `secret-tool lookup` of one item (goal ≤ 0.5×)
//   - forced refresh vs the same safe job by hand: `secret-tool lookup` of the
//     refresh token, curl of the refresh request, `secret-tool store` of the
//     rotated one (goal ≤ 0.75×)
//   - process start, `tokentray --help` vs `secret-tool --help` (goal ≤ 2×)
//
// Medians of whole process runs; the goals are reported, never asserted.
func BenchmarkCLI(b *testing.B) {
	const runs = 41
	srv := testserver.Start(b, testserver.Options{})
	e := newEnv(b)
	run := func(stdin string, args ...string) {
		cmd := e.command(context.Background(), stdin, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tokentray %v: %v\n%s", args, err, out)
		}
	}
	tool := func(stdin string, args ...string) []byte {
		cmd := exec.Command("secret-tool", args...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil && args[0] != "--help" {
			b.Fatalf("secret-tool %v: %v", args, err)
		}
		return out
	}
	run(testserver.PostClientSecret, "profile", "add", "dev", "--domain", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	run(srv.Mint(b, testserver.PostClientID, "openid offline_access", ""), "login", "dev", "--refresh-token-stdin")
	run("", "token", "dev") // fill the cache
	floor := filepath.Join(b.TempDir(), "floor")
	buildStatic(b, floor, "./floor")

	// Go's own start: a static hello-world, the least any Go command costs.
	hello := filepath.Join(b.TempDir(), "hello")
	if err := os.WriteFile(hello+".go", []byte("package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	buildStatic(b, hello, hello+".go")

	// medians runs the commands in turn, runs times over, so that a
	// drift in the machine's speed weighs on each of them alike, and
	// returns the median of each.
	medians := func(fs ...func()) []time.Duration {
		ds := make([][]time.Duration, len(fs))
		for range runs {
			for i, f := range fs {
				start := time.Now()
				f()
				ds[i] = append(ds[i], time.Since(start))
			}
		}
		m := make([]time.Duration, len(fs))
		for i := range ds {
			slices.Sort(ds[i])
			m[i] = ds[i][len(ds[i])/2]
		}
		return m
	}
	median := func(f func()) time.Duration { return medians(f)[0] }
	b.ResetTimer()
	m := medians(func() { run("", "--help") }, func() { tool("", "--help") }, func() {
		if err := exec.Command(hello).Run(); err != nil {
			b.Fatalf("hello: %v", err)
		}
	})
	help, toolHelp, goStart := m[0], m[1], m[2]
	keychainOnly := func() {
		cmd := e.command(context.Background(), "", "token", "dev")
		cmd.Env = append(cmd.Env, keychain.NoQuickCacheEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tokentray token dev: %v\n%s", err, out)
		}
	}
	m = medians(func() { run("", "token", "dev") },
		func() { tool("", "lookup", "service", e.service, "username", "session:dev") },
		func() {
			if out, err := exec.Command(floor, e.service, "dev").CombinedOutput(); err != nil {
				b.Fatalf("floor: %v\n%s", err, out)
			}
		},
		keychainOnly)
	cached, lookup, least, fromKeychain := m[0], m[1], m[2], m[3]
	store := median(func() { tool("bench-value", "store", "--label", "bench", "service", e.service, "username", "bench") })

	// By hand: read the refresh token, send the refresh with curl (the
	// body on stdin, never in argv), store the rotated token.
	const item = "bench-rt"
	tool(srv.Mint(b, testserver.PostClientID, "openid offline_access", ""), "store", "--label", "bench", "service", e.service, "username", item)
	var curl time.Duration
	byHandFn := func() {
		rt := string(tool("", "lookup", "service", e.service, "username", item))
		start := time.Now()
		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {testserver.PostClientID},
			"client_secret": {testserver.PostClientSecret}, "refresh_token": {rt}}
		cmd := exec.Command("curl", "-sS", "--fail", "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@-", srv.TokenURL)
		cmd.Stdin = strings.NewReader(form.Encode())
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("curl: %v", err)
		}
		curl = time.Since(start)
		var resp struct {
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(out, &resp) != nil || resp.RefreshToken == "" {
			b.Fatalf("curl: no rotated refresh token")
		}
		tool(resp.RefreshToken, "store", "--label", "bench", "service", e.service, "username", item)
	}
	m = medians(func() { run("", "token", "dev", "--refresh") }, byHandFn)
	forced, byHand := m[0], m[1]
	b.StopTimer()

	w := os.Stdout
	row := func(what string, d time.Duration) { fmt.Fprintf(w, "%-50s %10s\n", what, d.Round(10*time.Microsecond)) }
	ratio := func(what string, a, ref time.Duration, goal float64) {
		verdict := "met"
		if float64(a)/float64(ref) > goal {
			verdict = "NOT met"
		}
		fmt.Fprintf(w, "%-50s %9.2fx   (goal <= %.2fx: %s)\n", what, float64(a)/float64(ref), goal, verdict)
	}
	// plain is a ratio printed for information, with no goal of its own.
	plain := func(what string, a, ref time.Duration) {
		fmt.Fprintf(w, "%-50s %9.2fx\n", what, float64(a)/float64(ref))
	}
	fmt.Fprintf(w, "\n%-50s %10s\n", fmt.Sprintf("median of %d whole-process runs", runs), "time")
	row("tokentray --help (process start, no keychain)", help)
	row("secret-tool --help", toolHelp)
	ratio("  ratio", help, toolHelp, 2)
	row("  Go's own start (a static hello-world)", goStart)
	row("tokentray token dev (cached)", cached)
	row("secret-tool lookup (one item)", lookup)
	ratio("  ratio", cached, lookup, 0.5)
	row("  beyond Go's own start (cached - hello-world)", cached-goStart)
	row("  the same from the keychain ("+keychain.NoQuickCacheEnv+")", fromKeychain)
	plain("  its ratio", fromKeychain, lookup)
	row("  floor: a minimal Go client's keychain read (e2e/floor)", least)
	plain("  floor's ratio", least, lookup)
	plain("  Go's own start vs secret-tool lookup", goStart, lookup)
	row("tokentray token dev --refresh", forced)
	row("by hand: secret-tool lookup + curl + secret-tool store", byHand)
	ratio("  ratio", forced, byHand, 0.75)
	row("  curl alone (HTTP, last run)", curl)
	row("  secret-tool store alone (one keychain write)", store)
	fmt.Fprintln(w)
}

// buildStatic builds pkg to out as tokentray is built: static, without cgo
// (a dynamically linked program pays the loader's time too).
func buildStatic(tb testing.TB, out, pkg string) {
	tb.Helper()
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build %s: %v\n%s", pkg, err, msg)
	}
}
