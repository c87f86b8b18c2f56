package ftp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func fakeSite(t testing.TB, addr string) protocol.Site {
	return siteOf(t, protocol.SchemeFTP, addr, "bob")
}

func dialErr(t *testing.T, addr string, cfg Config) error {
	t.Helper()
	cfg.PinDir = t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, fakeSite(t, addr), cfg)
	if err == nil {
		c.Close()
	}
	return err
}

func TestGarbageGreetingIsProtocolError(t *testing.T) {
	f := newFake(t)
	f.greeting = []string{"HELLO THERE"}
	err := dialErr(t, f.start(), Config{Password: "pw"})
	if !errors.Is(err, protocol.ErrProtocol) {
		t.Fatalf("got %v, want ErrProtocol", err)
	}
}

func TestOversizedReplyIsProtocolError(t *testing.T) {
	f := newFake(t)
	f.greeting = []string{"220 " + strings.Repeat("x", 1<<20)}
	err := dialErr(t, f.start(), Config{Password: "pw"})
	if !errors.Is(err, protocol.ErrProtocol) {
		t.Fatalf("got %v, want ErrProtocol", err)
	}
}

func TestEndlessMultilineReplyIsProtocolError(t *testing.T) {
	f := newFake(t)
	lines := []string{"220-hello"}
	for i := 0; i < maxReplyLines+10; i++ {
		lines = append(lines, "more")
	}
	f.greeting = append(lines, "220 end")
	err := dialErr(t, f.start(), Config{Password: "pw"})
	if !errors.Is(err, protocol.ErrProtocol) {
		t.Fatalf("got %v, want ErrProtocol", err)
	}
}

func TestReplySplitByteByByte(t *testing.T) {
	f := newFake(t)
	f.trickle = true
	f.greeting = []string{"220-multi", " line", "220 greeting"}
	f.on("MKD", func(s *fakeConn, arg string) { s.reply(`257 "` + arg + `" created`) })
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	if err := c.Mkdir(context.Background(), "/d"); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
}

