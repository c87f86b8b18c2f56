package faultproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer answers every connection by sending back what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, addr string, payload []byte) ([]byte, error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() { c.Write(payload); c.(*net.TCPConn).CloseWrite() }()
	return io.ReadAll(c)
}

func TestProxyPassesDataWithoutCuts(t *testing.T) {
	p, err := Start(Options{Target: echoServer(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	payload := bytes.Repeat([]byte("ferry"), 100_000)
	got, err := roundTrip(t, p.Addr(), payload)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("got %d bytes (%v), want %d back", len(got), err, len(payload))
	}
	if p.Cuts() != 0 {
		t.Errorf("%d cuts with probability 0", p.Cuts())
	}
}

func TestProxyCutsWithinBudget(t *testing.T) {
	p, err := Start(Options{Target: echoServer(t), CutProbability: 1, MaxCutAfter: 10_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for range 5 {
		got, _ := roundTrip(t, p.Addr(), bytes.Repeat([]byte("x"), 100_000))
		if len(got) >= 10_000 {
			t.Errorf("%d bytes came back through a connection cut before 10000", len(got))
		}
	}
	if p.Cuts() != 5 {
		t.Errorf("%d cuts of 5 connections", p.Cuts())
	}
}

func TestRewritePointsPassiveRepliesAtTheProxy(t *testing.T) {
	p, err := Start(Options{Target: "127.0.0.1:21", FTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, line := range []string{"227 Entering Passive Mode (127,0,0,1,200,10).\r\n", "229 Entering Extended Passive Mode (|||51210|)\r\n"} {
		got := p.rewrite(line)
		if got == line || !bytes.Contains([]byte(got), []byte("127,0,0,1")) && !bytes.Contains([]byte(got), []byte("|||")) {
			t.Errorf("rewrite(%q) = %q", line, got)
		}
	}
	if got := p.rewrite("200 OK\r\n"); got != "200 OK\r\n" {
		t.Errorf("an ordinary reply changed: %q", got)
	}
}

func TestStallKeepsTheConnectionOpenAndSilent(t *testing.T) {
	p, err := Start(Options{Target: echoServer(t), Stall: true, Burst: 1, MinCutAfter: 1000, MaxCutAfter: 1001})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write(bytes.Repeat([]byte("x"), 100_000))
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	got, err := io.ReadAll(c)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read ended with %v, want a timeout: a stalled link neither closes nor resets", err)
	}
	if len(got) >= 1000 {
		t.Errorf("%d bytes came back through a link stalled after 1000 (both directions counted)", len(got))
	}
	if p.Cuts() != 1 {
		t.Errorf("%d stalls, want 1", p.Cuts())
	}
	// The second connection is past the burst and passes everything.
	payload := bytes.Repeat([]byte("y"), 50_000)
	if got, err := roundTrip(t, p.Addr(), payload); err != nil || !bytes.Equal(got, payload) {
		t.Errorf("after the stall: %d bytes (%v), want %d", len(got), err, len(payload))
	}
}

func TestRatePacesTheLink(t *testing.T) {
	p, err := Start(Options{Target: echoServer(t), Rate: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	payload := bytes.Repeat([]byte("z"), 20_000)
	got, err := roundTrip(t, p.Addr(), payload)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("got %d bytes (%v), want %d", len(got), err, len(payload))
	}
	// 20 kB each way at 100 kB/s, the directions overlapping: about 0.2 s.
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Errorf("20 kB at 100 kB/s took %s", took)
	}
}

func TestDelayHoldsEveryByteBack(t *testing.T) {
	p, err := Start(Options{Target: echoServer(t), Delay: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	start := time.Now()
	payload := bytes.Repeat([]byte("d"), 200_000)
	got, err := roundTrip(t, p.Addr(), payload)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("got %d bytes (%v), want %d", len(got), err, len(payload))
	}
	if took := time.Since(start); took < 200*time.Millisecond || took > 5*time.Second {
		t.Errorf("a round trip through a 100 ms delay each way took %s", took)
	}
}
