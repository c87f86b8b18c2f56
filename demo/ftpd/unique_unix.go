//go:build unix

package ftpd

import (
	"io/fs"
	"strconv"
	"syscall"
)

// uniqueFact is the MLSx "unique" fact: device and inode, which stay the
// same across renames.
func uniqueFact(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return strconv.FormatUint(uint64(st.Dev), 16) + "U" + strconv.FormatUint(uint64(st.Ino), 16)
}
