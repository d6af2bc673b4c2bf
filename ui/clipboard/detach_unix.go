//go:build unix

package clipboard

import (
	"os/exec"
	"syscall"
)

// detach starts the helper in a session of its own: closing the terminal
// (SIGHUP) or pressing Ctrl-C after the command returned must not take the
// copied token with it.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
