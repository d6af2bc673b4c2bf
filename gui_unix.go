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
