//go:build unix

package watch

import (
	"os"
	"syscall"
)

// fileID is the inode of fi, which a rename keeps: it pairs the name a
// file left with the name it arrived at.
func fileID(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
