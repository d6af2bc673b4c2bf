package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These tests use the kernel's real key store, in the user keyring of
// whoever runs them, under a service of their own.

func newTestKernelCache(t *testing.T, lockRoot string) *KernelCache {
	t.Helper()
	return testKernelCache(t, testService(), lockRoot)
}

func testService() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "tokentray-test-" + hex.EncodeToString(b)
}

func testKernelCache(t *testing.T, service, lockRoot string) *KernelCache {
	t.Helper()
	c := NewKernelCache(service, lockRoot)
	t.Cleanup(c.DropAll)
	return c
}

// procKey is the line of /proc/keys for the key of name in c, "" if the
// user keyring holds none.
func procKey(t *testing.T, c *KernelCache, name string) string {
	t.Helper()
	id, ok := c.key(name)
	if !ok {
		return ""
	}
	b, err := os.ReadFile("/proc/keys")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, fmt.Sprintf("%08x ", id)) {
			return line
		}
	}
	return ""
}

func TestKernelCacheKeepsAndDrops(t *testing.T) {
	c := newTestKernelCache(t, t.TempDir())
	_, ok := c.Get("dev")
	require.False(t, ok)
	c.Put("dev", `{"token":{"access_token":"at-1"}}`, 150*time.Second)
	v, ok := c.Get("dev")
	require.True(t, ok)
	require.Equal(t, `{"token":{"access_token":"at-1"}}`, v)

	// The user alone, and a timeout: /proc/keys shows "perm 3f3f0000" and
	// the whole minutes left ("2m" of 150 s).
	line := procKey(t, c, "dev")
	require.Contains(t, line, " 3f3f0000 ", "possessor and user may use the key, group and others nothing")
	require.Equal(t, "2m", strings.Fields(line)[3], "the kernel expires the key: %s", line)

	// A put replaces the key, with a timeout of its own (the kernel clears
	// the timeout of a key it updates in place; this one is new).
	c.Put("dev", `{"token":{"access_token":"at-2"}}`, 90*time.Second)
	v, _ = c.Get("dev")
	require.Equal(t, `{"token":{"access_token":"at-2"}}`, v, "a put replaces")
	line = procKey(t, c, "dev")
	require.Equal(t, "1m", strings.Fields(line)[3], "the new timeout: %s", line)
	require.Contains(t, line, " 3f3f0000 ")

	big := strings.Repeat("x", 9000) // above Get's first buffer
	c.Put("big", big, time.Minute)
	v, ok = c.Get("big")
	require.True(t, ok)
	require.Equal(t, big, v)

	c.Drop("dev")
	_, ok = c.Get("dev")
	require.False(t, ok)
	require.Empty(t, procKey(t, c, "dev"), "the user keyring holds no key of that name")
}

func TestKernelCacheExpires(t *testing.T) {
	c := newTestKernelCache(t, t.TempDir())
	c.Put("dev", "v", time.Second)
	_, ok := c.Get("dev")
	require.True(t, ok)
	require.Eventually(t, func() bool { _, ok := c.Get("dev"); return !ok }, 5*time.Second, 100*time.Millisecond)
}

func TestKernelCacheKeysAreOwnedByServiceAndHome(t *testing.T) {
	locks, service := t.TempDir(), testService()
	a := testKernelCache(t, service, locks)
	b := testKernelCache(t, service+":b", locks)      // another service, whose name starts like a's
	other := testKernelCache(t, service, t.TempDir()) // another home
	require.NotEqual(t, a.prefix, other.prefix)
	a.Put("dev", "a", time.Minute)
	for _, c := range []*KernelCache{b, other} {
		_, ok := c.Get("dev")
		require.False(t, ok, "%s must not see %s", c.prefix, a.prefix)
	}
	b.Put("dev", "b", time.Minute)
	a.DropAll()
	_, ok := a.Get("dev")
	require.False(t, ok)
	v, ok := b.Get("dev")
	require.True(t, ok, "DropAll takes its own keys only")
	require.Equal(t, "b", v)
}

func TestRoomForLeavesHalfTheQuota(t *testing.T) {
	keyUsers := `    0:    10 9/9 4/1000000 2171/25000000
 1000:     5 5/5 5/200 92/20000
`
	for _, tc := range []struct {
		uid, n int
		want   bool
	}{
		{1000, 9000, true},
		{1000, 9909, false}, // 92 + 9909 > 10000
		{0, 1 << 20, true},
		{0, 13 << 20, false},
		{1001, 10000, true}, // no line: the smallest default quota
		{1001, 10001, false},
	} {
		require.Equal(t, tc.want, roomIn(strings.NewReader(keyUsers), tc.uid, tc.n), "uid %d, %d bytes", tc.uid, tc.n)
	}
	full := " 1000:   100 100/100 100/200 100/20000\n"
	require.False(t, roomIn(strings.NewReader(full), 1000, 10), "half the keys are taken")

	// And this machine's own file parses: root's quota is far above the
	// fallback's 10000 bytes, a user's at least 10000.
	b, err := os.ReadFile("/proc/key-users")
	require.NoError(t, err)
	if os.Getuid() == 0 {
		require.True(t, roomIn(strings.NewReader(string(b)), 0, 100000), "%s", b)
	} else {
		require.True(t, roomFor(100))
	}
}

// Put pins its goroutine to one thread while it builds a key in that
// thread's keyring: run on whatever thread Go picks at each call, the key
// could be updated in place in the user keyring (losing its timeout) or
// left behind with default permissions.
func TestKernelCachePutFromManyThreads(t *testing.T) {
	c := newTestKernelCache(t, t.TempDir())
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for range 4 { // keep the scheduler moving goroutines between threads
		busy.Add(1)
		go func() {
			defer busy.Done()
			for {
				select {
				case <-stop:
					return
				default:
					runtime.Gosched()
				}
			}
		}()
	}
	var puts sync.WaitGroup
	for g := range 4 {
		puts.Add(1)
		go func() {
			defer puts.Done()
			for i := range 300 {
				c.Put("dev", fmt.Sprintf("value-%d-%d", g, i), time.Minute)
			}
		}()
	}
	puts.Wait()
	close(stop)
	busy.Wait()

	// Every key of this name, the live one and any replaced one the
	// kernel has not collected yet, has its timeout and its permissions.
	b, err := os.ReadFile("/proc/keys")
	require.NoError(t, err)
	seen := 0
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !strings.HasPrefix(f[8], c.prefix+"dev:") {
			continue
		}
		seen++
		require.NotEqual(t, "perm", f[3], "a key of this name without a timeout: %s", line)
		require.Equal(t, "3f3f0000", f[4], "a key of this name with other permissions: %s", line)
	}
	require.NotZero(t, seen)
	_, ok := c.Get("dev")
	require.True(t, ok)
}
