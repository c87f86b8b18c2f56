package ftpd

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTransfers(t *testing.T) {
	srv, root := startServer(t, Options{})
	c := dial(t, srv.Addr())
	c.login()
	c.cmd("TYPE I", 200)

	payload := bytes.Repeat([]byte("0123456789\r\nabc\n\x00\xff"), 50000)
	c.stor("STOR", "bin", payload)
	if got := readFile(t, root, "bin"); got != string(payload) {
		t.Fatalf("binary STOR changed the bytes (len %d, want %d)", len(got), len(payload))
	}
	if got := c.retr("bin"); !bytes.Equal(got, payload) {
		t.Fatalf("binary RETR changed the bytes (len %d, want %d)", len(got), len(payload))
	}

	t.Run("REST resumes a download", func(t *testing.T) {
		c.cmd("REST 1000", 350)
		if got := c.retr("bin"); !bytes.Equal(got, payload[1000:]) {
			t.Errorf("RETR after REST: len %d, want %d", len(got), len(payload)-1000)
		}
	})
	t.Run("REST resumes an upload", func(t *testing.T) {
		c.stor("STOR", "part", payload[:777])
		c.cmd("REST 777", 350)
		c.stor("STOR", "part", payload[777:])
		if got := readFile(t, root, "part"); got != string(payload) {
			t.Errorf("resumed STOR: len %d, want %d", len(got), len(payload))
		}
	})
	t.Run("APPE appends", func(t *testing.T) {
		c.stor("STOR", "log", []byte("one\n"))
		c.stor("APPE", "log", []byte("two\n"))
		if got := readFile(t, root, "log"); got != "one\ntwo\n" {
			t.Errorf("APPE: got %q", got)
		}
	})
	t.Run("TYPE A converts line endings both ways", func(t *testing.T) {
		writeFile(t, root, "text", "a\nb\r\nc\n")
		c.cmd("TYPE A", 200)
		if got := string(c.retr("text")); got != "a\r\nb\r\r\nc\r\n" {
			t.Errorf("ASCII RETR: got %q", got)
		}
		c.stor("STOR", "up", []byte("x\r\ny\rz\r\n\r"))
		if got := readFile(t, root, "up"); got != "x\ny\rz\n\r" {
			t.Errorf("ASCII STOR: got %q", got)
		}
		c.cmd("TYPE I", 200)
	})
	t.Run("errors before the data connection", func(t *testing.T) {
		c.cmd("RETR bin", 425) // no PASV/PORT
		d := c.epsv()
		c.cmd("RETR missing", 550)
		d.Close()
		c.cmd("EPSV", 229)
		c.cmd("RETR /", 550)
		c.cmd("EPSV", 229)
		c.cmd("STOR nodir/x", 553)
	})
	t.Run("PASV", func(t *testing.T) {
		text := c.cmd("PASV", 227)
		m := regexp.MustCompile(`\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)`).FindStringSubmatch(text)
		if m == nil || m[1] != "127" {
			t.Fatalf("PASV reply %q", text)
		}
		var p1, p2 int
		fmt.Sscan(m[5], &p1)
		fmt.Sscan(m[6], &p2)
		d, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p1*256+p2), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		c.cmd("RETR log", 150)
		if got := string(readAll(t, d)); got != "one\ntwo\n" {
			t.Errorf("RETR over PASV: got %q", got)
		}
		c.expect(226)
	})
}

func TestActiveMode(t *testing.T) {
	srv, root := startServer(t, Options{})
	writeFile(t, root, "f", "active data")
	c := dial(t, srv.Addr())
	c.login()
	for _, form := range []string{"PORT", "EPRT"} {
		t.Run(form, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			port := ln.Addr().(*net.TCPAddr).Port
			if form == "PORT" {
				c.cmd(fmt.Sprintf("PORT 127,0,0,1,%d,%d", port>>8, port&0xff), 200)
			} else {
				c.cmd(fmt.Sprintf("EPRT |1|127.0.0.1|%d|", port), 200)
			}
			c.cmd("RETR f", 150)
			ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
			d, err := ln.Accept()
			if err != nil {
				t.Fatalf("server did not connect: %v", err)
			}
			defer d.Close()
			if got := string(readAll(t, d)); got != "active data" {
				t.Errorf("got %q", got)
			}
			c.expect(226)
		})
	}
	t.Run("bounce to another host or a low port is refused", func(t *testing.T) {
		c.cmd("PORT 10,0,0,1,200,10", 500)
		c.cmd("PORT 127,0,0,1,0,21", 500)
		c.cmd("EPRT |1|192.0.2.1|5000|", 500)
		c.cmd("EPRT |3|x|1|", 522)
		c.cmd("PORT 1,2,3", 501)
	})
}

