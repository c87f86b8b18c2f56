package ftp

import (
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

func TestTypeForFollowsConfigAndExplicitChoice(t *testing.T) {
	for _, tc := range []struct {
		typ  string
		exts []string
		path string
		want protocol.TransferType
	}{
		{"", nil, "/a/notes.txt", protocol.TypeBinary},
		{"binary", nil, "/a/notes.txt", protocol.TypeBinary},
		{"ascii", nil, "/a/photo.jpg", protocol.TypeASCII},
		{"auto", nil, "/a/notes.txt", protocol.TypeASCII},
		{"auto", nil, "/a/notes.txt.ferry-part", protocol.TypeASCII},
		{"auto", nil, "/a/photo.jpg", protocol.TypeBinary},
		{"auto", []string{"dat"}, "/a/x.DAT", protocol.TypeASCII},
		{"auto", []string{".dat"}, "/a/notes.txt", protocol.TypeBinary},
	} {
		c := &Client{cfg: Config{Type: tc.typ, ASCIIExtensions: tc.exts}}
		if got := c.typeFor(tc.path); got != tc.want {
			t.Errorf("type %q exts %v, %s: got %v, want %v", tc.typ, tc.exts, tc.path, got, tc.want)
		}
	}
	c := &Client{cfg: Config{Type: "ascii"}}
	c.SetTransferType(protocol.TypeBinary)
	if got := c.typeFor("/notes.txt"); got != protocol.TypeBinary {
		t.Errorf("after SetTransferType(binary): got %v", got)
	}
}
