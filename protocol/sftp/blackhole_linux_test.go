package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// blackHole returns a loopback address that drops SYNs: a listener that
// never accepts, its one-place queue filled. Linux drops a SYN for a full
// queue rather than refusing it, as a firewall's DROP rule does.
func blackHole(t *testing.T) string {
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

// TestConnectToABlackHole: a server that never answers the SYN fails the
// dial within the timeout, for a retry, saying so.
func TestConnectToABlackHole(t *testing.T) {
	addr := blackHole(t)
	cfg := baseConfig(t)
	cfg.Password = "pw"
	cfg.Timeout = 300 * time.Millisecond
	start := time.Now()
	c, err := Dial(context.Background(), siteOf(t, addr, "alice"), cfg)
	if err == nil {
		c.Close()
		t.Fatal("connected to a black hole")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("gave up after %s with a 300ms timeout", took)
	}
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want ErrTransient: a dropped SYN is worth another try", err)
	}
	if !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Errorf("got %q, want it to say how long it waited", err)
	}
}
