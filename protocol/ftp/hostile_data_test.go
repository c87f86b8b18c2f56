package ftp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

func readAllOpen(t *testing.T, c *Client, p string) ([]byte, error) {
	t.Helper()
	return protocoltest.ReadAndClose(c.Open(context.Background(), p, 0))
}

func TestDataClosedEarly(t *testing.T) {
	full := bytes.Repeat([]byte("0123456789"), 1000)
	cases := []struct {
		name  string
		setup func(f *fake)
		want  error
	}{
		{"SIZE known, 226 sent", func(f *fake) {
			f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 10000") })
			f.on("RETR", func(s *fakeConn, _ string) { s.sendData(full[:5000], "226 done") })
		}, protocol.ErrProtocol},
		{"size only in the 150 reply", func(f *fake) {
			f.feat = []string{"UTF8"}
			f.on("RETR", func(s *fakeConn, _ string) {
				s.reply("150 Opening BINARY mode data connection for f (10000 bytes)")
				d := s.data()
				d.Write(full[:5000])
				d.Close()
				s.reply("226 done")
			})
		}, protocol.ErrProtocol},
		{"426 after close", func(f *fake) {
			f.on("SIZE", func(s *fakeConn, _ string) { s.reply("550 no size") })
			f.on("RETR", func(s *fakeConn, _ string) { s.sendData(full[:5000], "426 Connection closed; transfer aborted") })
		}, protocol.ErrTransient},
		{"no final reply", func(f *fake) {
			f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 10000") })
			f.on("RETR", func(s *fakeConn, _ string) { s.sendData(full[:5000], ""); s.c.Close() })
		}, protocol.ErrTransient},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			tc.setup(f)
			c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
			defer c.Close()
			_, err := readAllOpen(t, c, "/f")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFinalReplyBeforeDataEnds(t *testing.T) {
	f := newFake(t)
	full := bytes.Repeat([]byte("abcdefgh"), 64<<10)
	f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 524288") })
	f.on("RETR", func(s *fakeConn, _ string) {
		s.reply("150 here it comes", "226 Transfer complete")
		d := s.data()
		time.Sleep(50 * time.Millisecond)
		d.Write(full)
		d.Close()
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	got, err := readAllOpen(t, c, "/f")
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, full) {
		t.Fatalf("got %d bytes, want %d", len(got), len(full))
	}
	if _, err := c.Stat(context.Background(), "/f"); err != nil {
		t.Fatalf("control connection out of step after early 226: %v", err)
	}
}

func TestPASVAddressElsewhereUsesControlPeer(t *testing.T) {
	f := newFake(t)
	f.pasvHost = "10,99,88,77"
	f.on("EPSV", func(s *fakeConn, _ string) { s.reply("502 EPSV not implemented") })
	f.on("RETR", func(s *fakeConn, _ string) { s.sendData([]byte("hello"), "226 ok") })
	f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 5") })
	log := &testLog{}
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Log: log.add})
	defer c.Close()
	got, err := readAllOpen(t, c, "/f")
	if err != nil || string(got) != "hello" {
		t.Fatalf("read: %q, %v", got, err)
	}
	if !f.saw("PASV") {
		t.Fatalf("no PASV fallback after 502 for EPSV; commands: %q", f.commands())
	}
}

func TestAbortEarlyClose(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replies []string
	}{
		{"426 then 226", []string{"426 Transfer aborted", "226 ABOR ok"}},
		{"only 226", []string{"226 ABOR ok"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 100000000") })
			started := make(chan struct{})
			f.on("RETR", func(s *fakeConn, _ string) {
				s.reply("150 go")
				d := s.data()
				close(started)
				buf := make([]byte, 64<<10)
				for {
					if _, err := d.Write(buf); err != nil {
						break
					}
				}
				d.Close()
			})
			f.on("ABOR", func(s *fakeConn, _ string) { s.reply(tc.replies...) })
			c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
			defer c.Close()
			r, err := c.Open(context.Background(), "/big", 0)
			if err != nil {
				t.Fatal(err)
			}
			<-started
			if _, err := io.ReadFull(r, make([]byte, 100<<10)); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			if !f.saw("ABOR") {
				t.Fatalf("no ABOR sent: %q", f.commands())
			}
			f.on("MKD", func(s *fakeConn, arg string) { s.reply(`257 "` + arg + `" created`) })
			if err := c.Mkdir(context.Background(), "/after"); err != nil {
				t.Fatalf("control connection out of step after ABOR: %v", err)
			}
		})
	}
}

func TestOpenRangeStopsAfterLength(t *testing.T) {
	f := newFake(t)
	f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 1000") })
	f.on("REST", func(s *fakeConn, _ string) { s.reply("350 ok") })
	f.on("RETR", func(s *fakeConn, _ string) { s.sendData(bytes.Repeat([]byte{'x'}, 900), "226 ok") })
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	r, err := c.OpenRange(context.Background(), "/f", 100, 300)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || len(got) != 300 {
		t.Fatalf("read %d bytes, %v; want 300", len(got), err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if !f.saw("REST 100") {
		t.Fatalf("no REST 100: %q", f.commands())
	}
}

func TestActiveModeRefusesStranger(t *testing.T) {
	// 127.0.0.2 is loopback on Linux; the server is 127.0.0.1.
	probe, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2 on this system: %v", err)
	}
	probe.Close()
	f := newFake(t)
	f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 4") })
	f.on("RETR", func(s *fakeConn, _ string) {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
		if stranger, err := d.Dial("tcp", s.active); err == nil {
			stranger.Write([]byte("EVIL"))
			stranger.Close()
		}
		s.sendData([]byte("good"), "226 ok")
	})
	log := &testLog{}
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Mode: Active, Log: log.add})
	defer c.Close()
	got, err := readAllOpen(t, c, "/f")
	if err != nil || string(got) != "good" {
		t.Fatalf("read %q, %v; want \"good\"", got, err)
	}
}

