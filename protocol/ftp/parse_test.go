package ftp

import (
	"bufio"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

var listNow = time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)

func TestParseUnix(t *testing.T) {
	cases := []struct {
		line string
		want protocol.Entry
	}{
		{"drwxr-xr-x   2 user group  4096 Jan 31 09:15 name with spaces",
			protocol.Entry{Owner: "user", Group: "group", Name: "name with spaces", Mode: fs.ModeDir | 0o755, ModTime: time.Date(2024, 1, 31, 9, 15, 0, 0, time.UTC)}},
		{"-rw-r--r--   1 1000 1000   1234 Jan 31  2020 old file",
			protocol.Entry{Owner: "1000", Group: "1000", Name: "old file", Size: 1234, Mode: 0o644, ModTime: time.Date(2020, 1, 31, 0, 0, 0, 0, time.UTC)}},
		{"-rw-r--r--   1 u g 5 Dec 24 18:00 last year",
			protocol.Entry{Owner: "u", Group: "g", Name: "last year", Size: 5, Mode: 0o644, ModTime: time.Date(2023, 12, 24, 18, 0, 0, 0, time.UTC)}},
		{"lrwxrwxrwx   1 root root      7 Jan 31 09:15 link -> target dir",
			protocol.Entry{Owner: "root", Group: "root", Name: "link", Target: "target dir", Size: 7, Mode: fs.ModeSymlink | 0o777, ModTime: time.Date(2024, 1, 31, 9, 15, 0, 0, time.UTC)}},
		{"crw-rw-rw-   1 root root   1,   3 Jan 31 09:15 null",
			protocol.Entry{Owner: "root", Group: "root", Name: "null", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666, ModTime: time.Date(2024, 1, 31, 9, 15, 0, 0, time.UTC)}},
		{"brw-rw----   1 root disk   8,   0 Feb  2  2021 sda",
			protocol.Entry{Owner: "root", Group: "disk", Name: "sda", Mode: fs.ModeDevice | 0o660, ModTime: time.Date(2021, 2, 2, 0, 0, 0, 0, time.UTC)}},
		{"-rwsr-xr-t   1 owner       1234 2024-01-31 09:15 no group iso",
			protocol.Entry{Owner: "owner", Name: "no group iso", Size: 1234, Mode: 0o4755 | fs.ModeSetuid | fs.ModeSticky, ModTime: time.Date(2024, 1, 31, 9, 15, 0, 0, time.UTC)}},
		{"-rw-r--r--   1 ftp ftp 10 Mar 01 10:00  leading space",
			protocol.Entry{Owner: "ftp", Group: "ftp", Name: " leading space", Size: 10, Mode: 0o644, ModTime: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}},
	}
	for _, tc := range cases {
		got, ok := parseUnix(tc.line, listNow)
		if tc.want.Mode&0o4000 != 0 {
			tc.want.Mode = tc.want.Mode &^ 0o4000
		}
		if !ok || got != tc.want {
			t.Errorf("parseUnix(%q) = %+v, %v; want %+v", tc.line, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"total 12", "hello world", "drwxr-xr-x x", "-rw-r--r-- 1 u g 12 Foo 31 09:15 x"} {
		if e, ok := parseUnix(bad, listNow); ok {
			t.Errorf("parseUnix(%q) = %+v, want no entry", bad, e)
		}
	}
}

func TestParseDOSAndEPLF(t *testing.T) {
	e, ok := parseDOS("01-31-24  09:15PM       <DIR>          My Documents", listNow)
	if !ok || !e.IsDir() || e.Name != "My Documents" || !e.ModTime.Equal(time.Date(2024, 1, 31, 21, 15, 0, 0, time.UTC)) {
		t.Errorf("DOS dir: %+v %v", e, ok)
	}
	e, ok = parseDOS("01-31-2024  09:15AM             1234 file name.txt", listNow)
	if !ok || e.IsDir() || e.Size != 1234 || e.Name != "file name.txt" {
		t.Errorf("DOS file: %+v %v", e, ok)
	}
	e, ok = parseEPLF("+i8388621.48594,m825718503,r,s280,\tdjb.html", listNow)
	if !ok || e.Name != "djb.html" || e.Size != 280 || e.ModTime.Unix() != 825718503 {
		t.Errorf("EPLF file: %+v %v", e, ok)
	}
	e, ok = parseEPLF("+i8388621.50690,m824255907,/,\t514", listNow)
	if !ok || !e.IsDir() || e.Name != "514" {
		t.Errorf("EPLF dir: %+v %v", e, ok)
	}
}

func TestParseMLSx(t *testing.T) {
	e, typ, ok := parseMLSx("type=file;size=1234;modify=20240131091500.123;perm=r;unix.mode=0640; a file")
	want := protocol.Entry{Name: "a file", Size: 1234, Mode: 0o640, ModTime: time.Date(2024, 1, 31, 9, 15, 0, 123e6, time.UTC)}
	if !ok || typ != "file" || e != want {
		t.Errorf("got %+v %q %v, want %+v", e, typ, ok, want)
	}
	// pyftpdlib, once OPTS MLST asks for unix.mode.
	e, _, ok = parseMLSx("modify=20261205162943;perm=radfwMT;size=1;type=file;unique=fe00gba587;unix.gid=1003;unix.mode=0o640;unix.uid=1003; x1")
	if !ok || e.Mode != 0o640 || e.Owner != "1003" || e.Group != "1003" {
		t.Errorf("pyftpdlib's 0o640: %+v %v", e, ok)
	}
	e, _, ok = parseMLSx("Type=OS.unix=slink:/etc/x;Modify=20240131091500; lnk")
	if !ok || !e.IsLink() || e.Target != "/etc/x" {
		t.Errorf("slink: %+v %v", e, ok)
	}
	e, typ, ok = parseMLSx("type=cdir;modify=20240131091500; /home")
	if !ok || typ != "cdir" || !e.IsDir() {
		t.Errorf("cdir: %+v %q %v", e, typ, ok)
	}
}

func TestReadReply(t *testing.T) {
	in := "220-first\r\n220-not the end\r\n 220 indented\r\n220 last\r\n230 next\n"
	r := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader(in)), maxLineLen)
	rep, err := readReply(r)
	if err != nil || rep.Code != 220 || len(rep.Lines) != 4 || rep.Lines[3] != "last" || rep.Message() != "first" {
		t.Fatalf("multi-line: %+v %v", rep, err)
	}
	rep, err = readReply(r)
	if err != nil || rep.Code != 230 || rep.Text() != "230 next" {
		t.Fatalf("bare LF: %+v %v", rep, err)
	}
	if _, err := readReply(r); err != io.EOF {
		t.Fatalf("at end: %v", err)
	}
	for _, bad := range []string{"hello\r\n", "22\r\n", "099 low\r\n", "600 high\r\n", "220x\r\n"} {
		if _, err := readReply(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("readReply(%q) accepted", bad)
		}
	}
}

