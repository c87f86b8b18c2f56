package sftp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pkg/sftp"
)

// noFstatClient is a session with pkg/sftp's server behind a filter that
// answers every FSTAT with "No such file", as Net::SFTP::SftpServer does,
// which has no FSTAT.
func noFstatClient(t *testing.T) *Client {
	t.Helper()
	const fxpFstat = 8
	cr, fw := io.Pipe() // filter → client
	fr, cw := io.Pipe() // client → filter
	sr, tw := io.Pipe() // filter → server
	tr, sw := io.Pipe() // server → filter
	srv, err := sftp.NewServer(struct {
		io.Reader
		io.WriteCloser
	}{sr, sw})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	var mu sync.Mutex // one packet at a time towards the client
	toClient := func(b []byte) {
		mu.Lock()
		fw.Write(b)
		mu.Unlock()
	}
	readPacket := func(r io.Reader) ([]byte, error) {
		var lb [4]byte
		if _, err := io.ReadFull(r, lb[:]); err != nil {
			return nil, err
		}
		b := make([]byte, 4+binary.BigEndian.Uint32(lb[:]))
		copy(b, lb[:])
		_, err := io.ReadFull(r, b[4:])
		return b, err
	}
	go func() { // client → server, FSTAT refused on the way
		defer tw.Close()
		for {
			b, err := readPacket(fr)
			if err != nil {
				return
			}
			if b[4] == fxpFstat {
				toClient(packet(fxpStatus, b[5:9], u32(2), str([]byte("No such file")), str(nil)))
				continue
			}
			tw.Write(b)
		}
	}()
	go func() { // server → client
		defer fw.Close()
		for {
			b, err := readPacket(tr)
			if err != nil {
				return
			}
			toClient(b)
		}
	}()
	sc, err := sftp.NewClientPipe(cr, cw, sftpOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The pipes first: pkg/sftp's Close waits for its reader.
		fw.Close()
		cw.Close()
		srv.Close()
		sc.Close()
	})
	return &Client{sc: sc, home: "/", writeRequests: 2}
}

// TestNoFstat downloads a file and resumes an upload on a server without
// FSTAT: the size comes from STAT of the path, and the download's reads
// in flight (readAhead) never ask FSTAT, as pkg/sftp's WriteTo did. The
// server here caps replies at 32 KiB, below what is asked.
func TestNoFstat(t *testing.T) {
	c := noFstatClient(t)
	ctx := context.Background()
	dir := filepath.ToSlash(t.TempDir())
	data := make([]byte, 3<<20+12345) // past smallFile, short of bulkMin
	rand.Read(data)
	if err := os.WriteFile(dir+"/big", data, 0o644); err != nil {
		t.Fatal(err)
	}
	rc, err := c.Open(ctx, dir+"/big", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if _, err := io.Copy(&got, rc); err != nil {
		t.Fatalf("download: %v", err)
	}
	rc.Close()
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("download: got %d bytes, want %d, equal %v", got.Len(), len(data), bytes.Equal(got.Bytes(), data))
	}

	// An upload cut short at 1 MiB resumes there.
	if err := os.WriteFile(dir+"/part", data[:1<<20], 0o644); err != nil {
		t.Fatal(err)
	}
	wc, err := c.Create(ctx, dir+"/part", 1<<20)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := io.Copy(wc, bytes.NewReader(data[1<<20:])); err != nil {
		t.Fatal(err)
	}
	if err := wc.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dir + "/part"); !bytes.Equal(b, data) {
		t.Fatalf("resumed upload: %d bytes, want %d", len(b), len(data))
	}
}
