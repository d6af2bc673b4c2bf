package kernelkeys

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestDropScopeTakesItsOwnKeysOnly(t *testing.T) {
	mine, other := t.TempDir(), t.TempDir()
	require.NotEqual(t, Scope(mine), Scope(other))
	add := func(name string) {
		id, err := unix.AddKey(KeyType, name, []byte("v"), unix.KEY_SPEC_USER_KEYRING)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0) })
	}
	found := func(name string) bool {
		_, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, KeyType, name, 0)
		return err == nil
	}
	add(Scope(mine) + "svc:a")
	add(Scope(mine) + "other-svc:b")
	add(Scope(other) + "svc:a")
	DropScope(mine)
	require.False(t, found(Scope(mine)+"svc:a"))
	require.False(t, found(Scope(mine)+"other-svc:b"))
	require.True(t, found(Scope(other)+"svc:a"), "another home's keys stay")
}
