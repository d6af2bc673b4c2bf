//go:build linux || freebsd || openbsd || netbsd || dragonfly

package clipboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
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
		ctx, cancel := context.WithTimeout(context.Background(), waitX)
		defer cancel()
		out, _ := exec.CommandContext(ctx, w.copy, "--help").CombinedOutput()
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
	// wl-copy's background server keeps its stdout and stderr: a pipe
	// would be read until it exits, that is until the next copy. A file
	// is only written, and read back if wl-copy fails.
	errs, err := os.CreateTemp("", "tokentray-wl-copy-*")
	if err != nil {
		return err
	}
	defer os.Remove(errs.Name())
	defer errs.Close()
	cmd.Stderr = errs
	if err := cmd.Run(); err != nil {
		msg, _ := os.ReadFile(errs.Name())
		return fmt.Errorf("wl-copy: %v: %s", err, bytes.TrimSpace(msg))
	}
	return nil
}

func (w *wayland) ReadAll() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitX)
	defer cancel()
	out, err := exec.CommandContext(ctx, w.paste, "--no-newline", "--type", "text/plain").Output()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return "", errors.New("wl-paste did not answer")
	case errors.As(err, &ee):
		// wl-paste fails on an empty clipboard ("Nothing is copied") and
		// on one without text.
		return "", nil
	case err != nil:
		return "", fmt.Errorf("wl-paste: %w", err)
	}
	return string(out), nil
}
