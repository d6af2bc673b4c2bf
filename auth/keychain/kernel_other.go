//go:build !linux

package keychain

import "github.com/tokentray/tokentray/auth"

// quickCache: only Linux has a kernel key store shared by the user's
// processes; elsewhere a cached token is read from the keychain.
func quickCache(service, lockDir string) auth.TokenCache { return nil }
