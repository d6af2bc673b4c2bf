// Package kernelkeys names and clears tokentray's keys in the Linux
// kernel's key store (keyrings(7)); auth/keychain.KernelCache keeps token
// sets there, and test sessions clear what they left with DropPrefix.
package kernelkeys

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"golang.org/x/sys/unix"
)

// KeyType is the kernel key type tokentray's keys have.
const KeyType = "user"

// Scope is the start of the names of the keys of every service whose lock
// directory is in locks: "tokentray:HASH:".
func Scope(locks string) string {
	sum := sha256.Sum256([]byte(locks))
	return "tokentray:" + hex.EncodeToString(sum[:6]) + ":"
}

// DropScope drops the keys of Scope(locks): a test session's cleanup.
func DropScope(locks string) { DropPrefix(Scope(locks)) }

// DropPrefix invalidates the user keyring's keys whose names start with
// prefix.
func DropPrefix(prefix string) {
	buf := make([]byte, 4*1024)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, unix.KEY_SPEC_USER_KEYRING, buf, 0)
	if err != nil {
		return
	}
	if n > len(buf) {
		buf = make([]byte, n)
		if n, err = unix.KeyctlBuffer(unix.KEYCTL_READ, unix.KEY_SPEC_USER_KEYRING, buf, 0); err != nil {
			return
		}
		n = min(n, len(buf))
	}
	for i := 0; i+4 <= n; i += 4 {
		id := int(int32(binary.NativeEndian.Uint32(buf[i:])))
		desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id)
		if err != nil {
			continue
		}
		// type;uid;gid;perm;description
		parts := strings.SplitN(desc, ";", 5)
		if len(parts) == 5 && parts[0] == KeyType && strings.HasPrefix(parts[4], prefix) {
			_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
		}
	}
}
