package ftp

import (
	"bufio"
	"errors"
	"net"
	"sync/atomic"
)

// gulpReadBuffer is how much one socket read under a TLS data connection
// may bring in.
const gulpReadBuffer = 256 << 10

// gulpConn sits under a data connection's TLS. The TLS layer reads and
// hands out one record, 16 KiB at most, at a time: a 1 GiB FTPS download
// cost 33,000 socket reads and 65,000 file writes of 16 KiB, where a plain
// one made 5,000 of each. gulpConn reads the socket through a large
// buffer, and in noWait mode says at once that it has nothing, instead of
// waiting for the network, so a reader can take every record that has
// already arrived before it writes them out together (retrReader.WriteTo).
type gulpConn struct {
	net.Conn
	r      *bufio.Reader
	noWait atomic.Bool
}

func newGulpConn(c net.Conn) *gulpConn {
	return &gulpConn{Conn: c, r: bufio.NewReaderSize(c, gulpReadBuffer)}
}

func (g *gulpConn) Read(p []byte) (int, error) {
	if g.noWait.Load() && g.r.Buffered() == 0 {
		return 0, errNothingBuffered
	}
	return g.r.Read(p)
}

// errNothingBuffered is a gulpConn's answer in noWait mode when a read
// would wait. It is a temporary timeout, which the TLS layer passes on
// without giving up the connection, keeping a record it has half read.
var errNothingBuffered net.Error = nothingBuffered{}

type nothingBuffered struct{}

func (nothingBuffered) Error() string   { return "nothing buffered" }
func (nothingBuffered) Timeout() bool   { return true }
func (nothingBuffered) Temporary() bool { return true }

// gather reads into buf with read, which may wait, and then takes what has
// already arrived through g without waiting, until buf is full.
func gather(read func([]byte) (int, error), g *gulpConn, buf []byte) (int, error) {
	k, err := read(buf)
	for err == nil && k > 0 && k < len(buf) {
		g.noWait.Store(true)
		m, merr := read(buf[k:])
		g.noWait.Store(false)
		if errors.Is(merr, errNothingBuffered) {
			merr = nil
		}
		k, err = k+m, merr
		if m == 0 {
			break
		}
	}
	return k, err
}
