//go:build !linux

package ftp

import (
	"io"
	"net"
	"os"
)

// fileCopy sends up to n bytes of f from its offset over conn; elsewhere
// than Linux through the usual calls (see filecopy_linux.go for why Linux
// differs).
func fileCopy(conn *net.TCPConn, f *os.File, n int64, buf []byte) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{conn}, io.LimitReader(f, n), buf)
}
