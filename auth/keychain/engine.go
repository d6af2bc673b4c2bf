package keychain

import (
	"os"
	"time"

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
	if c := quickCache(service, locks); c != nil {
		if os.Getenv(NoQuickCacheEnv) != "" {
			// Not read nor filled, but still dropped with every change:
			// other processes may be using the copy.
			c = dropOnly{c}
		}
		opts = append([]auth.Option{auth.WithTokenCache(c)}, opts...)
	}
	return auth.NewEngine(New(service), auth.FileLocker{Dir: locks}, opts...), nil
}

// NoQuickCacheEnv, set to anything, keeps this process from using the
// kernel copy: every `tokentray token` then asks the keychain (see
// auth.TokenCache and KernelCache). Its changes still drop the copy, which
// other processes may be using.
const NoQuickCacheEnv = "TOKENTRAY_NO_QUICK_CACHE"

// dropOnly is a TokenCache that is neither read nor written, only
// dropped: the engine drops a profile's copy before every change to its
// items.
type dropOnly struct{ auth.TokenCache }

func (dropOnly) Get(string) (string, bool)         { return "", false }
func (dropOnly) Put(string, string, time.Duration) {}
