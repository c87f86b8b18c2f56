package ftp

import (
	"net"

	"golang.org/x/sys/unix"
)

// tcpEstablished is TCP_ESTABLISHED of linux/tcp_states.h.
const tcpEstablished = 1

// unsent says how many bytes written to conn (a TCP connection, or TLS
// over one) the peer has not acknowledged yet; ok is false when the
// system cannot tell. A connection no longer established (reset, or
// closed by the server) has nothing more to send: 0, whatever its queue
// still holds, so that a cut is reported by the close and the reply at
// once rather than waited out.
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
	var info *unix.TCPInfo
	if err := sc.Control(func(fd uintptr) {
		if info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); ierr == nil && info.State == tcpEstablished {
			n, ierr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
		}
	}); err != nil || ierr != nil {
		return 0, false
	}
	if info.State != tcpEstablished {
		return 0, true
	}
	return n, true
}

// readable says whether conn (TCP, or TLS over it) has bytes waiting to
// be read, or is no longer established (reset, or closed by the peer).
func readable(conn net.Conn) bool {
	if tc, isTLS := conn.(interface{ NetConn() net.Conn }); isTLS {
		conn = tc.NetConn()
	}
	tc, isTCP := conn.(*net.TCPConn)
	if !isTCP {
		return false
	}
	sc, err := tc.SyscallConn()
	if err != nil {
		return false
	}
	var yes bool
	_ = sc.Control(func(fd uintptr) {
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil && info.State != tcpEstablished {
			yes = true
			return
		}
		n, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ)
		yes = err == nil && n > 0
	})
	return yes
}
