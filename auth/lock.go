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

// Touch marks NAME.lock as changed now: processes showing the profile (the
// tray app) watch the directory and re-read the profile when its file's
// time moves, so a refresh from the command line shows at once.
func (l FileLocker) Touch(name string) {
	if ValidateName(name) != nil || os.MkdirAll(l.Dir, 0o700) != nil {
		return
	}
	path := filepath.Join(l.Dir, name+".lock")
	now := time.Now()
	if os.Chtimes(path, now, now) == nil {
		return
	}
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	}
}

// LockDir is where the lock files of the profiles kept under a keychain
// service live: the user cache directory, so every process of one user
// (tray app and CLI) finds the same files.
func LockDir(service string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for lock files: %w", err)
	}
	return filepath.Join(cache, "tokentray", "locks", service), nil
}