func Test421MidSessionIsTransient(t *testing.T) {
	f := newFake(t)
	f.on("MKD", func(s *fakeConn, _ string) { s.reply("421 Timeout, closing"); s.c.Close() })
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	err := c.Mkdir(context.Background(), "/d")
	if !errors.Is(err, protocol.ErrTransient) || !strings.Contains(err.Error(), "421 Timeout") {
		t.Fatalf("mkdir: got %v, want ErrTransient with the server's text", err)
	}
	if err := c.Remove(context.Background(), "/x"); !errors.Is(err, protocol.ErrTransient) {
		t.Fatalf("after 421: got %v, want ErrTransient", err)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	t.Run("no greeting", func(t *testing.T) {
		f := newFake(t)
		f.greeting = nil
		start := time.Now()
		err := dialErr(t, f.start(), Config{Password: "pw", Timeout: 300 * time.Millisecond})
		if !errors.Is(err, protocol.ErrTransient) {
			t.Fatalf("got %v, want ErrTransient", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("no reply to a command", func(t *testing.T) {
		f := newFake(t)
		f.on("MKD", func(*fakeConn, string) {})
		c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Timeout: 300 * time.Millisecond})
		defer c.Close()
		if err := c.Mkdir(context.Background(), "/d"); !errors.Is(err, protocol.ErrTransient) {
			t.Fatalf("got %v, want ErrTransient", err)
		}
	})
	t.Run("data connection stalls", func(t *testing.T) {
		f := newFake(t)
		f.on("SIZE", func(s *fakeConn, _ string) { s.reply("213 10") })
		f.on("RETR", func(s *fakeConn, _ string) {
			s.reply("150 go")
			d := s.data()
			d.Write([]byte("abc"))
			time.Sleep(2 * time.Second)
			d.Close()
		})
		c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Timeout: 300 * time.Millisecond})
		defer c.Close()
		start := time.Now()
		_, err := readAllOpen(t, c, "/f")
		if !errors.Is(err, protocol.ErrTransient) {
			t.Fatalf("got %v, want ErrTransient", err)
		}
		if d := time.Since(start); d > 1800*time.Millisecond {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("context cancel interrupts", func(t *testing.T) {
		f := newFake(t)
		f.on("MKD", func(*fakeConn, string) {})
		c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if err := c.Mkdir(ctx, "/d"); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want DeadlineExceeded", err)
		}
	})
}

func TestHostileListing(t *testing.T) {
	listing := strings.Join([]string{
		"total 4",
		"-rw-r--r--   1 u g   10 Jan 31 09:15 ok.txt",
		"-rw-r--r--   1 u g   10 Jan 31 09:15 ../../etc/passwd",
		"-rw-r--r--   1 u g   10 Jan 31 09:15 /etc/shadow",
		"-rw-r--r--   1 u g   10 Jan 31 09:15 evil\x1b[31mred",
		"-rw-r--r--   1 u g   10 Jan 31 09:15 back\\slash",
		"drwxr-xr-x   1 u g   10 Jan 31 09:15 .",
		"drwxr-xr-x   1 u g   10 Jan 31 09:15 ..",
		"this is not a listing line",
	}, "\r\n") + "\r\n"
	mlsd := strings.Join([]string{
		"type=cdir;modify=20240101000000; .",
		"type=file;size=3; ok.txt",
		"type=file;size=3; ../../etc/passwd",
		"type=file;size=3; /etc/shadow",
		"type=file;size=3; tab\there",
		"type=dir; ..",
	}, "\r\n") + "\r\n"
	for _, tc := range []struct {
		name string
		feat []string
		verb string
		data string
		raw  int
	}{
		{"LIST", []string{"SIZE"}, "LIST", listing, 5},
		{"MLSD", []string{"SIZE", "MLST type*;size*;"}, "MLSD", mlsd, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			f.feat = tc.feat
			f.on(tc.verb, func(s *fakeConn, _ string) { s.sendData([]byte(tc.data), "226 ok") })
			c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
			defer c.Close()
			entries, err := c.List(context.Background(), "/")
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			var names []string
			raw := 0
			for _, e := range entries {
				if e.Name == "" {
					if e.Raw == "" {
						t.Errorf("entry with neither name nor raw line")
					}
					raw++
					continue
				}
				names = append(names, e.Name)
			}
			if len(names) != 1 || names[0] != "ok.txt" {
				t.Fatalf("names %q, want only ok.txt", names)
			}
			if raw != tc.raw {
				t.Fatalf("%d raw entries, want %d: %+v", raw, tc.raw, entries)
			}
		})
	}
}

func TestCRLFInjectionIsRefused(t *testing.T) {
	f := newFake(t)
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw"})
	defer c.Close()
	ctx := context.Background()
	for _, p := range []string{"/a\r\nDELE /b", "/a\nDELE /b", "/a\x00b"} {
		if err := c.Remove(ctx, p); err == nil {
			t.Fatalf("remove %q: accepted", p)
		}
		if _, err := c.Open(ctx, p, 0); err == nil {
			t.Fatalf("open %q: accepted", p)
		}
	}
	if f.saw("DELE") {
		t.Fatalf("a DELE reached the server: %q", f.commands())
	}
}

func TestLoginAndLog(t *testing.T) {
	t.Run("anonymous", func(t *testing.T) {
		f := newFake(t)
		c := dialT(t, siteOf(t, protocol.SchemeFTP, f.start(), ""), Config{})
		c.Close()
		if !f.saw("USER anonymous") || !f.saw("PASS ferry@") {
			t.Fatalf("commands %q", f.commands())
		}
	})
	t.Run("password is asked and masked", func(t *testing.T) {
		f := newFake(t)
		log := &testLog{}
		p := &fixedPrompter{secret: "s3cret"}
		ctx := context.Background()
		c, err := Dial(ctx, fakeSite(t, f.start()), Config{Prompter: p, Log: log.add, PinDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		if !f.saw("PASS s3cret") {
			t.Fatalf("commands %q", f.commands())
		}
		masked := false
		for _, l := range log.all() {
			if strings.Contains(l, "s3cret") {
				t.Fatalf("password in log line %q", l)
			}
			masked = masked || l == "> PASS ****"
		}
		if !masked {
			t.Fatalf("no masked PASS line in %q", log.all())
		}
	})
	t.Run("530 is ErrAuth", func(t *testing.T) {
		f := newFake(t)
		f.on("PASS", func(s *fakeConn, _ string) { s.reply("530 Login incorrect.") })
		err := dialErr(t, f.start(), Config{Password: "bad"})
		if !errors.Is(err, protocol.ErrAuth) || !strings.Contains(err.Error(), "530 Login incorrect.") {
			t.Fatalf("got %v, want ErrAuth with the server's text", err)
		}
	})
	t.Run("ACCT", func(t *testing.T) {
		f := newFake(t)
		f.on("PASS", func(s *fakeConn, _ string) { s.reply("332 need account") })
		f.on("ACCT", func(s *fakeConn, _ string) { s.reply("230 ok") })
		c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", Account: "acme"})
		c.Close()
		if !f.saw("ACCT acme") {
			t.Fatalf("commands %q", f.commands())
		}
	})
}

func TestKeepaliveNoop(t *testing.T) {
	f := newFake(t)
	c := dialT(t, fakeSite(t, f.start()), Config{Password: "pw", IdleNoop: 50 * time.Millisecond})
	defer c.Close()
	deadline := time.Now().Add(3 * time.Second)
	for !f.saw("NOOP") {
		if time.Now().After(deadline) {
			t.Fatalf("no NOOP within 3s: %q", f.commands())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestReplyErrorMapping(t *testing.T) {
	cases := []struct {
		op   string
		rep  Reply
		want error
	}{
		{"open", Reply{550, []string{"Failed to open file."}}, protocol.ErrNotExist},
		{"open", Reply{550, []string{"Permission denied."}}, protocol.ErrPermission},
		{"mkdir", Reply{550, []string{"Create directory operation failed."}}, protocol.ErrPermission},
		{"mkdir", Reply{550, []string{"File exists"}}, protocol.ErrExist},
		{"rmdir", Reply{550, []string{"Directory not empty"}}, protocol.ErrNotEmpty},
		{"create", Reply{553, []string{"Could not create file."}}, protocol.ErrPermission},
		{"create", Reply{452, []string{"Insufficient storage"}}, protocol.ErrNoSpace},
		{"create", Reply{552, []string{"Quota exceeded"}}, protocol.ErrNoSpace},
		{"open", Reply{425, []string{"Can't open data connection."}}, protocol.ErrTransient},
		{"open", Reply{426, []string{"Connection closed"}}, protocol.ErrTransient},
		{"open", Reply{450, []string{"busy"}}, protocol.ErrTransient},
		{"login", Reply{530, []string{"Login incorrect."}}, protocol.ErrAuth},
		{"hash", Reply{502, []string{"not implemented"}}, protocol.ErrUnsupported},
	}
	for _, tc := range cases {
		err := replyError(tc.op, "/p", tc.rep)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s %d %q: got %v, want %v", tc.op, tc.rep.Code, tc.rep.Message(), err, tc.want)
		}
		if !strings.Contains(err.Error(), tc.rep.Message()) {
			t.Errorf("%v lost the server's words", err)
		}
	}
}

type fixedPrompter struct {
	secret   string
	decision protocol.TrustDecision
	asked    []protocol.TrustRequest
}

func (p *fixedPrompter) Secret(context.Context, protocol.SecretRequest) (string, error) {
	return p.secret, nil
}

func (p *fixedPrompter) Trust(_ context.Context, r protocol.TrustRequest) (protocol.TrustDecision, error) {
	p.asked = append(p.asked, r)
	return p.decision, nil
}
