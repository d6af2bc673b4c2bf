package auth

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// FileLocker is a Locker backed by one lock file per profile in Dir (the
// user cache directory in production). OS file locks are released by the
// kernel when a process dies, so a crashed refresh never wedges a profile.
type FileLocker struct {
	Dir string
}

// Lock takes NAME.lock in Dir, polling until it is free or ctx ends.
func (l FileLocker) Lock(ctx context.Context, name string) (func(), error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	fl := flock.New(filepath.Join(l.Dir, name+".lock"))
	ok, err := fl.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: not acquired", name)
	}
	return func() { _ = fl.Unlock() }, nil
}
