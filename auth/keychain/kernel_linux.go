package keychain

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/kernelkeys"
	"golang.org/x/sys/unix"
)

// KernelCache is auth.TokenCache in the Linux kernel's key retention
// service (keyrings(7)), as Kerberos keeps its tickets there: a "user" key
// per profile in the user's keyring, readable by the user's processes
// only, held in kernel memory (never swapped, never on disk, gone at
// reboot) and expired by the kernel with its timeout. Reading it is two
// system calls instead of a Secret Service connection and two round trips
// to the keychain daemon. Only access and ID tokens go there, never a
// refresh token. It takes at most half of the user's key quota
// (/proc/key-users), leaving the rest to Kerberos and others; where keyctl
// is unavailable (a seccomp filter) every call is a miss.
type KernelCache struct {
	prefix string
}

// NewKernelCache is the kernel cache of the keychain service's profiles
// whose lock files are in lockDir (auth.LockDir): the key names carry both
// ("tokentray:HASH:SERVICE:NAME", HASH from the directory of every
// service's lock directory), so profiles of another service or another
// home directory never meet.
func NewKernelCache(service, lockDir string) *KernelCache {
	return &KernelCache{prefix: kernelkeys.Scope(filepath.Dir(lockDir)) + service + ":"}
}

const (
	keyType = kernelkeys.KeyType
	// The user may view, read, write, search, link and set attributes of
	// the key, whichever of the user's processes asks; nobody else may.
	keyPerm = 0x3f3f0000 // KEY_POS_ALL | KEY_USR_ALL (linux/keyctl.h)
)

func (c *KernelCache) key(name string) (int, bool) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, keyType, c.prefix+name, 0)
	return id, err == nil
}

// Get implements auth.TokenCache.
func (c *KernelCache) Get(name string) (string, bool) {
	id, ok := c.key(name)
	if !ok {
		return "", false
	}
	buf := make([]byte, 8192)
	for {
		n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
		if err != nil {
			return "", false
		}
		if n <= len(buf) {
			return string(buf[:n]), true
		}
		buf = make([]byte, n)
	}
}

// Put implements auth.TokenCache.
func (c *KernelCache) Put(name, value string, ttl time.Duration) {
	desc := c.prefix + name
	if !roomFor(len(desc) + len(value)) {
		c.Drop(name)
		return
	}
	id, err := unix.AddKey(keyType, desc, []byte(value), unix.KEY_SPEC_USER_KEYRING)
	if err != nil {
		c.Drop(name)
		return
	}
	secs := int((ttl + time.Second - 1) / time.Second)
	if err := unix.KeyctlSetperm(id, keyPerm); err != nil {
		c.Drop(name)
		return
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, max(secs, 1), 0, 0); err != nil {
		c.Drop(name)
	}
}

// Drop implements auth.TokenCache: the key is invalidated, which removes it
// at once; should that fail, its value is overwritten with one that no Get
// accepts as a token set.
func (c *KernelCache) Drop(name string) {
	id, ok := c.key(name)
	if !ok {
		return
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0); err != nil {
		_, _ = unix.AddKey(keyType, c.prefix+name, []byte("-"), unix.KEY_SPEC_USER_KEYRING)
	}
}

// DropAll drops every profile's key of this cache (tests clean up with it).
func (c *KernelCache) DropAll() { kernelkeys.DropPrefix(c.prefix) }

// roomFor reports whether a key of n bytes keeps this user's key quota at
// most half used, by keys and by bytes.
func roomFor(n int) bool {
	f, err := os.Open("/proc/key-users")
	if err != nil {
		return false
	}
	defer f.Close()
	uid := os.Getuid()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var u, usage, nkeys, nikeys, qkeys, maxKeys, qbytes, maxBytes int
		if _, err := fmt.Sscanf(strings.TrimSpace(sc.Text()), "%d: %d %d/%d %d/%d %d/%d", &u, &usage, &nkeys, &nikeys, &qkeys, &maxKeys, &qbytes, &maxBytes); err != nil || u != uid {
			continue
		}
		return qkeys+1 <= maxKeys/2 && qbytes+n <= maxBytes/2
	}
	// No line yet: this user holds no keys; the smallest default quota is
	// 20000 bytes.
	return n <= 10000
}

// quickCache is the engine's auth.TokenCache on Linux.
func quickCache(service, lockDir string) auth.TokenCache {
	return NewKernelCache(service, lockDir)
}
