package clipboard

import (
	"os/exec"
	"syscall"
)

// detach starts the helper without a console of its own and outside the
// console's Ctrl-C group.
func detach(cmd *exec.Cmd) {
	const detachedProcess, newProcessGroup = 0x00000008, 0x00000200
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: detachedProcess | newProcessGroup}
}
