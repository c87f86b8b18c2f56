package sftp

import (
	"bufio"
	"net"
)

// readBuffer is how much one read from the socket may bring in.
const readBuffer = 256 << 10

// bufferedConn reads the socket in large gulps. The ssh package reads each
// packet's header and body separately through a 4 KiB buffer, which costs
// two or more system calls per 32 KiB of a download; with a large buffer
// one call brings in several packets.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func newBufferedConn(c net.Conn) *bufferedConn {
	return &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, readBuffer)}
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
