package main

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"testing"
	"time"
)

// TestProxyDelaysAndKeepsBytes: a round trip through the proxy takes at
// least twice the delay, and what goes through comes back whole.
func TestProxyDelaysAndKeepsBytes(t *testing.T) {
	echo, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const delay = 30 * time.Millisecond
	go serve(ln, echo.Addr().String(), delay)

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	want := make([]byte, 1<<20)
	rand.Read(want)
	start := time.Now()
	go func() {
		c.Write(want)
		c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 2*delay {
		t.Errorf("round trip took %v, want at least %v", took, 2*delay)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes back, not the %d sent", len(got), len(want))
	}
}

func TestProxyRefusesNonLoopback(t *testing.T) {
	for _, c := range [][2]string{{"0.0.0.0:0", "127.0.0.1:22"}, {"127.0.0.1:0", "192.0.2.1:22"}, {"127.0.0.1:0", "nohost"}} {
		if err := run(c[0], c[1], time.Millisecond); err == nil {
			t.Errorf("run(%q, %q) served", c[0], c[1])
		}
	}
}
