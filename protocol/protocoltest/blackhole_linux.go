package protocoltest

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

// BlackHole returns a loopback address that drops SYNs: a listener that
// never accepts, its one-place queue filled. Linux drops a SYN for a full
// queue rather than refusing it, as a firewall's DROP rule does.
func BlackHole(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Skip(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Skip(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr // the queue is full: SYNs go unanswered
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Skip("the system does not drop SYNs to a full accept queue")
	return ""
}