func TestParsePassive(t *testing.T) {
	ip, port, err := parsePASV("Entering Passive Mode (192,168,1,2,19,137).")
	if err != nil || ip.String() != "192.168.1.2" || port != 19*256+137 {
		t.Errorf("PASV: %v %d %v", ip, port, err)
	}
	ip, port, err = parsePASV("Entering Passive Mode 10,0,0,1,4,1")
	if err != nil || ip.String() != "10.0.0.1" || port != 1025 {
		t.Errorf("PASV without parens: %v %d %v", ip, port, err)
	}
	for _, bad := range []string{"Entering Passive Mode (1,2,3,4,5)", "(256,1,1,1,1,1)", "(1,2,3,4,0,0)", ""} {
		if _, _, err := parsePASV(bad); err == nil {
			t.Errorf("parsePASV(%q) accepted", bad)
		}
	}
	if port, err := parseEPSV("Entering Extended Passive Mode (|||6446|)"); err != nil || port != 6446 {
		t.Errorf("EPSV: %d %v", port, err)
	}
	if port, err := parseEPSV("ok (!!!1025!)"); err != nil || port != 1025 {
		t.Errorf("EPSV other delimiter: %d %v", port, err)
	}
	for _, bad := range []string{"(|||0|)", "(|||70000|)", "(||1.2.3.4|80|)", "no parens", "(|||x|)"} {
		if _, err := parseEPSV(bad); err == nil {
			t.Errorf("parseEPSV(%q) accepted", bad)
		}
	}
}

func TestParsePWD(t *testing.T) {
	for in, want := range map[string]string{
		`"/" is current directory`:        "/",
		`"/home/a ""quoted"" dir" is cwd`: `/home/a "quoted" dir`,
		`"/trailing""" ok`:                `/trailing"`,
	} {
		if got, err := parsePWD(in); err != nil || got != want {
			t.Errorf("parsePWD(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`/no/quotes`, `"unterminated`, `""`} {
		if _, err := parsePWD(bad); err == nil {
			t.Errorf("parsePWD(%q) accepted", bad)
		}
	}
}

func TestCRLFReaderAcrossReads(t *testing.T) {
	in := "a\r\nb\r\r\nc\r"
	r := newFromCRLF(iotest.OneByteReader(strings.NewReader(in)))
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "a\nb\r\nc\r" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestLatin1(t *testing.T) {
	cs, err := newCharset("latin1")
	if err != nil {
		t.Fatal(err)
	}
	enc, err := cs.encode("café")
	if err != nil || enc != "caf\xe9" {
		t.Fatalf("encode: %q %v", enc, err)
	}
	if dec := cs.decode("caf\xe9"); dec != "café" {
		t.Fatalf("decode: %q", dec)
	}
	if _, err := cs.encode("日本"); err == nil {
		t.Fatal("encoded a rune Latin-1 lacks")
	}
}

func TestAutoType(t *testing.T) {
	for name, want := range map[string]protocol.TransferType{
		"README.TXT": protocol.TypeASCII, "index.html": protocol.TypeASCII, "a.tar.gz": protocol.TypeBinary,
		"Makefile": protocol.TypeBinary, "photo.jpg": protocol.TypeBinary,
	} {
		if got := AutoType(name); got != want {
			t.Errorf("AutoType(%q) = %v, want %v", name, got, want)
		}
	}
	if _, _, err := ParseTransferType("ebcdic"); err == nil {
		t.Error("ParseTransferType accepted ebcdic")
	}
}

func TestParseMLSxOwnerAndGroup(t *testing.T) {
	for _, tc := range []struct{ line, owner, group string }{
		{"type=file;size=1;UNIX.owner=alice;UNIX.group=staff; a", "alice", "staff"}, // proftpd
		{"type=file;size=1;UNIX.uid=1000;UNIX.gid=100; a", "1000", "100"},           // pure-ftpd
		{"type=file;size=1;UNIX.uid=1000;UNIX.owner=alice;UNIX.gid=100;UNIX.group=staff; a", "alice", "staff"},
		{"type=file;size=1; a", "", ""},
	} {
		e, _, ok := parseMLSx(tc.line)
		if !ok || e.Owner != tc.owner || e.Group != tc.group {
			t.Errorf("parseMLSx(%q): owner %q group %q; want %q %q", tc.line, e.Owner, e.Group, tc.owner, tc.group)
		}
	}
}
