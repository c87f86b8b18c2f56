package sftp

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
)

func randomFile(t *testing.T, root, name string, size int) []byte {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHash(t *testing.T) {
	ctx := t.Context()
	c, root := passwordClient(t, sftpd.Options{CheckFile: true})
	data := randomFile(t, root, "f.bin", 300<<10+7)
	s256 := sha256.Sum256(data)
	m5 := md5.Sum(data)

	t.Run("the server's algorithms are offered", func(t *testing.T) {
		got := c.HashAlgorithms()
		for _, want := range []string{"sha256", "sha1", "md5"} {
			if !slices.Contains(got, want) {
				t.Errorf("HashAlgorithms() = %v, want %s among them", got, want)
			}
		}
	})
	t.Run("sha256 and md5 match the file", func(t *testing.T) {
		for algo, want := range map[string]string{"sha256": hex.EncodeToString(s256[:]), "md5": hex.EncodeToString(m5[:])} {
			// Twice: the second request reuses the kept channel.
			for range 2 {
				got, err := c.Hash(ctx, "/f.bin", algo)
				if err != nil || got != want {
					t.Fatalf("Hash(%s) = %q, %v; want %q", algo, got, err, want)
				}
			}
		}
	})
	t.Run("Sum hashes on the server", func(t *testing.T) {
		sum, err := protocol.Sum(ctx, c, "f.bin", nil)
		if err != nil || !sum.Server || sum.Algorithm != "sha256" || sum.Sum != hex.EncodeToString(s256[:]) {
			t.Fatalf("Sum = %+v, %v; want the server's sha256 %x", sum, err, s256)
		}
	})
	t.Run("a missing file is ErrNotExist", func(t *testing.T) {
		if _, err := c.Hash(ctx, "/nope", "sha256"); !errors.Is(err, protocol.ErrNotExist) {
			t.Fatalf("got %v, want ErrNotExist", err)
		}
	})
	t.Run("an algorithm the server lacks is ErrUnsupported", func(t *testing.T) {
		if _, err := c.Hash(ctx, "/f.bin", "crc32"); !errors.Is(err, protocol.ErrUnsupported) {
			t.Fatalf("got %v, want ErrUnsupported", err)
		}
	})
}

func TestHash_NoExtension(t *testing.T) {
	ctx := t.Context()
	c, root := passwordClient(t, sftpd.Options{})
	data := randomFile(t, root, "f.bin", 70<<10)
	if got := c.HashAlgorithms(); len(got) != 0 {
		t.Errorf("HashAlgorithms() = %v without check-file, want none", got)
	}
	if _, err := c.Hash(ctx, "/f.bin", "sha256"); !errors.Is(err, protocol.ErrUnsupported) {
		t.Errorf("Hash: got %v, want ErrUnsupported", err)
	}
	want := sha256.Sum256(data)
	sum, err := protocol.Sum(ctx, c, "f.bin", nil)
	if err != nil || sum.Server || sum.Sum != hex.EncodeToString(want[:]) {
		t.Fatalf("Sum = %+v, %v; want %x read back (Server false)", sum, err, want)
	}
}

func TestCheckFileAlgorithms(t *testing.T) {
	for _, tc := range []struct {
		data string
		want []string
	}{
		{"md5,sha1,sha224,sha256,sha384,sha512", []string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512"}},
		{"SHA256, whirlpool,md5", []string{"sha256", "md5"}},
		{"1", []string{"sha256", "sha1", "md5"}},
		{"", []string{"sha256", "sha1", "md5"}},
	} {
		if got := checkFileAlgorithms(tc.data); !slices.Equal(got, tc.want) {
			t.Errorf("checkFileAlgorithms(%q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

// serveCheckFile answers a bulk channel's INIT and then each request with
// reply(id), until the client goes; a nil reply sends nothing.
func serveCheckFile(ch ssh.Channel, reply func(id uint32) []byte) {
	defer ch.Close()
	for {
		var lb [4]byte
		if _, err := io.ReadFull(ch, lb[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(lb[:])
		if n < 5 || n > 1<<20 {
			return
		}
		pkt := make([]byte, n)
		if _, err := io.ReadFull(ch, pkt); err != nil {
			return
		}
		if pkt[0] == fxpInit {
			ch.Write(packet(fxpVersion, u32(3)))
			continue
		}
		if out := reply(binary.BigEndian.Uint32(pkt[1:])); out != nil {
			ch.Write(out)
		}
	}
}

func TestHash_BadReplies(t *testing.T) {
	sum := make([]byte, 32)
	ext := func(parts ...[]byte) func(uint32) []byte {
		return func(id uint32) []byte { return packet(fxpExtendedReply, append([][]byte{u32(id)}, parts...)...) }
	}
	for _, tc := range []struct {
		name  string
		reply func(id uint32) []byte
		want  error
	}{
		{"a short digest is a protocol error", ext(str([]byte("check-file")), str([]byte("sha256")), sum[:12]), protocol.ErrProtocol},
		{"a long digest is a protocol error", ext(str([]byte("check-file")), str([]byte("sha256")), sum, sum), protocol.ErrProtocol},
		{"another algorithm is a protocol error", ext(str([]byte("check-file")), str([]byte("md5")), sum[:16]), protocol.ErrProtocol},
		{"a wrong reply name is a protocol error", ext(str([]byte("check-fil")), str([]byte("sha256")), sum), protocol.ErrProtocol},
		{"a broken string is a protocol error", ext(u32(1 << 30)), protocol.ErrProtocol},
		{"another request's id is a protocol error", func(id uint32) []byte {
			return packet(fxpExtendedReply, u32(id+1), str([]byte("check-file")), str([]byte("sha256")), sum)
		}, protocol.ErrProtocol},
		{"a data packet is a protocol error", func(id uint32) []byte { return packet(fxpData, u32(id), str(sum)) }, protocol.ErrProtocol},
		{"an oversized reply is a protocol error", ext(make([]byte, 64<<10)), protocol.ErrProtocol},
		{"OP_UNSUPPORTED is ErrUnsupported", func(id uint32) []byte {
			return packet(fxpStatus, u32(id), u32(fxOpUnsupported), str([]byte("no check-file here")), str(nil))
		}, protocol.ErrUnsupported},
		{"a reply cut short is an error", func(id uint32) []byte {
			return packet(fxpExtendedReply, u32(id), str([]byte("check-file")), str([]byte("sha256")), sum)[:20]
		}, protocol.ErrTransient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			data := randomFile(t, root, "f.bin", 1000)
			c := bulkClient(t, root, sftpd.Options{CheckFile: true, Session: func(n int, ch ssh.Channel) bool {
				if n == 1 {
					return false
				}
				// A reply cut short: the channel ends after it.
				serveCheckFile(ch, func(id uint32) []byte {
					out := tc.reply(id)
					if tc.want == protocol.ErrTransient {
						ch.Write(out)
						ch.Close()
						return nil
					}
					return out
				})
				return true
			}})
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			got, err := c.Hash(ctx, "/f.bin", "sha256")
			if !errors.Is(err, tc.want) {
				t.Fatalf("Hash = %q, %v; want an error wrapping %v", got, err, tc.want)
			}
			t.Log(err)
			// Sum reads the file instead.
			s, err := protocol.Sum(ctx, c, "/f.bin", nil)
			want := sha256.Sum256(data)
			if err != nil || s.Server || s.Sum != hex.EncodeToString(want[:]) {
				t.Fatalf("Sum = %+v, %v; want %x read back", s, err, want)
			}
		})
	}
}

func TestHash_SilentServer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(ch ssh.Channel)
	}{
		{"no answer to the request", func(ch ssh.Channel) { serveCheckFile(ch, func(uint32) []byte { return nil }) }},
		{"no answer to the channel's INIT", func(ch ssh.Channel) { io.Copy(io.Discard, ch) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			randomFile(t, root, "f.bin", 10)
			c := bulkClient(t, root, sftpd.Options{CheckFile: true, Session: func(n int, ch ssh.Channel) bool {
				if n == 1 {
					return false
				}
				tc.serve(ch)
				return true
			}})
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.Hash(ctx, "/f.bin", "sha256")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want the context's deadline", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("Hash took %s past a 200ms deadline", d)
			}
		})
	}
}
