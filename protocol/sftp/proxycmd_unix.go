//go:build unix

package sftp

import (
	"os/exec"
	"syscall"
)

const defaultShell = "/bin/sh"

// setProcessGroup puts the command in a process group of its own, so that
// Close reaches what it starts too (a pipeline, a wrapper's child).
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// hangUp sends SIGHUP to the command's process group, as ssh does to its
// ProxyCommand when the session ends.
func hangUp(cmd *exec.Cmd) { signalGroup(cmd, syscall.SIGHUP) }

// kill ends the command's process group.
func kill(cmd *exec.Cmd) { signalGroup(cmd, syscall.SIGKILL) }

func signalGroup(cmd *exec.Cmd, sig syscall.Signal) {
	if cmd.Process == nil {
		return
	}
	// The group's id is the leader's pid, and the kernel does not hand
	// that pid to a new process while the group has members.
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		_ = cmd.Process.Signal(sig)
	}
}
