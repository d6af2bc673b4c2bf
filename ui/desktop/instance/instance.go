// Package instance keeps tokentray to one running GUI per keychain service:
// the first start listens on a unix socket in the user's runtime directory;
// a second start finds it, asks the first to show its window and exits.
package instance

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// ErrRunning is returned by Claim when another instance holds the socket;
// it has been asked to show its window.
var ErrRunning = errors.New("tokentray is already running")

// SocketPath returns where the socket for name lives: $XDG_RUNTIME_DIR
// (private to the user), else a 0700 directory of the user's in the temp dir.
func SocketPath(name string) (string, error) {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("tokentray-%d", os.Getuid()))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("single-instance directory: %w", err)
		}
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			return "", fmt.Errorf("single-instance directory %s is not a private directory", dir)
		}
	}
	return filepath.Join(dir, name+".sock"), nil
}

// Claim makes this process the running instance for path, or returns
// ErrRunning after asking the running one to show itself. onShow is called
// (on a background goroutine) whenever a later start asks; release gives the
// socket up.
//
// A lock file serialises the claim: two simultaneous starts must not both
// decide that a leftover socket file is stale and both listen.
func Claim(path string, onShow func()) (release func(), err error) {
	lock := flock.New(path + ".lock")
	if err := lock.Lock(); err != nil {
		return nil, fmt.Errorf("single-instance lock: %w", err)
	}
	defer lock.Unlock()

	if ask(path) == nil {
		return nil, ErrRunning
	}
	// Nobody answers: whatever file is there was left by a crash.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove stale socket: %w", err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("single-instance socket: %w", err)
	}
	go serve(l, onShow)
	return func() { l.Close() }, nil
}

// ask connects to a running instance and asks it to show its window.
func ask(path string) error {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintln(c, "show"); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(reply) != "ok" {
		return fmt.Errorf("unexpected reply %q", reply)
	}
	return nil
}

func serve(l net.Listener, onShow func()) {
	for {
		c, err := l.Accept()
		if err != nil {
			return // closed by release
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || strings.TrimSpace(line) != "show" {
				return
			}
			onShow()
			fmt.Fprintln(c, "ok")
		}()
	}
}
