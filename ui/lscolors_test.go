package ui

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

// debianLSColors is LS_COLORS as `dircolors -b` (GNU coreutils 9.1, Debian
// 12) prints it with no ~/.dircolors.
func debianLSColors(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/dircolors-debian.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestParseLSColors_Debian(t *testing.T) {
	lc := parseLSColors(debianLSColors(t))
	for _, tc := range []struct {
		kind fileKind
		want style
	}{
		{kindDir, "\x1b[01;34m"}, {kindLink, "\x1b[01;36m"}, {kindPipe, "\x1b[40;33m"},
		{kindSocket, "\x1b[01;35m"}, {kindBlock, "\x1b[40;33;01m"}, {kindChar, "\x1b[40;33;01m"},
		{kindOrphan, "\x1b[40;31;01m"}, {kindSetuid, "\x1b[37;41m"}, {kindSetgid, "\x1b[30;43m"},
		{kindStickyOtherWritable, "\x1b[30;42m"}, {kindOtherWritable, "\x1b[34;42m"},
		{kindSticky, "\x1b[37;44m"}, {kindExec, "\x1b[01;32m"},
	} {
		if got, ok := lc.kindStyle(tc.kind); !ok || got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", lsKeys[tc.kind], got, ok, tc.want)
		}
	}
	for name, want := range map[string]style{
		"backup.tar": "\x1b[01;31m", "photo.jpg": "\x1b[01;35m", "song.flac": "\x1b[00;36m",
		"a.tar.gz": "\x1b[01;31m", "notes.txt": "", "x.deb": "\x1b[01;31m",
	} {
		got, ok := lc.extStyle(name)
		if name == "notes.txt" {
			if ok {
				t.Errorf("%s: got %q, want no suffix style", name, got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("%s: got %q (%v), want %q", name, got, ok, want)
		}
	}
	if len(lc.exts) < 100 {
		t.Errorf("only %d suffixes read from the Debian default", len(lc.exts))
	}
}

func TestParseLSColors_Odd(t *testing.T) {
	lc := parseLSColors("di=01;34:ln=target:*.x=\x1b[2J:*README=04:*~=00;90:*.[ch]=32:junk:=1:*=1:ex=00")
	if _, ok := lc.kindStyle(kindLink); ok {
		t.Error("ln=target was taken as a style")
	}
	if _, ok := lc.exts[".x"]; ok {
		t.Error("an escape sequence was accepted as SGR")
	}
	if st, ok := lc.extStyle("readme"); !ok || st != "\x1b[04m" {
		t.Errorf("*README: got %q %v", st, ok)
	}
	if st, ok := lc.extStyle("file.c~"); !ok || st != "\x1b[00;90m" {
		t.Errorf("*~: got %q %v", st, ok)
	}
	if st, ok := lc.kindStyle(kindExec); !ok || st != "" {
		t.Errorf("ex=00: got %q %v, want no style", st, ok)
	}
	if st, ok := lc.kindStyle(kindSticky); !ok || st != "\x1b[01;34m" {
		t.Errorf("st unset falls back to di: got %q %v", st, ok)
	}
}

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		mode fs.FileMode
		want fileKind
	}{
		{0o644, kindFile}, {0o755, kindExec}, {fs.ModeDir | 0o755, kindDir},
		{fs.ModeDir | fs.ModeSticky | 0o777, kindStickyOtherWritable},
		{fs.ModeDir | 0o777, kindOtherWritable}, {fs.ModeDir | fs.ModeSticky | 0o755, kindSticky},
		{fs.ModeSymlink | 0o777, kindLink}, {fs.ModeNamedPipe | 0o644, kindPipe},
		{fs.ModeSocket | 0o755, kindSocket}, {fs.ModeDevice | 0o660, kindBlock},
		{fs.ModeDevice | fs.ModeCharDevice | 0o660, kindChar},
		{fs.ModeSetuid | 0o755, kindSetuid}, {fs.ModeSetgid | 0o755, kindSetgid},
	} {
		e := protocol.Entry{Name: "x", Mode: tc.mode}
		if got := kindOf(&e); got != tc.want {
			t.Errorf("mode %v: got %s, want %s", tc.mode, lsKeys[got], lsKeys[tc.want])
		}
	}
}

func FuzzParseLSColors(f *testing.F) {
	f.Add("di=01;34:*.tar=01;31")
	f.Add("ln=target:*README=4")
	f.Fuzz(func(t *testing.T, s string) {
		lc := parseLSColors(s)
		for _, st := range lc.exts {
			if strings.ContainsAny(string(st)[min(2, len(st)):], "\x1b\x07") {
				t.Fatalf("%q let an escape through: %q", s, st)
			}
		}
		lc.extStyle(strings.ToLower(s))
	})
}
