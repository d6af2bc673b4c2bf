package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokentray/tokentray/testserver"
)

// BenchmarkCLI prints, side by side in one run against the local
// authorization server, the figures `make bench` reports for the CLI:
//
//   - cached `tokentray token` vs `secret-tool lookup` of one item (goal ≤ 1.5×)
//   - forced refresh (`tokentray token --refresh`) vs curl sending the same
//     refresh request (goal ≤ 1.5×)
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
	run(testserver.PostClientSecret, "profile", "add", "dev", "--domain", srv.Issuer, "--client-id", testserver.PostClientID, "--client-secret-stdin")
	run(srv.Mint(b, testserver.PostClientID, "openid offline_access", ""), "login", "dev", "--refresh-token-stdin")
	run("", "token", "dev") // fill the cache

	median := func(f func()) time.Duration {
		var ds []time.Duration
		for range runs {
			start := time.Now()
			f()
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	b.ResetTimer()
	cached := median(func() { run("", "token", "dev") })
	lookup := median(func() {
		if err := exec.Command("secret-tool", "lookup", "service", e.service, "username", "refresh:dev").Run(); err != nil {
			b.Fatal(err)
		}
	})
	forced := median(func() { run("", "token", "dev", "--refresh") })
	// What one keychain write costs: a rotating refresh must make two (the
	// new refresh token, then the access token cache).
	store := median(func() {
		cmd := exec.Command("secret-tool", "store", "--label", "bench", "service", e.service, "username", "bench")
		cmd.Stdin = strings.NewReader("bench-value")
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	})

	// curl with the same form; the body goes on stdin, never in argv.
	rt := srv.Mint(b, testserver.PostClientID, "openid offline_access", "")
	curl := median(func() {
		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {testserver.PostClientID},
			"client_secret": {testserver.PostClientSecret}, "refresh_token": {rt}}
		cmd := exec.Command("curl", "-sS", "--fail", "-X", "POST", "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "@-", srv.TokenURL)
		cmd.Stdin = strings.NewReader(form.Encode())
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("curl: %v", err)
		}
		var resp struct {
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(out, &resp) != nil || resp.RefreshToken == "" {
			b.Fatalf("curl: no rotated refresh token")
		}
		rt = resp.RefreshToken
	})
	b.StopTimer()

	w := os.Stdout
	fmt.Fprintf(w, "\n%-44s %10s\n", fmt.Sprintf("median of %d runs", runs), "time")
	fmt.Fprintf(w, "%-44s %10s\n", "tokentray token dev (cached)", cached.Round(10*time.Microsecond))
	fmt.Fprintf(w, "%-44s %10s\n", "secret-tool lookup (one item)", lookup.Round(10*time.Microsecond))
	fmt.Fprintf(w, "%-44s %10.2fx   (goal <= 1.5x)\n", "  ratio", float64(cached)/float64(lookup))
	fmt.Fprintf(w, "%-44s %10s\n", "tokentray token dev --refresh", forced.Round(10*time.Microsecond))
	fmt.Fprintf(w, "%-44s %10s\n", "curl, same refresh request", curl.Round(10*time.Microsecond))
	fmt.Fprintf(w, "%-44s %10.2fx   (goal <= 1.5x)\n", "  ratio", float64(forced)/float64(curl))
	fmt.Fprintf(w, "%-44s %10s\n", "secret-tool store (one keychain write)", store.Round(10*time.Microsecond))
	fmt.Fprintf(w, "%-44s %10.2fx\n\n", "  floor: (curl + 2 writes) / curl", float64(curl+2*store)/float64(curl))
}
