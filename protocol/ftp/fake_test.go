package ftp

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// fake is a scripted FTP server for behaviour no real server shows on
// demand: garbage, silence, short data, hostile listings. Each command goes
// to a handler; defaults log in and answer the session setup.
type fake struct {
	t        testing.TB
	ln       net.Listener
	greeting []string
	feat     []string
	trickle  bool // write replies one byte at a time
	pasvHost string
	mu       sync.Mutex
	handlers map[string]func(s *fakeConn, arg string)
	seen     []string
	conns    []net.Conn
	wg       sync.WaitGroup
}

type fakeConn struct {
	f      *fake
	c      net.Conn
	r      *bufio.Reader
	pasv   net.Listener
	active string
}

func newFake(t testing.TB) *fake { return newFakeOn(t, "127.0.0.1:0") }

func newFakeOn(t testing.TB, addr string) *fake {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{t: t, ln: ln, greeting: []string{"220 fake ready"},
		feat: []string{"SIZE", "MDTM", "UTF8", "REST STREAM"}, handlers: map[string]func(*fakeConn, string){}}
	t.Cleanup(f.close)
	return f
}

// on sets the handler of a command verb.
func (f *fake) on(verb string, h func(s *fakeConn, arg string)) {
	f.mu.Lock()
	f.handlers[verb] = h
	f.mu.Unlock()
}

func (f *fake) start() string {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := f.ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				f.serve(c)
			}()
		}
	}()
	return f.ln.Addr().String()
}

func (f *fake) close() {
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// commands returns every command line received so far.
func (f *fake) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func (f *fake) saw(prefix string) bool {
	for _, c := range f.commands() {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

func (f *fake) serve(c net.Conn) {
	defer c.Close()
	s := &fakeConn{f: f, c: c, r: bufio.NewReader(c)}
	defer func() {
		if s.pasv != nil {
			s.pasv.Close()
		}
	}()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	if len(f.greeting) > 0 {
		s.reply(f.greeting...)
	}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		f.mu.Lock()
		f.seen = append(f.seen, line)
		f.mu.Unlock()
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		f.mu.Lock()
		h := f.handlers[verb]
		f.mu.Unlock()
		if h == nil {
			h = defaultHandler(verb)
		}
		if h == nil {
			s.reply("502 not implemented")
			continue
		}
		h(s, arg)
		if verb == "QUIT" {
			return
		}
	}
}

func defaultHandler(verb string) func(*fakeConn, string) {
	switch verb {
	case "USER":
		return func(s *fakeConn, _ string) { s.reply("331 password please") }
	case "PASS":
		return func(s *fakeConn, _ string) { s.reply("230 welcome") }
	case "FEAT":
		return func(s *fakeConn, _ string) {
			lines := []string{"211-Features:"}
			for _, f := range s.f.feat {
				lines = append(lines, " "+f)
			}
			s.reply(append(lines, "211 End")...)
		}
	case "OPTS", "TYPE", "NOOP":
		return func(s *fakeConn, _ string) { s.reply("200 ok") }
	case "SYST":
		return func(s *fakeConn, _ string) { s.reply("215 UNIX Type: L8") }
	case "PWD":
		return func(s *fakeConn, _ string) { s.reply(`257 "/" is cwd`) }
	case "QUIT":
		return func(s *fakeConn, _ string) { s.reply("221 bye") }
	case "ABOR":
		return func(s *fakeConn, _ string) { s.reply("226 abort ok") }
	case "EPSV":
		return func(s *fakeConn, _ string) {
			port := s.listenPasv()
			s.reply(fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", port))
		}
	case "PASV":
		return func(s *fakeConn, _ string) {
			port := s.listenPasv()
			host := s.f.pasvHost
			if host == "" {
				host = "127,0,0,1"
			}
			s.reply(fmt.Sprintf("227 Entering Passive Mode (%s,%d,%d).", host, port>>8, port&0xff))
		}
	case "EPRT":
		return func(s *fakeConn, arg string) {
			parts := strings.Split(arg, arg[:1])
			if len(parts) != 5 {
				s.reply("501 bad EPRT")
				return
			}
			s.active = net.JoinHostPort(parts[2], parts[3])
			s.reply("200 EPRT ok")
		}
	case "PORT":
		return func(s *fakeConn, arg string) {
			var h [4]int
			var p1, p2 int
			fmt.Sscanf(arg, "%d,%d,%d,%d,%d,%d", &h[0], &h[1], &h[2], &h[3], &p1, &p2)
			s.active = fmt.Sprintf("%d.%d.%d.%d:%d", h[0], h[1], h[2], h[3], p1<<8|p2)
			s.reply("200 PORT ok")
		}
	}
	return nil
}

func (s *fakeConn) listenPasv() int {
	if s.pasv != nil {
		s.pasv.Close()
	}
	host, _, _ := net.SplitHostPort(s.c.LocalAddr().String())
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		s.f.t.Error(err)
		return 0
	}
	s.pasv = ln
	return ln.Addr().(*net.TCPAddr).Port
}

// data returns the data connection: accepted (passive) or dialled (active).
func (s *fakeConn) data() net.Conn {
	if s.active != "" {
		c, err := net.DialTimeout("tcp", s.active, 5*time.Second)
		s.active = ""
		if err != nil {
			s.f.t.Errorf("fake: dial active %v", err)
			return nil
		}
		return c
	}
	if s.pasv == nil {
		s.f.t.Errorf("fake: no data channel prepared")
		return nil
	}
	_ = s.pasv.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	c, err := s.pasv.Accept()
	s.pasv.Close()
	s.pasv = nil
	if err != nil {
		s.f.t.Errorf("fake: accept data: %v", err)
		return nil
	}
	return c
}

func (s *fakeConn) reply(lines ...string) {
	msg := strings.Join(lines, "\r\n") + "\r\n"
	if !s.f.trickle {
		s.c.Write([]byte(msg))
		return
	}
	for i := 0; i < len(msg); i++ {
		if _, err := s.c.Write([]byte{msg[i]}); err != nil {
			return
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// sendData serves one download: 150, the bytes, close, then final.
func (s *fakeConn) sendData(data []byte, final string) {
	s.reply("150 opening data connection")
	d := s.data()
	if d == nil {
		return
	}
	d.Write(data)
	d.Close()
	if final != "" {
		s.reply(final)
	}
}
