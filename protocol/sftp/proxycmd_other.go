//go:build !unix

package sftp

import "os/exec"

// defaultShell is used when $SHELL is unset; Windows users of a
// ProxyCommand set SHELL to a POSIX shell (Git Bash, MSYS2), as
// ssh_config's syntax assumes one.
const defaultShell = "sh"

func setProcessGroup(*exec.Cmd) {}

func hangUp(cmd *exec.Cmd) { kill(cmd) }

func kill(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
