package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These tests use the kernel's real key store, in the user keyring of
// whoever runs them, under a service of their own.

func newTestKernelCache(t *testing.T, lockDir string) *KernelCache {
	t.Helper()
	return testKernelCache(t, testService(), lockDir)
}

func testService() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "tokentray-test-" + hex.EncodeToString(b)
}

func testKernelCache(t *testing.T, service, lockDir string) *KernelCache {
	t.Helper()
	c := NewKernelCache(service, lockDir)
	t.Cleanup(c.DropAll)
	return c
}

// procKey is the line of /proc/keys for the key of name in c.
func procKey(t *testing.T, c *KernelCache, name string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/keys")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, " "+c.prefix+name+":") {
			return line
		}
	}
	return ""
}

func TestKernelCacheKeepsAndDrops(t *testing.T) {
	c := newTestKernelCache(t, t.TempDir())
	_, ok := c.Get("dev")
	require.False(t, ok)
	c.Put("dev", `{"token":{"access_token":"at-1"}}`, 90*time.Second)
	v, ok := c.Get("dev")
	require.True(t, ok)
	require.Equal(t, `{"token":{"access_token":"at-1"}}`, v)

	// The user alone, and a timeout: /proc/keys shows "perm 3f3f0000" and
	// the time left ("2m" rounds 90 s up in minutes; "1m" once it ticks).
	line := procKey(t, c, "dev")
	require.Contains(t, line, " 3f3f0000 ", "possessor and user may use the key, group and others nothing")
	fields := strings.Fields(line)
	require.Contains(t, []string{"1m", "2m"}, fields[3], "the kernel expires the key: %s", line)

	c.Put("dev", `{"token":{"access_token":"at-2"}}`, time.Minute)
	v, _ = c.Get("dev")
	require.Equal(t, `{"token":{"access_token":"at-2"}}`, v, "a put replaces")

	big := strings.Repeat("x", 9000) // above Get's first buffer
	c.Put("big", big, time.Minute)
	v, ok = c.Get("big")
	require.True(t, ok)
	require.Equal(t, big, v)

	c.Drop("dev")
	_, ok = c.Get("dev")
	require.False(t, ok)
	// Invalidated, not just unlinked: gone from every keyring, its memory
	// freed by the kernel's collector ("i" in the flags until then).
	if line := procKey(t, c, "dev"); line != "" {
		require.Contains(t, strings.Fields(line)[1], "i", "a dropped key is invalidated: %s", line)
	}
}

func TestKernelCacheExpires(t *testing.T) {
	c := newTestKernelCache(t, t.TempDir())
	c.Put("dev", "v", time.Second)
	_, ok := c.Get("dev")
	require.True(t, ok)
	require.Eventually(t, func() bool { _, ok := c.Get("dev"); return !ok }, 5*time.Second, 100*time.Millisecond)
}

func TestKernelCacheKeysAreOwnedByServiceAndHome(t *testing.T) {
	// Lock directories as auth.LockDir has them: HOME/.cache/tokentray/locks/SERVICE.
	locks, service, another := t.TempDir(), testService(), testService()
	a := testKernelCache(t, service, filepath.Join(locks, service))
	b := testKernelCache(t, another, filepath.Join(locks, another))
	other := testKernelCache(t, service, filepath.Join(t.TempDir(), service)) // another home
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

func TestKernelCacheLeavesHalfTheQuota(t *testing.T) {
	c := newTestKernelCache(t, t.TempDir())
	maxBytes := 20000
	if b, err := os.ReadFile("/proc/sys/kernel/keys/maxbytes"); err == nil && os.Getuid() != 0 {
		require.NoError(t, scanInt(string(b), &maxBytes))
	} else if b, err := os.ReadFile("/proc/sys/kernel/keys/root_maxbytes"); err == nil && os.Getuid() == 0 {
		require.NoError(t, scanInt(string(b), &maxBytes))
	}
	if maxBytes > 1<<20 {
		// root's quota (25 MB) is more than a user key may hold (32 KB):
		// the check cannot be reached here, roomFor is tested below.
		require.True(t, roomFor(32<<10))
		return
	}
	c.Put("huge", strings.Repeat("x", maxBytes/2+1), time.Minute)
	_, ok := c.Get("huge")
	require.False(t, ok, "more than half the user's key quota is never taken")
}

func TestRoomForReadsTheQuota(t *testing.T) {
	require.True(t, roomFor(100))
	line, err := os.ReadFile("/proc/key-users")
	require.NoError(t, err)
	require.Contains(t, string(line), "/", "the format roomFor parses")
	require.False(t, roomFor(1<<40), "no quota holds a terabyte")
}

func scanInt(s string, v *int) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	*v = n
	return err
}
