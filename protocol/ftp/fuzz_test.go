package ftp

import (
	"bufio"
	"strings"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

func FuzzReadReply(f *testing.F) {
	f.Add("220 ready\r\n")
	f.Add("211-Features:\r\n MLST type*;\r\n211 End\r\n")
	f.Add("220-a\n220 b\n")
	f.Fuzz(func(t *testing.T, s string) {
		r := bufio.NewReaderSize(strings.NewReader(s), maxLineLen)
		for i := 0; i < 100; i++ {
			rep, err := readReply(r)
			if err != nil {
				return
			}
			if rep.Code < 100 || rep.Code > 599 || len(rep.Lines) == 0 || len(rep.Lines) > maxReplyLines+1 {
				t.Fatalf("bad reply %+v", rep)
			}
		}
	})
}

func FuzzParsePassive(f *testing.F) {
	f.Add("Entering Passive Mode (192,168,1,2,19,137).")
	f.Add("Entering Extended Passive Mode (|||6446|)")
	f.Fuzz(func(t *testing.T, s string) {
		if ip, port, err := parsePASV(s); err == nil && (ip.To4() == nil || port < 1 || port > 65535) {
			t.Fatalf("PASV %q gave %v:%d", s, ip, port)
		}
		if port, err := parseEPSV(s); err == nil && (port < 1 || port > 65535) {
			t.Fatalf("EPSV %q gave %d", s, port)
		}
	})
}

func fuzzEntry(t *testing.T, line string, name string) {
	if name != "" && strings.ContainsAny(name, "\n") && !strings.Contains(line, "\n") {
		t.Fatalf("name %q not from line %q", name, line)
	}
	l := &lister{now: listNow, log: func(string, ...any) {}}
	l.line(line)
	for _, e := range l.out {
		if e.Name != "" && !protocol.SafeName(e.Name) {
			t.Fatalf("unsafe name %q returned from %q", e.Name, line)
		}
		if e.Name == "" && e.Raw == "" {
			t.Fatalf("entry with neither name nor raw from %q", line)
		}
	}
}

func FuzzParseUnix(f *testing.F) {
	f.Add("drwxr-xr-x   2 user group  4096 Jan 31 09:15 name with spaces")
	f.Add("lrwxrwxrwx   1 root root      7 Jan 31  2020 link -> target")
	f.Add("crw-rw-rw-   1 root root   1,   3 Jan 31 09:15 null")
	f.Fuzz(func(t *testing.T, line string) {
		e, _ := parseUnix(line, listNow)
		if e.Size < 0 {
			t.Fatalf("negative size from %q", line)
		}
		fuzzEntry(t, line, e.Name)
	})
}

func FuzzParseDOS(f *testing.F) {
	f.Add("01-31-24  09:15PM       <DIR>          name")
	f.Add("01-31-2024  09:15AM             1234 file name")
	f.Fuzz(func(t *testing.T, line string) {
		e, _ := parseDOS(line, listNow)
		if e.Size < 0 {
			t.Fatalf("negative size from %q", line)
		}
		fuzzEntry(t, line, e.Name)
	})
}

func FuzzParseEPLF(f *testing.F) {
	f.Add("+i8388621.48594,m825718503,r,s280,\tdjb.html")
	f.Add("+i8388621.50690,m824255907,/,\t514")
	f.Fuzz(func(t *testing.T, line string) {
		e, _ := parseEPLF(line, listNow)
		if e.Size < 0 {
			t.Fatalf("negative size from %q", line)
		}
		fuzzEntry(t, line, e.Name)
	})
}

func FuzzParseMLSD(f *testing.F) {
	f.Add("type=file;size=1234;modify=20240131091500;perm=r; name")
	f.Add("type=OS.unix=slink:/x;unix.mode=0777; l")
	f.Add("modify=20261205162943;perm=radfwMT;size=1;type=file;unique=fe00gba587;unix.gid=1003;unix.mode=0o640;unix.uid=1003; x1")
	f.Fuzz(func(t *testing.T, line string) {
		e, _, _ := parseMLSx(line)
		if e.Size < 0 {
			t.Fatalf("negative size from %q", line)
		}
		l := &lister{mlsd: true, now: listNow, log: func(string, ...any) {}}
		l.line(line)
		for _, e := range l.out {
			if e.Name != "" && !protocol.SafeName(e.Name) {
				t.Fatalf("unsafe name %q returned from %q", e.Name, line)
			}
		}
	})
}
