package ftpd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzReadCommand: any byte stream yields lines within the bound, or an
// error, never a panic.
func FuzzReadCommand(f *testing.F) {
	f.Add([]byte("USER a\r\nPASS b\r\n"))
	f.Add([]byte("\xff\xf4\xff\xf2ABOR\r\n"))
	f.Add([]byte(strings.Repeat("x", 3*maxLine) + "\nNOOP\n"))
	f.Add([]byte("\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReaderSize(bytes.NewReader(data), maxLine)
		for range 1000 {
			line, err := readCommand(r)
			if errors.Is(err, errLineTooLong) {
				continue
			}
			if err != nil {
				return
			}
			if len(line) > maxLine {
				t.Fatalf("line of %d bytes passed the %d bound", len(line), maxLine)
			}
		}
	})
}

// FuzzSession sends one arbitrary command line to a logged-in session:
// the server must answer it (or hang up) and then still answer NOOP or be
// closed, never hang and never touch anything outside its root.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"PORT 127,0,0,1,300,1", "EPRT |2|::1|99999|", "EPRT ||||", "MFMT 9999 x", "REST -1",
		"CWD ../../..", "RETR ../../etc/passwd", "LIST -la /..", "SITE CHMOD 7777 /", "OPTS",
		"TYPE A N", "MLST /../..", "RNTO /", "HASH .", "STOR", "PROT P", "QUIT",
	} {
		f.Add(s)
	}
	srv, err := Start(f.Context(), Options{Root: f.TempDir(), Users: map[string]string{testUser: testPass}, DataTimeout: time.Second})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\r\n") {
			return
		}
		c := dial(t, srv.Addr())
		c.login()
		c.send(line)
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.r.ReadString('\n'); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("no reply to %q", line)
			}
			return // the server hung up, which is allowed
		}
		// A transfer command waits for a data connection; ABOR ends it.
		c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c.conn, "ABOR\r\nNOOP\r\n"); err != nil {
			return // closed after QUIT and the like
		}
		for {
			c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			reply, err := c.r.ReadString('\n')
			if err == io.EOF || (err != nil && !isTimeout(err)) {
				return
			}
			if err != nil {
				t.Fatalf("session hung after %q", line)
			}
			if strings.HasPrefix(reply, "200 NOOP") {
				return
			}
		}
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
