//go:build !linux

package keychain

import "github.com/zalando/go-keyring"

// defaultBackend is go-keyring: Keychain on macOS, Credential Manager on
// Windows.
func defaultBackend() backend { return goKeyring{} }

// platformChunkSize keeps values under Windows' 2560-byte and macOS's
// ~3000-byte item limits.
const platformChunkSize = DefaultChunkSize

// goKeyring is go-keyring itself.
type goKeyring struct{}

func (goKeyring) get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) set(service, user, value string) error    { return keyring.Set(service, user, value) }
func (goKeyring) delete(service, user string) error        { return keyring.Delete(service, user) }
