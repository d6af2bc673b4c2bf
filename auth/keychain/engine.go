package keychain

import (
	"os"

	"github.com/tokentray/tokentray/auth"
)

// DefaultService is the keychain service every item of tokentray lives
// under; TOKENTRAY_KEYCHAIN_SERVICE overrides it (tests and the demo use
// their own, so they never touch the user's profiles).
const DefaultService = "tokentray"

// Service is the keychain service this process works on.
func Service() string {
	if s := os.Getenv("TOKENTRAY_KEYCHAIN_SERVICE"); s != "" {
		return s
	}
	return DefaultService
}

// NewEngine is the engine over the keychain service, with its lock files
// and spent-token journal in the user cache directory (auth.LockDir): the
// one the command line and the tray app both run on, so that they share
// one cache, one lock per profile and one journal. On Linux the token sets
// are also copied to the kernel's key store (KernelCache), unless
// NoQuickCacheEnv is set.
func NewEngine(service string, opts ...auth.Option) (*auth.Engine, error) {
	locks, err := auth.LockDir(service)
	if err != nil {
		return nil, err
	}
	root, err := auth.LockRoot()
	if err != nil {
		return nil, err
	}
	if c := quickCache(service, root); c != nil {
		use := auth.WithTokenCache
		if os.Getenv(NoQuickCacheEnv) != "" {
			use = auth.WithTokenCacheDropped
		}
		opts = append([]auth.Option{use(c)}, opts...)
	}
	return auth.NewEngine(New(service), auth.FileLocker{Dir: locks}, opts...), nil
}

// NoQuickCacheEnv, set to anything, keeps this process from using the
// kernel copy: every `tokentray token` then asks the keychain (see
// auth.TokenCache and KernelCache). Its changes still drop the copy, which
// other processes may be using.
const NoQuickCacheEnv = "TOKENTRAY_NO_QUICK_CACHE"
