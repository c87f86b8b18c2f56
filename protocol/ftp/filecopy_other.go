//go:build !linux

package ftp

import (
	"io"
	"net"
	"os"
	"time"
)

// fileCopy sends up to n bytes of f from its offset over conn; elsewhere
// than Linux through the usual calls (see filecopy_linux.go for why Linux
// differs). With idle > 0 each write pushes the write deadline idle
// further, so that it counts time without progress.
func fileCopy(conn *net.TCPConn, f *os.File, n int64, buf []byte, idle time.Duration) (int64, error) {
	return io.CopyBuffer(idleWriter{conn, idle}, io.LimitReader(f, n), buf)
}

// idleWriter writes in rounds of at most idleRound, each under a fresh
// write deadline.
type idleWriter struct {
	conn *net.TCPConn
	idle time.Duration
}

func (w idleWriter) Write(b []byte) (int, error) {
	if w.idle <= 0 {
		return w.conn.Write(b)
	}
	return writeIdle(w.conn, b, w.idle)
}
