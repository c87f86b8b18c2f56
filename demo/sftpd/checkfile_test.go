package sftpd

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// fakeChannel is an ssh.Channel that reads from in and records writes.
type fakeChannel struct {
	ssh.Channel
	in     *bytes.Reader
	writes [][]byte
}

func (f *fakeChannel) Read(p []byte) (int, error) { return f.in.Read(p) }
func (f *fakeChannel) Write(p []byte) (int, error) {
	f.writes = append(f.writes, append([]byte(nil), p...))
	return len(p), nil
}

func TestCheckFileChannel(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	open := packet(3, u32(1), sshString("/f"), u32(1), u32(0))
	check := packet(fxpExtended, u32(2), sshString("check-file-name"), sshString("/f"),
		sshString("md5,sha256"), make([]byte, 20))
	ch := &fakeChannel{in: bytes.NewReader(append(append([]byte(nil), check...), open...))}
	c := newCheckFileChannel(ch, root)

	t.Run("other requests reach the server whole", func(t *testing.T) {
		got := make([]byte, len(open))
		for n := 0; n < len(got); {
			k, err := c.Read(got[n:])
			if err != nil {
				t.Fatal(err)
			}
			n += k
		}
		if !bytes.Equal(got, open) {
			t.Fatalf("server read %x, want %x", got, open)
		}
	})
	t.Run("check-file-name is answered with the preferred algorithm", func(t *testing.T) {
		sum := sha256.Sum256([]byte("hello"))
		want := packet(fxpExtendedReply, u32(2), sshString("check-file"), sshString("sha256"), sum[:])
		if len(ch.writes) != 1 || !bytes.Equal(ch.writes[0], want) {
			t.Fatalf("wrote %x, want %x", ch.writes, want)
		}
	})
	t.Run("a VERSION written in pieces goes out whole with the extension", func(t *testing.T) {
		ch.writes = nil
		v := packet(fxpVersion, u32(3))
		c.Write(v[:3])
		c.Write(v[3:])
		if len(ch.writes) != 1 || !strings.Contains(string(ch.writes[0]), "check-file") {
			t.Fatalf("wrote %q, want one VERSION naming check-file", ch.writes)
		}
		if n := binary.BigEndian.Uint32(ch.writes[0]); int(n) != len(ch.writes[0])-4 {
			t.Fatalf("VERSION length %d for %d bytes", n, len(ch.writes[0])-4)
		}
	})
}
