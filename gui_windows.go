//go:build windows

package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

// execGUI runs the tray app and ends with its exit code: Windows cannot
// replace a process.
func execGUI(path string, args []string) error {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches the tray app too; this process waits for it to finish
	// (a refresh on its way) rather than return the prompt under it.
	signal.Ignore(os.Interrupt)
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}

// replaceProcess is nil: Windows cannot replace a process, so `tokentray
// exec` runs the command as a child and exits with its code.
var replaceProcess func(path string, argv, env []string) error
