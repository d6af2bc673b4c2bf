//go:build linux || freebsd || openbsd || netbsd || dragonfly

package clipboard

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// wayland is wl-clipboard. wl-copy forks and serves the text until another
// program copies, so the text outlives this process as it does with xclip.
type wayland struct {
	copy, paste string

	once      sync.Once
	sensitive bool // this wl-copy takes --sensitive (wl-clipboard 2.3)
}

func (w *wayland) WriteAll(text string) error {
	w.once.Do(func() {
		out, _ := exec.Command(w.copy, "--help").CombinedOutput()
		w.sensitive = bytes.Contains(out, []byte("--sensitive"))
	})
	args := []string{}
	switch {
	case text == "":
		args = append(args, "--clear")
	case w.sensitive:
		args = append(args, "--sensitive")
	}
	cmd := exec.Command(w.copy, args...)
	// The text goes on stdin, never in the arguments.
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("wl-copy: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

func (w *wayland) ReadAll() (string, error) {
	out, err := exec.Command(w.paste, "--no-newline", "--type", "text/plain").Output()
	if err != nil {
		// wl-paste fails on an empty clipboard ("Nothing is copied").
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", nil
		}
		return "", fmt.Errorf("wl-paste: %w", err)
	}
	return string(out), nil
}
