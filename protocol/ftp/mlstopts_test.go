package ftp

import (
	"context"
	"strings"
	"testing"
)

func TestMLSTFacts(t *testing.T) {
	for _, tc := range []struct {
		feat, want string
		ok         bool
	}{
		// pyftpdlib 1.5: unix.mode, uid and gid offered, not sent.
		{"type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;", "type;perm;size;modify;unique;unix.mode;unix.uid;unix.gid;", true},
		// proftpd and ferry's demo server send all they offer.
		{"modify*;perm*;size*;type*;unique*;UNIX.group*;UNIX.mode*;UNIX.owner*;", "", false},
		{"Type*;Size*;Modify*;Perm*;Create;Lang;Media-Type;CharSet;", "", false},
		{"Type;Size*;Modify*;", "Type;Size;Modify;", true},
		{"", "", false},
		{";;*;", "", false},
	} {
		got, ok := mlstFacts(tc.feat)
		if got != tc.want || ok != tc.ok {
			t.Errorf("mlstFacts(%q) = %q, %v; want %q, %v", tc.feat, got, ok, tc.want, tc.ok)
		}
	}
}

// TestOptsMLSTBringsTheMode logs in to a server that offers unix.mode in
// FEAT but sends it only once OPTS MLST asks for it, as pyftpdlib does:
// the listing then carries the file's real mode, not the 0644 guess.
func TestOptsMLSTBringsTheMode(t *testing.T) {
	f := newFake(t)
	f.feat = []string{"SIZE", "MDTM", "UTF8", "MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;"}
	asked := map[*fakeConn]bool{}
	f.on("OPTS", func(s *fakeConn, arg string) {
		if strings.HasPrefix(strings.ToUpper(arg), "MLST ") {
			asked[s] = strings.Contains(arg, "unix.mode;")
			s.reply("200 MLST OPTS " + strings.TrimSpace(arg[5:]))
			return
		}
		s.reply("501 Invalid argument.")
	})
	f.on("MLSD", func(s *fakeConn, _ string) {
		line := "modify=20261205162943;perm=radfwMT;size=1;type=file;unique=fe00g1;"
		if asked[s] {
			line += "unix.gid=1003;unix.mode=0o640;unix.uid=1003;"
		}
		s.sendData([]byte(line+" x1\r\n"), "226 Transfer complete.")
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	entries, err := c.List(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Mode.Perm() != 0o640 || entries[0].Owner != "1003" {
		t.Fatalf("got %+v, want x1 with mode 0640 and owner 1003", entries)
	}
	if !f.saw("OPTS MLST type;perm;size;modify;unique;unix.mode;unix.uid;unix.gid;") {
		t.Fatalf("commands %q", f.commands())
	}
}