func TestAbortDuringTransfer(t *testing.T) {
	srv, root := startServer(t, Options{})
	// A sparse file bigger than any socket buffer: the server is still
	// sending when ABOR arrives.
	f, err := os.Create(filepath.Join(root, "big"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(256 << 20)
	f.Close()
	c := dial(t, srv.Addr())
	c.login()
	d := c.epsv()
	c.cmd("RETR big", 150)
	buf := make([]byte, 4096)
	d.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(d, buf); err != nil {
		t.Fatalf("read first bytes: %v", err)
	}
	c.send("\xff\xf4\xff\xf2ABOR")
	c.expect(426)
	c.expect(226)
	d.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, d); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Errorf("data connection after ABOR: %v", err)
	}
	// The session goes on.
	c.cmd("NOOP", 200)

	t.Run("ABOR while the server waits for the data connection", func(t *testing.T) {
		c.cmd("EPSV", 229)
		c.cmd("RETR big", 150)
		c.send("ABOR")
		c.expect(426)
		c.expect(226)
		c.cmd("NOOP", 200)
	})
	t.Run("a command sent during a transfer is answered after it", func(t *testing.T) {
		writeFile(t, root, "small", "abc")
		d := c.epsv()
		c.cmd("RETR small", 150)
		c.send("NOOP")
		if got := string(readAll(t, d)); got != "abc" {
			t.Errorf("got %q", got)
		}
		c.expect(226)
		c.expect(200)
	})
}

func TestListings(t *testing.T) {
	srv, root := startServer(t, Options{})
	writeFile(t, root, "dir/a file.txt", "hello")
	writeFile(t, root, "dir/sub/x", "")
	if err := os.Symlink("a file.txt", filepath.Join(root, "dir", "link")); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	os.Chtimes(filepath.Join(root, "dir", "sub"), old, old)
	c := dial(t, srv.Addr())
	c.login()

	list := func(cmd string) string {
		d := c.epsv()
		c.cmd(cmd, 150)
		b := readAll(t, d)
		c.expect(226)
		return string(b)
	}
	got := list("LIST -la dir")
	for _, re := range []string{
		`(?m)^-rw-r--r-- +1 ftp +ftp +5 \w{3} [ \d]\d \d\d:\d\d a file\.txt\r$`,
		`(?m)^drwxr-xr-x +2 ftp +ftp +\d+ Feb  3  2001 sub\r$`,
		`(?m)^lrwxrwxrwx +1 ftp +ftp +10 .* link -> a file\.txt\r$`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("LIST output %q does not match %s", got, re)
		}
	}
	if got := list("LIST dir/a file.txt"); !strings.HasSuffix(got, " a file.txt\r\n") || strings.Count(got, "\n") != 1 {
		t.Errorf("LIST of one file: %q", got)
	}
	names := strings.Split(strings.TrimSpace(list("NLST dir")), "\r\n")
	if strings.Join(slices.Sorted(slices.Values(names)), ",") != "a file.txt,link,sub" {
		t.Errorf("NLST: got %q", names)
	}
	mlsd := list("MLSD dir")
	for _, re := range []string{
		`(?m)^type=cdir;modify=\d{14};perm=flcdmpe;unix.mode=0755;unique=\w+; \.\r$`,
		`(?m)^type=pdir;.* \.\.\r$`,
		`(?m)^type=file;size=5;modify=\d{14};perm=adfrw;unix.mode=0644;unique=\w+; a file\.txt\r$`,
		`(?m)^type=dir;modify=20010203040506;.* sub\r$`,
		`(?m)^type=file;size=5;.* link\r$`,
	} {
		if !regexp.MustCompile(re).MatchString(mlsd) {
			t.Errorf("MLSD output %q does not match %s", mlsd, re)
		}
	}
	c.cmd("EPSV", 229)
	c.cmd("MLSD dir/a file.txt", 501)
	c.cmd("EPSV", 229)
	c.cmd("LIST nothing", 550)
	mlst := c.cmd("MLST dir/a file.txt", 250)
	if !regexp.MustCompile(`\n type=file;size=5;modify=\d{14};.* /dir/a file\.txt\n250 End$`).MatchString(mlst) {
		t.Errorf("MLST: got %q", mlst)
	}
}

func TestPasvIPIsAnnounced(t *testing.T) {
	srv, _ := startServer(t, Options{PasvIP: "10.1.2.3"})
	c := dial(t, srv.Addr())
	c.login()
	if got := c.cmd("PASV", 227); !strings.Contains(got, "(10,1,2,3,") {
		t.Errorf("PASV with PasvIP: got %q", got)
	}
}
