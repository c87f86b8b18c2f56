package ftpd

import (
	"bytes"
	"context"
	"testing"
	"time"
)

func TestLineEndingWriters(t *testing.T) {
	for _, tc := range []struct{ in, toWire, toDisk string }{
		{"", "", ""},
		{"a\nb", "a\r\nb", "a\nb"},
		{"a\r\nb\r\n", "a\r\r\nb\r\r\n", "a\nb\n"},
		{"lone\rcr\r", "lone\rcr\r", "lone\rcr\r"},
		{"\r\r\n\n", "\r\r\r\n\r\n", "\r\n\n"},
	} {
		// Feed one byte per write so a CR split from its LF is covered.
		var wire bytes.Buffer
		cw := &crlfWriter{w: &wire}
		var disk bytes.Buffer
		lw := &lfWriter{w: &disk}
		for i := range len(tc.in) {
			cw.Write([]byte{tc.in[i]})
			lw.Write([]byte{tc.in[i]})
		}
		lw.Flush()
		if wire.String() != tc.toWire {
			t.Errorf("LF to CRLF of %q: got %q, want %q", tc.in, wire.String(), tc.toWire)
		}
		if disk.String() != tc.toDisk {
			t.Errorf("CRLF to LF of %q: got %q, want %q", tc.in, disk.String(), tc.toDisk)
		}
	}
}

func TestStripTelnet(t *testing.T) {
	for in, want := range map[string]string{
		"ABOR":                 "ABOR",
		"\xff\xf4\xff\xf2ABOR": "ABOR",
		"\xf2ABOR":             "ABOR",
		"\xff\xfb\x01NOOP":     "NOOP",
		"STOR a\xff\xffb":      "STOR a\xffb",
		"STOR \xf2x":           "STOR \xf2x",
	} {
		if got := stripTelnet(in); got != want {
			t.Errorf("stripTelnet(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContextStopsServer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, Options{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := dial(t, srv.Addr())
	cancel()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err == nil {
		t.Error("session survived the end of Start's context")
	}
}