func TestASCIIConversion(t *testing.T) {
	f := newFake(t)
	var stored bytes.Buffer
	f.on("RETR", func(s *fakeConn, _ string) { s.sendData([]byte("one\r\ntwo\r\nbare\rcr\r\n"), "226 ok") })
	f.on("STOR", func(s *fakeConn, _ string) {
		s.reply("150 go")
		d := s.data()
		io.Copy(&stored, d)
		d.Close()
		s.reply("226 ok")
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	c.SetTransferType(protocol.TypeASCII)
	got, err := readAllOpen(t, c, "/f")
	if err != nil {
		t.Fatal(err)
	}
	if want := "one\ntwo\nbare\rcr\n"; string(got) != want {
		t.Fatalf("download: got %q, want %q", got, want)
	}
	w, err := c.Create(context.Background(), "/g", 0)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "a\nb\r\nc\n")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := "a\r\nb\r\nc\r\n"; stored.String() != want {
		t.Fatalf("upload: got %q, want %q", stored.String(), want)
	}
	if !f.saw("TYPE A") {
		t.Fatalf("no TYPE A: %q", f.commands())
	}
	if _, err := c.Open(context.Background(), "/f", 5); !errors.Is(err, protocol.ErrUnsupported) {
		t.Fatalf("ASCII resume: got %v, want ErrUnsupported", err)
	}
}

func TestIPv6UsesExtendedCommands(t *testing.T) {
	if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	} else {
		ln.Close()
	}
	for _, mode := range []Mode{Passive, Active} {
		f := newFakeOn(t, "[::1]:0")
		f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 2") })
		f.on("RETR", func(s *fakeConn, _ string) { s.sendData([]byte("v6"), "226 ok") })
		c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Mode: mode})
		got, err := readAllOpen(t, c, "/f")
		c.Close()
		if err != nil || string(got) != "v6" {
			t.Fatalf("mode %d: read %q, %v", mode, got, err)
		}
		want := "EPSV"
		if mode == Active {
			want = "EPRT |2|::1|"
		}
		if !f.saw(want) || f.saw("PASV") || f.saw("PORT") {
			t.Fatalf("mode %d: commands %q, want %s and no PASV/PORT", mode, f.commands(), want)
		}
	}
}

func TestUploadRefusedMidwayKeepsServerWords(t *testing.T) {
	f := newFake(t)
	f.on("STOR", func(s *fakeConn, _ string) {
		s.reply("150 go")
		d := s.data()
		io.CopyN(io.Discard, d, 1<<20)
		d.(*net.TCPConn).SetLinger(0)
		d.Close()
		s.reply("552 Quota exceeded")
	})
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	w, err := c.Create(context.Background(), "/big", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, werr := io.CopyN(w, zeros{}, 64<<20)
	err = w.Close()
	if werr == nil {
		t.Fatal("64 MiB written to a server that stopped reading after 1 MiB")
	}
	if !errors.Is(err, protocol.ErrNoSpace) || !strings.Contains(err.Error(), "552 Quota exceeded") {
		t.Fatalf("close: got %v, want ErrNoSpace with the server's words", err)
	}
	if _, err := c.Stat(context.Background(), "/x"); errors.Is(err, protocol.ErrTransient) {
		t.Fatalf("control connection out of step after the failed upload: %v", err)
	}
}

func TestActivePortRangeAndAddress(t *testing.T) {
	f := newFake(t)
	f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 2") })
	f.on("PORT", func(s *fakeConn, arg string) {
		defaultHandler("PORT")(s, arg)
		s.active = "127.0.0.1:" + s.active[strings.LastIndexByte(s.active, ':')+1:]
	})
	f.on("RETR", func(s *fakeConn, _ string) { s.sendData([]byte("ok"), "226 ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Mode: Active, ActiveAddr: "203.0.113.9", PortRange: PortRange{base, base + 20}})
	defer c.Close()
	got, err := readAllOpen(t, c, "/f")
	if err != nil || string(got) != "ok" {
		t.Fatalf("read %q, %v", got, err)
	}
	var announced string
	for _, cmd := range f.commands() {
		if a, ok := strings.CutPrefix(cmd, "PORT "); ok {
			announced = a
		}
	}
	var h [4]int
	var p1, p2 int
	if _, err := fmt.Sscanf(announced, "%d,%d,%d,%d,%d,%d", &h[0], &h[1], &h[2], &h[3], &p1, &p2); err != nil {
		t.Fatalf("PORT %q: %v", announced, err)
	}
	if port := p1<<8 | p2; h != [4]int{203, 0, 113, 9} || port < base || port > base+20 {
		t.Fatalf("PORT %q: want 203.0.113.9 and a port in %d-%d", announced, base, base+20)
	}
}
