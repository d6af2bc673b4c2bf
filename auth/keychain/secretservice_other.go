//go:build !linux

package keychain

// defaultBackend is go-keyring: Keychain on macOS, Credential Manager on
// Windows.
func defaultBackend() backend { return goKeyring{} }

// platformChunkSize keeps values under Windows' 2560-byte and macOS's
// ~3000-byte item limits.
const platformChunkSize = DefaultChunkSize
