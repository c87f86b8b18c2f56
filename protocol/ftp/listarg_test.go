package ftp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

// TestListDirectoryWithBlanksAndGlobs lists directories whose names a
// server that hands LIST's argument to ls would split or expand, as
// inetutils' ftpd does ("LIST -a /t/sp ace" lists "/t/sp" and "ace").
// Such a directory is entered with CWD and listed by a bare LIST; a plain
// one keeps the single LIST with its path.
func TestListDirectoryWithBlanksAndGlobs(t *testing.T) {
	dirs := map[string]string{
		"/plain":        "-rw-r--r--  1 u  g  3 Jan 31 09:15 p.txt\r\n",
		"/t/sp ace":     "total 4\r\n-rw-r-----  1 u  g  2 Dec  5 16:40 c d.txt\r\n",
		"/t/star*[1]":   "-rw-r-----  1 u  g  5 Dec  5 16:40 s.txt\r\n",
		"/t/~tilde{x}?": "-rw-r-----  1 u  g  7 Dec  5 16:40 t.txt\r\n",
	}
	f := newFake(t)
	f.feat = []string{"SIZE", "MDTM", "UTF8"}
	cwd := map[*fakeConn]string{}
	f.on("CWD", func(s *fakeConn, arg string) {
		if _, ok := dirs[arg]; !ok {
			s.reply("550 " + arg + ": No such file or directory.")
			return
		}
		cwd[s] = arg
		s.reply("250 CWD command successful.")
	})
	f.on("LIST", func(s *fakeConn, arg string) {
		arg = strings.TrimSpace(strings.TrimPrefix(arg, "-a"))
		if arg == "" {
			s.sendData([]byte(dirs[cwd[s]]), "226 Transfer complete.")
			return
		}
		// As ls behind a shell-like split and glob: every word is a path.
		var out strings.Builder
		for _, w := range strings.Fields(arg) {
			if l, ok := dirs[w]; ok && !strings.ContainsAny(w, "*?[]{}~") {
				out.WriteString(l)
				continue
			}
			out.WriteString(w + ": No such file or directory\r\n")
		}
		s.sendData([]byte(out.String()), "226 Transfer complete.")
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	ctx := context.Background()
	want := map[string]string{"/plain": "p.txt", "/t/sp ace": "c d.txt", "/t/star*[1]": "s.txt", "/t/~tilde{x}?": "t.txt"}
	for dir, name := range want {
		entries, err := c.List(ctx, dir)
		if err != nil {
			t.Fatalf("list %q: %v", dir, err)
		}
		if len(entries) != 1 || entries[0].Name != name {
			t.Fatalf("list %q: got %+v, want only %q", dir, entries, name)
		}
	}
	if _, err := c.List(ctx, "/no such"); err == nil {
		t.Fatalf("list of a missing directory: no error")
	}
	for _, cmd := range f.commands() {
		verb, arg, _ := strings.Cut(cmd, " ")
		arg = strings.TrimPrefix(strings.TrimPrefix(arg, "-a"), " ")
		if verb == "LIST" && strings.ContainsAny(arg, " *?[]{}~") {
			t.Errorf("sent %q: the path reaches the server's ls", cmd)
		}
	}
	if !f.saw("LIST -a /plain") || f.saw("CWD /plain") {
		t.Errorf("a plain directory should be listed by path in one command: %q", f.commands())
	}
}

// TestListMissingDirectoryFromLs lists a directory that does not exist on
// a server that runs ls for LIST and sends its complaint as the listing
// with a 226, as inetutils' ftpd does: the list fails with ErrNotExist and
// the server's words instead of showing the complaint as an entry. A
// listing that is merely strange, of a directory that exists, stands.
func TestListMissingDirectoryFromLs(t *testing.T) {
	f := newFake(t)
	f.feat = []string{"SIZE", "MDTM"}
	f.on("CWD", func(s *fakeConn, arg string) {
		if arg == "/odd" {
			s.reply("250 CWD command successful.")
			return
		}
		s.reply("550 " + arg + ": No such file or directory.")
	})
	f.on("LIST", func(s *fakeConn, arg string) {
		p := strings.TrimSpace(strings.TrimPrefix(arg, "-a"))
		if p == "/odd" {
			s.sendData([]byte("something ferry cannot read\r\n"), "226 Transfer complete.")
			return
		}
		s.sendData([]byte(p+": No such file or directory\r\n"), "226 Transfer complete.")
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	ctx := context.Background()
	_, err := c.List(ctx, "/missing")
	if !errors.Is(err, protocol.ErrNotExist) || !strings.Contains(err.Error(), "550 /missing: No such file or directory.") {
		t.Fatalf("list /missing: got %v, want ErrNotExist with the server's words", err)
	}
	entries, err := c.List(ctx, "/odd")
	if err != nil || len(entries) != 1 || entries[0].Raw != "something ferry cannot read" {
		t.Fatalf("list /odd: got %+v, %v; want the raw line", entries, err)
	}
}
