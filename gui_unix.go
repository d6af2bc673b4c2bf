//go:build unix

package main

import (
	"os"
	"syscall"
)

// execGUI replaces this process with the tray app: the desktop sees one
// tokentray process, and the tray item's D-Bus name carries its PID.
func execGUI(path string, args []string) error {
	return syscall.Exec(path, append([]string{path}, args...), os.Environ())
}

// replaceProcess is `tokentray exec`'s: the command takes this process's
// place, so its signals, stdio and exit code are simply its own.
func replaceProcess(path string, argv, env []string) error { return syscall.Exec(path, argv, env) }
