package ftp

import (
	"net"

	"golang.org/x/sys/unix"
)

// unsent says how many bytes written to conn (a TCP connection, or TLS
// over one) the peer has not acknowledged yet; ok is false when the
// system cannot tell.
func unsent(conn net.Conn) (n int, ok bool) {
	if tc, isTLS := conn.(interface{ NetConn() net.Conn }); isTLS {
		conn = tc.NetConn()
	}
	tc, isTCP := conn.(*net.TCPConn)
	if !isTCP {
		return 0, false
	}
	sc, err := tc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var ierr error
	if err := sc.Control(func(fd uintptr) { n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) }); err != nil || ierr != nil {
		return 0, false
	}
	return n, true
}
