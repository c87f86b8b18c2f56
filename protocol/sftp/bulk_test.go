package sftp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ferryhq/ferry/demo/sftpd"
)

// scripted is an SFTP responder for bulk channels that misbehaves on
// purpose; it serves the real file under root, so whatever the client
// makes of it can be checked byte for byte.
type scripted struct {
	root  string
	mode  string
	reads atomic.Int64 // READ requests answered
	bytes atomic.Int64 // data bytes sent
}

func (s *scripted) serve(ch ssh.Channel) {
	defer ch.Close()
	var held []byte // a reply kept back to send out of order
	reply := packet
	status := func(id, code uint32) []byte {
		return reply(fxpStatus, u32(id), u32(code), str([]byte("scripted")), str(nil))
	}
	var f *os.File
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	for {
		var lb [4]byte
		if _, err := io.ReadFull(ch, lb[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(lb[:])
		if n == 0 || n > 1<<20 {
			return
		}
		pkt := make([]byte, n)
		if _, err := io.ReadFull(ch, pkt); err != nil {
			return
		}
		typ, body := pkt[0], pkt[1:]
		if typ == fxpInit {
			vt := byte(fxpVersion)
			if s.mode == "badversion" {
				vt = 99
			}
			ch.Write(reply(vt, u32(3)))
			continue
		}
		id := binary.BigEndian.Uint32(body)
		body = body[4:]
		var out []byte
		switch typ {
		case fxpOpen:
			pl := binary.BigEndian.Uint32(body)
			name := string(body[4 : 4+pl])
			var err error
			if s.mode == "openfail" {
				out = status(id, 2)
				break
			}
			f, err = os.Open(filepath.Join(s.root, filepath.FromSlash(name)))
			if err != nil {
				out = status(id, 2)
				break
			}
			out = reply(fxpHandle, u32(id), str([]byte("h1")))
		case fxpRead:
			hl := binary.BigEndian.Uint32(body)
			rest := body[4+hl:]
			off := int64(binary.BigEndian.Uint64(rest))
			want := binary.BigEndian.Uint32(rest[8:])
			k := s.reads.Add(1)
			if s.mode == "short" && want > 1 {
				want /= 2
			}
			if s.mode == "toolong" && k == 2 {
				want += 10
			}
			buf := make([]byte, want)
			m, _ := f.ReadAt(buf, off)
			switch {
			case s.mode == "status" && k == 3:
				out = status(id, 4)
			case s.mode == "garbage" && k == 3:
				out = make([]byte, 64)
				rand.Read(out)
			case s.mode == "drop" && k == 3:
				return
			case s.mode == "shrink" && k >= 3:
				// The file ends here now, and the news comes after the
				// client has taken everything before it.
				if k == 3 {
					time.Sleep(100 * time.Millisecond)
				}
				out = status(id, fxEOF)
			case m == 0:
				out = status(id, fxEOF)
			default:
				out = reply(fxpData, u32(id), str(buf[:m]))
				s.bytes.Add(int64(m))
			}
			if s.mode == "reorder" && k == 2 {
				held = out
				continue
			}
		case fxpClose:
			out = status(id, fxStatOK)
		default:
			out = status(id, 8)
		}
		if _, err := ch.Write(out); err != nil {
			return
		}
		if held != nil {
			ch.Write(held)
			held = nil
		}
	}
}

// packet frames one SFTP packet: length, type, then the parts.
func packet(typ byte, parts ...[]byte) []byte {
	b := []byte{0, 0, 0, 0, typ}
	for _, p := range parts {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// bulkClient serves root with the in-process server (opts adds to it)
// and returns a session on it.
func bulkClient(t *testing.T, root string, opts sftpd.Options) *Client {
	t.Helper()
	opts.Root = root
	opts.Users = []sftpd.User{{Name: "u", Password: "pw"}}
	srv := startServer(t, opts)
	cfg := baseConfig(t, srv)
	cfg.Password = "pw"
	return dial(t, siteOf(t, srv.Addr(), "u"), cfg)
}

// bigFile writes size random bytes under root and returns their digest.
func bigFile(t *testing.T, root, name string, size int) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func digest(t *testing.T, rc io.ReadCloser, err error) [32]byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		t.Fatalf("copy: %v", err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// TestBulkStreamAgainstMisbehavingServers: whatever the bulk channel's
// server does wrong, downloads arrive whole (the rest comes through
// pkg/sftp on the main channel), whole files and ranges alike.
func TestBulkStreamAgainstMisbehavingServers(t *testing.T) {
	const size = bulkMin + 3<<20 + 12345
	for _, mode := range []string{"normal", "short", "reorder", "toolong", "status", "garbage", "drop", "badversion", "openfail"} {
		t.Run(mode, func(t *testing.T) {
			root := t.TempDir()
			data := bigFile(t, root, "big.bin", size)
			sc := &scripted{root: root, mode: mode}
			var bulkSessions atomic.Int64
			c := bulkClient(t, root, sftpd.Options{Session: func(n int, ch ssh.Channel) bool {
				if n == 1 {
					return false
				}
				bulkSessions.Add(1)
				sc.serve(ch)
				return true
			}})
			ctx := t.Context()

			rc, err := c.Open(ctx, "/big.bin", 0)
			if got := digest(t, rc, err); got != sha256.Sum256(data) {
				t.Fatalf("whole file differs")
			}
			rc, err = c.OpenRange(ctx, "/big.bin", 1<<20+7, bulkMin+5)
			if got := digest(t, rc, err); got != sha256.Sum256(data[1<<20+7:1<<20+7+bulkMin+5]) {
				t.Fatalf("range differs")
			}
			if bulkSessions.Load() == 0 {
				t.Fatalf("no bulk channel was opened")
			}
			switch mode {
			case "normal":
				if got := sc.bytes.Load(); got < int64(size) {
					t.Errorf("bulk channel carried %d bytes, want at least the file's %d", got, size)
				}
				if n := bulkSessions.Load(); n != 1 {
					t.Errorf("%d bulk channels for two reads, want one kept between them", n)
				}
			case "short", "reorder", "toolong", "garbage":
				if c.bulkOK.Load() {
					t.Errorf("bulk streams still on after a %s reply", mode)
				}
			}
			switch mode {
			case "badversion", "openfail":
			default:
				if sc.reads.Load() == 0 {
					t.Errorf("the bulk channel answered no read")
				}
			}
		})
	}
}

// TestBulkStreamReadsToEOFWhenTheFileGrows: the size seen at open is a
// hint; a file that grew is read to its end.
func TestBulkStreamReadsToEOFWhenTheFileGrows(t *testing.T) {
	root := t.TempDir()
	c := bulkClient(t, root, sftpd.Options{})
	data := bigFile(t, root, "g.bin", bulkMin+1<<20)
	rc, err := c.Open(t.Context(), "/g.bin", 0)
	if err != nil {
		t.Fatal(err)
	}
	more := make([]byte, 3<<20)
	rand.Read(more)
	f, err := os.OpenFile(filepath.Join(root, "g.bin"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(more)
	f.Close()
	var got bytes.Buffer
	if _, err := io.Copy(&got, rc); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if !bytes.Equal(got.Bytes(), append(data, more...)) {
		t.Fatalf("got %d bytes, want %d", got.Len(), len(data)+len(more))
	}
}

// TestBulkStreamCancel: cancelling a download mid-stream returns promptly
// with the context's error, and the session still works.
func TestBulkStreamCancel(t *testing.T) {
	root := t.TempDir()
	c := bulkClient(t, root, sftpd.Options{})
	bigFile(t, root, "c.bin", 4*bulkMin)
	ctx, cancel := context.WithCancel(t.Context())
	rc, err := c.Open(ctx, "/c.bin", 0)
	if err != nil {
		t.Fatal(err)
	}
	w := &cancelAfter{n: bulkMin / 2, cancel: cancel}
	_, err = io.Copy(w, rc)
	rc.Close()
	if err == nil {
		t.Fatalf("cancelled copy succeeded")
	}
	if ctx.Err() == nil {
		t.Fatalf("copy stopped before the cancel: %v", err)
	}
	if _, err := c.Stat(t.Context(), "/c.bin"); err != nil {
		t.Fatalf("session broken after a cancelled stream: %v", err)
	}
}

// cancelAfter cancels once n bytes went through.
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel func()
}

func (w *cancelAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n -= len(p)
	if w.n <= 0 {
		w.cancel()
	}
	return len(p), nil
}
