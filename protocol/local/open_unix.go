//go:build unix

package local

import (
	"os"

	"golang.org/x/sys/unix"
)

// openFile opens a regular file the way os.OpenFile does, minus the
// netpoller: os.OpenFile offers every descriptor to epoll, which refuses
// regular files, and sets and clears O_NONBLOCK around the attempt — four
// wasted system calls per file, a tenth of what a tree of small files cost
// us. os.NewFile checks the flags once and leaves the descriptor blocking,
// which is how a regular file is read anyway.
func openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := unix.Open(name, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return os.NewFile(uintptr(fd), name), nil
	}
}
