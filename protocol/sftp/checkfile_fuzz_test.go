package sftp

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzCheckFileReply feeds arbitrary server output to a check-file
// request: nothing may panic or hang, a digest comes back only with the
// asked-for length, and an error that is not a status leaves no doubt
// that the reply broke the protocol or ended early.
func FuzzCheckFileReply(f *testing.F) {
	sum := make([]byte, 32)
	f.Add(packet(fxpExtendedReply, u32(2), str([]byte("check-file")), str([]byte("sha256")), sum))
	f.Add(packet(fxpExtendedReply, u32(2), str([]byte("check-file")), str([]byte("sha256")), sum[:5]))
	f.Add(packet(fxpStatus, u32(2), u32(fxOpUnsupported), str([]byte("no")), str(nil)))
	f.Add(packet(fxpStatus, u32(2), u32(4)))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, fxpExtendedReply, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, server []byte) {
		b := newBulkConn(io.Discard, bytes.NewReader(server), func() error { return nil })
		got, err := b.checkFile("/f", "sha256")
		if err == nil {
			if len(got) != 32 {
				t.Fatalf("digest of %d bytes, want 32", len(got))
			}
			return
		}
		var st *checkFileStatus
		if !errors.As(err, &st) && !errors.Is(err, errBulkProtocol) &&
			!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}

func TestParseCheckFile(t *testing.T) {
	sum := bytes.Repeat([]byte{0xab}, 16)
	ok := append(append(str([]byte("check-file")), str([]byte("md5"))...), sum...)
	got, err := parseCheckFile(ok, "md5")
	if err != nil || !bytes.Equal(got, sum) {
		t.Fatalf("parseCheckFile(%x) = %x, %v; want %x", ok, got, err, sum)
	}
	for _, bad := range [][]byte{nil, ok[:3], ok[:len(ok)-1], append(ok, 0)} {
		if _, err := parseCheckFile(bad, "md5"); !errors.Is(err, errBulkProtocol) {
			t.Errorf("parseCheckFile(%x): got %v, want errBulkProtocol", bad, err)
		}
	}
}
