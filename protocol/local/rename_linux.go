package local

import (
	"os"

	"golang.org/x/sys/unix"
)

// rename moves from to to. os.Rename first stats the target to refuse
// replacing a directory; when nothing is at the target (a finished part
// file renamed into place, the usual case) renameat2 with RENAME_NOREPLACE
// does the move in one call and cannot replace anything. Otherwise, or
// where the file system lacks the flag, os.Rename decides as before.
func rename(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	switch err {
	case nil:
		return nil
	case unix.EEXIST, unix.ENOTEMPTY, unix.EINVAL, unix.ENOSYS, unix.EPERM, unix.EOPNOTSUPP:
		return os.Rename(from, to)
	}
	return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
}
