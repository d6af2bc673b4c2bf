package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// FileLocker is a Locker and a Journal backed by files in Dir (the user
// cache directory in production): NAME.lock per profile, @index.lock for the
// list of profiles ('@' is not allowed in profile names, so it never
// collides), and NAME.spent holding the SHA-256 of the refresh token last
// replaced by the issuer. OS file locks are released by the kernel when a
// process dies, so a crashed refresh never wedges a profile.
type FileLocker struct {
	Dir string
}

var (
	_ Locker  = FileLocker{}
	_ Journal = FileLocker{}
)

// indexLockFile is the lock file of the profile list.
const indexLockFile = "@index.lock"

// Lock takes NAME.lock in Dir, polling until it is free or ctx ends.
func (l FileLocker) Lock(ctx context.Context, name string) (func(), error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	return l.lock(ctx, name+".lock", name)
}

// TryLock takes NAME.lock in Dir if it is free now, without waiting.
func (l FileLocker) TryLock(name string) (func(), bool) {
	if ValidateName(name) != nil || os.MkdirAll(l.Dir, 0o700) != nil {
		return nil, false
	}
	fl := flock.New(filepath.Join(l.Dir, name+".lock"))
	if ok, err := fl.TryLock(); err != nil || !ok {
		_ = fl.Close()
		return nil, false
	}
	return func() { _ = fl.Unlock() }, true
}

// LockIndex takes @index.lock in Dir, polling until it is free or ctx ends.
func (l FileLocker) LockIndex(ctx context.Context) (func(), error) {
	return l.lock(ctx, indexLockFile, "the profile list")
}

func (l FileLocker) lock(ctx context.Context, file, what string) (func(), error) {
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}
	fl := flock.New(filepath.Join(l.Dir, file))
	ok, err := fl.TryLockContext(ctx, 10*time.Millisecond)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", what, err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: not acquired", what)
	}
	return func() { _ = fl.Unlock() }, nil
}

// spentHash is what NAME.spent holds: a hash, never the token.
func spentHash(refreshToken string) []byte {
	sum := sha256.Sum256([]byte(refreshToken))
	return []byte(hex.EncodeToString(sum[:]) + "\n")
}

// MarkSpent implements Journal: NAME.spent is replaced atomically (written
// beside it, synced, renamed) so a crash leaves the old or the new mark.
// Only the latest spent token needs remembering: the one before it was
// replaced in the keychain already, or the latest would not have been sent.
func (l FileLocker) MarkSpent(name, refreshToken string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return fmt.Errorf("journal directory: %w", err)
	}
	path := filepath.Join(l.Dir, name+".spent")
	f, err := os.CreateTemp(l.Dir, name+".spent.*")
	if err != nil {
		return fmt.Errorf("record the spent refresh token: %w", err)
	}
	_, err = f.Write(spentHash(refreshToken))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("record the spent refresh token: %w", err)
	}
	// The rename itself must survive a power cut too.
	if d, err := os.Open(l.Dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Spent implements Journal.
func (l FileLocker) Spent(name, refreshToken string) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	b, err := os.ReadFile(filepath.Join(l.Dir, name+".spent"))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the spent refresh token record: %w", err)
	}
	return bytes.Equal(b, spentHash(refreshToken)), nil
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
	return LockDirUnder(cache, service), nil
}

// LockDirUnder is LockDir for the user cache directory cache.
func LockDirUnder(cache, service string) string {
	return filepath.Join(LockRootUnder(cache), service)
}

// LockRoot is the directory of every service's LockDir.
func LockRoot() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for lock files: %w", err)
	}
	return LockRootUnder(cache), nil
}

// LockRootUnder is LockRoot for the user cache directory cache.
func LockRootUnder(cache string) string { return filepath.Join(cache, "tokentray", "locks") }
