package sftp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzUsersGroupsReply feeds arbitrary server output to a
// users-groups-by-id request for two users and one group: nothing may
// panic or hang, names come back one per id, bounded and printable, and
// an error that is not a status leaves no doubt that the reply broke the
// protocol or ended early.
func FuzzUsersGroupsReply(f *testing.F) {
	names := func(ns ...string) []byte {
		var b []byte
		for _, n := range ns {
			b = append(b, str([]byte(n))...)
		}
		return str(b)
	}
	f.Add(packet(fxpExtendedReply, u32(2), names("root", ""), names("wheel")))
	f.Add(packet(fxpExtendedReply, u32(2), names("root"), names("wheel")))
	f.Add(packet(fxpExtendedReply, u32(2), names("root", "x", "y"), names()))
	f.Add(packet(fxpExtendedReply, u32(2), names("root", "\x1b]0;hi\x07"), names(strings.Repeat("g", 300))))
	f.Add(packet(fxpExtendedReply, u32(2), u32(0xfffffff0)))
	f.Add(packet(fxpStatus, u32(2), u32(fxOpUnsupported), str([]byte("no")), str(nil)))
	f.Add(packet(fxpStatus, u32(2), u32(4)))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, fxpExtendedReply, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, server []byte) {
		b := newBulkConn(io.Discard, bytes.NewReader(server), func() error { return nil })
		users, groups, err := b.usersGroups([]uint32{0, 1000}, []uint32{0})
		if err == nil {
			if len(users) != 2 || len(groups) != 1 {
				t.Fatalf("%d users and %d groups for 2 and 1 ids", len(users), len(groups))
			}
			for _, n := range append(users, groups...) {
				if len(n) > maxOwnerName || !utf8.ValidString(n) || strings.IndexFunc(n, unicode.IsControl) >= 0 {
					t.Fatalf("name %q taken", n)
				}
			}
			return
		}
		var st *extStatus
		if !errors.As(err, &st) && !errors.Is(err, errBulkProtocol) &&
			!errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
