package keychain

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/tokentray/tokentray/auth"
	"github.com/tokentray/tokentray/internal/kernelkeys"
	"golang.org/x/sys/unix"
)

// KernelCache is auth.TokenCache in the Linux kernel's key retention
// service (keyrings(7)), as Kerberos keeps its tickets there: a "user" key
// per profile in the user's keyring, readable by the user's processes
// only, held in kernel memory (never swapped, gone at reboot) and expired
// by the kernel with its timeout. Reading it is two
// system calls instead of a Secret Service connection and two round trips
// to the keychain daemon. Only access and ID tokens go there, never a
// refresh token. It takes at most half of the user's key quota
// (/proc/key-users), leaving the rest to Kerberos and others; where keyctl
// is unavailable (a seccomp filter) every call is a miss.
type KernelCache struct {
	prefix string
}

// NewKernelCache is the kernel cache of the keychain service's profiles
// whose lock directories are in lockRoot (auth.LockRoot): the key names
// carry both ("tokentray:HASH:SERVICE:NAME", HASH from lockRoot, SERVICE
// escaped), so profiles of another service or another home directory
// never meet.
func NewKernelCache(service, lockRoot string) *KernelCache {
	return &KernelCache{prefix: kernelkeys.Scope(lockRoot) + url.QueryEscape(service) + ":"}
}

const (
	keyType = kernelkeys.KeyType
	// The user may view, read, write, search, link and set attributes of
	// the key, whichever of the user's processes asks; nobody else may.
	keyPerm = 0x3f3f0000 // KEY_POS_ALL | KEY_USR_ALL (linux/keyctl.h)
)

func (c *KernelCache) key(name string) (int, bool) {
	if auth.ValidateName(name) != nil {
		return 0, false
	}
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

// Put implements auth.TokenCache. The key is built in the calling
// thread's own keyring, where no other process sees it, and then linked
// into the user keyring, which replaces the old key in one step: a kill
// part way leaves the old key or the new one, each with its permissions
// and timeout. The goroutine stays on its thread throughout: a thread
// keyring belongs to one OS thread, and Go moves goroutines between them.
func (c *KernelCache) Put(name, value string, ttl time.Duration) {
	if auth.ValidateName(name) != nil {
		return
	}
	desc := c.prefix + name
	if !roomFor(len(desc) + len(value)) {
		c.Drop(name)
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	id, err := unix.AddKey(keyType, desc, []byte(value), unix.KEY_SPEC_THREAD_KEYRING)
	if err != nil {
		c.Drop(name)
		return
	}
	defer func() { _ = keyctl(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_THREAD_KEYRING) }()
	secs := int((ttl + time.Second - 1) / time.Second)
	if unix.KeyctlSetperm(id, keyPerm) != nil || keyctl(unix.KEYCTL_SET_TIMEOUT, id, max(secs, 1)) != nil ||
		keyctl(unix.KEYCTL_LINK, id, unix.KEY_SPEC_USER_KEYRING) != nil {
		_ = keyctl(unix.KEYCTL_INVALIDATE, id, 0)
		c.Drop(name)
	}
}

func keyctl(cmd, id, arg int) error {
	_, err := unix.KeyctlInt(cmd, id, arg, 0, 0)
	return err
}

// Drop implements auth.TokenCache: the key is invalidated, which removes it
// from every keyring at once; should that fail, it is unlinked from the
// user keyring, which needs only the user's write permission on it.
func (c *KernelCache) Drop(name string) {
	id, ok := c.key(name)
	if !ok {
		return
	}
	if keyctl(unix.KEYCTL_INVALIDATE, id, 0) != nil {
		_ = keyctl(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING)
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
	return roomIn(f, os.Getuid(), n)
}

// roomIn is roomFor over /proc/key-users as r, for uid.
func roomIn(r io.Reader, uid, n int) bool {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		// "  1000:     5 5/5 5/200 92/20000": uid, usage, keys/instantiated,
		// keys/quota, bytes/quota.
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
func quickCache(service, lockRoot string) auth.TokenCache {
	return NewKernelCache(service, lockRoot)
}
