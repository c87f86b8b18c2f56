package ftp

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
)

// tlsOverGulp connects a TLS client over a gulpConn to a TLS server on
// loopback; serve runs on the server's side (its raw conn, for pauses
// below the records, and the TLS conn) and closes nothing.
func tlsOverGulp(t *testing.T, serve func(raw net.Conn, tc *tls.Conn)) (*tls.Conn, *gulpConn) {
	t.Helper()
	serverTLS, pool, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		raw, err := l.Accept()
		if err != nil {
			return
		}
		defer raw.Close()
		pr := &pausingConn{Conn: raw}
		tc := tls.Server(pr, serverTLS)
		if err := tc.Handshake(); err != nil {
			return
		}
		serve(pr, tc)
		tc.Close()
	}()
	raw, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	g := newGulpConn(raw)
	tc := tls.Client(g, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	t.Cleanup(func() { tc.Close() })
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	return tc, g
}

// pausingConn splits every write after split bytes and sleeps in between
// when pause is set: a record arrives in two parts.
type pausingConn struct {
	net.Conn
	split int
	pause time.Duration
}

func (p *pausingConn) Write(b []byte) (int, error) {
	if p.pause == 0 || len(b) <= p.split {
		return p.Conn.Write(b)
	}
	n, err := p.Conn.Write(b[:p.split])
	if err != nil {
		return n, err
	}
	time.Sleep(p.pause)
	m, err := p.Conn.Write(b[p.split:])
	return n + m, err
}

// readAll gathers until EOF, counting the gathers.
func readAll(t *testing.T, tc *tls.Conn, g *gulpConn, size int) ([]byte, int) {
	t.Helper()
	read := func(b []byte) (int, error) {
		_ = tc.SetReadDeadline(time.Now().Add(10 * time.Second))
		return tc.Read(b)
	}
	var got bytes.Buffer
	buf := make([]byte, size)
	calls := 0
	for {
		k, err := gather(read, g, buf)
		calls++
		got.Write(buf[:k])
		if errors.Is(err, io.EOF) {
			return got.Bytes(), calls
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", got.Len(), err)
		}
	}
}

// TestGatherTakesWhatHasArrived: with a whole file already in the socket,
// each gather fills the buffer with many records instead of one.
func TestGatherTakesWhatHasArrived(t *testing.T) {
	want := make([]byte, 1<<20)
	rand.Read(want)
	sent := make(chan struct{})
	tc, g := tlsOverGulp(t, func(_ net.Conn, s *tls.Conn) {
		s.Write(want)
		close(sent)
	})
	<-sent
	time.Sleep(50 * time.Millisecond) // the last bytes cross loopback
	got, calls := readAll(t, tc, g, 256<<10)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want the %d sent", len(got), len(want))
	}
	// One record per read would take 64 gathers; 256 KiB ones take 4
	// and the one that meets EOF.
	if calls > 8 {
		t.Errorf("%d gathers for 1 MiB in 256 KiB buffers: records were not gathered", calls)
	}
}

// TestGatherDoesNotWait: a gather returns what has arrived rather than
// wait for more to fill its buffer, also when a record has only half
// arrived; nothing is lost, and later reads wait for the rest as usual.
func TestGatherDoesNotWait(t *testing.T) {
	want := make([]byte, 300<<10)
	rand.Read(want)
	const first = 40 << 10
	tc, g := tlsOverGulp(t, func(raw net.Conn, s *tls.Conn) {
		s.Write(want[:first])
		time.Sleep(400 * time.Millisecond)
		p := raw.(*pausingConn)
		p.split, p.pause = 7000, 20*time.Millisecond
		s.Write(want[first:])
	})
	read := func(b []byte) (int, error) {
		_ = tc.SetReadDeadline(time.Now().Add(10 * time.Second))
		return tc.Read(b)
	}
	buf := make([]byte, 256<<10)
	time.Sleep(100 * time.Millisecond) // the first part has arrived
	start := time.Now()
	k, err := gather(read, g, buf)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 200*time.Millisecond || k != first {
		t.Fatalf("first gather: %d bytes after %s, want the %d that had arrived, at once", k, took, first)
	}
	got, _ := readAll(t, tc, g, len(buf))
	got = append(buf[:k:k], got...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got %d bytes, want the %d sent", len(got), len(want))
	}
}
