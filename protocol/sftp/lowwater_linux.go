package sftp

import "syscall"

// rcvLowatSetter returns a setter of raw's SO_RCVLOWAT when raw is a
// socket. Linux wakes an epoll reader only once the mark's worth has
// arrived (or the peer closed, or the buffer is under pressure), and
// changing the mark re-checks at once, so lowering it frees a waiting
// reader.
func rcvLowatSetter(raw any) func(int) {
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(n int) {
		rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVLOWAT, n)
		})
	}
}
