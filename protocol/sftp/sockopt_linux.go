package sftp

import "syscall"

// rcvLowatSetter returns a setter of raw's SO_RCVLOWAT when raw is a
// socket. Linux wakes an epoll reader only once the mark's worth has
// arrived (or the peer closed, or the buffer is under pressure), and
// changing the mark re-checks at once, so lowering it frees a waiting
// reader.
func rcvLowatSetter(raw any) func(int) {
	return sockopt(raw, syscall.SOL_SOCKET, syscall.SO_RCVLOWAT)
}

// quickAcker returns a function that acknowledges at once what raw has
// received, when raw is a TCP socket: TCP_QUICKACK sends an ACK the
// kernel was holding back and leaves delayed ACKs on for what follows.
func quickAcker(raw any) func() {
	set := sockopt(raw, syscall.IPPROTO_TCP, syscall.TCP_QUICKACK)
	if set == nil {
		return nil
	}
	return func() { set(1) }
}

// sockopt returns a setter of one integer option of raw, nil when raw is
// not a socket.
func sockopt(raw any, level, opt int) func(int) {
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(v int) {
		rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), level, opt, v)
		})
	}
}
