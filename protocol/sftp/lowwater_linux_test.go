package sftp

import (
	"bytes"
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ferryhq/ferry/demo/sftpd"
)

// TestLowWaterGatesASocket: on a real socket the raised mark holds back a
// reply smaller than it, and lowering the mark frees a reader already
// waiting, without another byte arriving.
func TestLowWaterGatesASocket(t *testing.T) {
	client, server := tcpPair(t)

	w := newLowWater(client)
	if w == nil {
		t.Fatal("no low-water mark on a TCP socket")
	}
	w.patience = time.Hour
	s := w.stream(1 << 30)
	s.report(true, 0)
	// The reader waits in the poller before the reply arrives, as the SSH
	// reader does once it has drained the socket.
	got := make(chan string, 1)
	client.SetReadDeadline(time.Now().Add(20 * time.Second))
	go func() {
		buf := make([]byte, 64)
		n, err := client.Read(buf)
		if err != nil {
			got <- err.Error()
			return
		}
		got <- string(buf[:n])
	}()
	time.Sleep(50 * time.Millisecond)
	if _, err := server.Write([]byte("a small reply")); err != nil {
		t.Fatal(err)
	}
	select {
	case g := <-got:
		t.Fatalf("read %q under a mark of %d; want the small reply held back", g, lowMark)
	case <-time.After(300 * time.Millisecond):
	}
	s.done()
	select {
	case g := <-got:
		if g != "a small reply" {
			t.Fatalf("after the mark dropped: %q", g)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lowering the mark did not free the waiting reader")
	}
}

// TestBulkStreamRaisesTheMark: a download streaming on its own channel
// raises the socket's low-water mark while it runs and leaves it at one
// byte; a file that ends early mid-stream (the server answers EOF where
// data was asked for, far fewer bytes than the stream counted on) still
// ends the download at once with what there was.
func TestBulkStreamRaisesTheMark(t *testing.T) {
	for _, mode := range []string{"normal", "shrink"} {
		t.Run(mode, func(t *testing.T) {
			root := t.TempDir()
			data := bigFile(t, root, "s.bin", bulkMin+1<<20)
			sc := &scripted{root: root, mode: mode}
			c := bulkClient(t, root, sftpd.Options{Session: func(n int, ch ssh.Channel) bool {
				if n == 1 {
					return false
				}
				sc.serve(ch)
				return true
			}})
			if c.low == nil {
				t.Fatal("no low-water mark on a TCP connection")
			}
			if mode == "normal" {
				// A file read to its expected end lowers the mark itself:
				// with patience out of play, the copy must still finish.
				c.low.patience = time.Hour
			}
			var raised atomic.Int64
			set := c.low.set
			c.low.set = func(n int) {
				if n > 1 {
					raised.Add(1)
				}
				set(n)
			}
			want := data
			if mode == "shrink" {
				want = data[:2*maxPacket]
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			rc, err := c.Open(ctx, "/s.bin", 0)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			_, err = io.Copy(&got, rc)
			rc.Close()
			if err != nil {
				t.Fatalf("copy: %v", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("got %d bytes, want the first %d of the file", got.Len(), len(want))
			}
			if raised.Load() == 0 {
				t.Error("the stream never raised the mark")
			}
			c.low.mu.Lock()
			mark, relaxed := c.low.mark, c.low.relaxed
			c.low.mu.Unlock()
			if mark != 1 {
				t.Errorf("mark %d after the stream, want 1", mark)
			}
			if mode == "shrink" && relaxed == 0 {
				t.Errorf("the shrunk file was read without patience running out")
			}
		})
	}
}
