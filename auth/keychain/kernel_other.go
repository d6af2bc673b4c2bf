//go:build !linux

package keychain

import (
	"time"

	"github.com/tokentray/tokentray/auth"
)

// quickCache: only Linux has a kernel key store shared by the user's
// processes; elsewhere a cached token is read from the keychain.
func quickCache(service, lockRoot string) auth.TokenCache { return nil }

// KernelCache exists on Linux only; elsewhere it holds nothing, so that
// code naming it (the tests' cleanup) builds everywhere.
type KernelCache struct{}

// NewKernelCache is an empty cache outside Linux.
func NewKernelCache(service, lockRoot string) *KernelCache { return &KernelCache{} }

// Get finds nothing outside Linux.
func (*KernelCache) Get(string) (string, bool) { return "", false }

// Put keeps nothing outside Linux.
func (*KernelCache) Put(string, string, time.Duration) {}

// Drop has nothing to drop outside Linux.
func (*KernelCache) Drop(string) {}

// DropAll has nothing to drop outside Linux.
func (*KernelCache) DropAll() {}
