package sftp

import (
	"context"
	"encoding/binary"
	"io"
	"testing"

	"github.com/pkg/sftp"
)

// symlinkServer answers INIT with VERSION 3 and the given extensions,
// and every SYMLINK with OK, recording the two paths in wire order.
func symlinkServer(t *testing.T, ext map[string]string) (*sftp.Client, <-chan [2]string) {
	t.Helper()
	const fxpSymlink = 20
	cr, sw := io.Pipe() // server → client
	sr, cw := io.Pipe() // client → server
	got := make(chan [2]string, 1)
	go func() {
		defer sw.Close()
		for {
			var lb [4]byte
			if _, err := io.ReadFull(sr, lb[:]); err != nil {
				return
			}
			pkt := make([]byte, binary.BigEndian.Uint32(lb[:]))
			if _, err := io.ReadFull(sr, pkt); err != nil {
				return
			}
			switch pkt[0] {
			case fxpInit:
				parts := [][]byte{u32(3)}
				for k, v := range ext {
					parts = append(parts, str([]byte(k)), str([]byte(v)))
				}
				sw.Write(packet(fxpVersion, parts...))
			case fxpSymlink:
				id, body := pkt[1:5], pkt[5:]
				first := string(body[4 : 4+binary.BigEndian.Uint32(body)])
				body = body[4+len(first):]
				second := string(body[4 : 4+binary.BigEndian.Uint32(body)])
				got <- [2]string{first, second}
				sw.Write(packet(fxpStatus, id, u32(fxStatOK), str(nil), str(nil)))
			}
		}
	}()
	sc, err := sftp.NewClientPipe(cr, cw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	return sc, got
}

// TestSymlinkOrder sends SYMLINK target first, as OpenSSH's server and
// pkg/sftp expect, unless the server says with the
// symlink-order@rjk.greenend.org.uk extension that it takes the link's
// path first, as gesftpserver does.
func TestSymlinkOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		ext  map[string]string
		want [2]string
	}{
		{"OpenSSH's order", map[string]string{"posix-rename@openssh.com": "1"}, [2]string{"x1", "/home/u/lnk"}},
		{"the draft's order, announced", map[string]string{"symlink-order@rjk.greenend.org.uk": "linkpath-targetpath"}, [2]string{"/home/u/lnk", "x1"}},
		{"OpenSSH's order, announced", map[string]string{"symlink-order@rjk.greenend.org.uk": "targetpath-linkpath"}, [2]string{"x1", "/home/u/lnk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, got := symlinkServer(t, tc.ext)
			c := &Client{sc: sc, home: "/home/u", linkFirst: symlinkLinkFirst(sc)}
			if err := c.Symlink(context.Background(), "x1", "lnk"); err != nil {
				t.Fatal(err)
			}
			if g := <-got; g != tc.want {
				t.Fatalf("SYMLINK sent %q, want %q", g, tc.want)
			}
		})
	}
}
