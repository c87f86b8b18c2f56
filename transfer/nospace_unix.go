//go:build unix

package transfer

import "syscall"

const errNoSpace = syscall.ENOSPC
