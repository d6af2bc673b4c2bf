//go:build windows

package main

import (
	"errors"
	"os"
	"os/exec"
)

// execGUI runs the tray app and ends with its exit code: Windows cannot
// replace a process.
func execGUI(path string, args []string) error {
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
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
