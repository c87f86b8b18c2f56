package ftpd

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// maxLine bounds a command line; RFC 959 sets no limit, real servers use a
// few kilobytes.
const maxLine = 4096

var errLineTooLong = errors.New("command line too long")

// lineResult is one command line read from the control connection.
type lineResult struct {
	line string
	err  error
}

// session is one control connection. All replies are written by the
// session's own goroutine; during a transfer a helper goroutine reads the
// next command line so that ABOR can interrupt the transfer.
type session struct {
	srv    *Server
	conn   net.Conn // plain or *tls.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	peer   string
	ctx    context.Context
	cancel context.CancelFunc

	pending chan lineResult // a line read outside the main loop, or nil

	user       string // name given by USER
	loggedIn   bool
	tlsOn      bool
	pbsz       bool
	protP      bool
	ascii      bool
	cwd        string
	rest       int64
	renameFrom string
	data       dataSetup
	quit       bool
}

func newSession(srv *Server, conn net.Conn) *session {
	ctx, cancel := context.WithCancel(srv.ctx)
	s := &session{srv: srv, conn: conn, peer: conn.RemoteAddr().String(), ctx: ctx, cancel: cancel, cwd: "/"}
	s.setConn(conn)
	return s
}

func (s *session) setConn(c net.Conn) {
	s.conn = c
	s.r = bufio.NewReaderSize(c, maxLine)
	s.w = bufio.NewWriter(c)
}

func (s *session) logf(format string, args ...any) {
	if s.srv.opts.Log != nil {
		s.srv.opts.Log(s.peer + " " + fmt.Sprintf(format, args...))
	}
}

func (s *session) run() {
	conn := s.conn
	stop := context.AfterFunc(s.ctx, func() { conn.Close() })
	defer func() {
		stop()
		s.closeData()
		s.conn.Close()
		conn.Close()
		s.cancel()
		s.logf("closed")
	}()
	s.logf("connected")
	if s.srv.opts.Implicit {
		tc := tls.Server(conn, s.srv.opts.TLS)
		if err := s.handshake(tc); err != nil {
			s.logf("implicit TLS handshake: %v", err)
			return
		}
		s.tlsOn = true
		s.setConn(tc)
	}
	if err := s.reply(220, "ferry demo FTP server ready."); err != nil {
		return
	}
	for !s.quit {
		line, err := s.readLine()
		if errors.Is(err, errLineTooLong) {
			if s.reply(500, "Command line too long.") != nil {
				return
			}
			continue
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) && s.ctx.Err() == nil {
				s.logf("read: %v", err)
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					s.reply(421, "Timeout.")
				}
			}
			return
		}
		if err := s.handle(line); err != nil {
			s.logf("%v", err)
			return
		}
	}
}

func (s *session) handshake(tc *tls.Conn) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.srv.opts.DataTimeout)
	defer cancel()
	return tc.HandshakeContext(ctx)
}

// readLine returns the next command line, from the helper goroutine if one
// is outstanding, within the idle timeout.
func (s *session) readLine() (string, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(s.srv.opts.IdleTimeout)); err != nil {
		return "", err
	}
	if s.pending != nil {
		res := <-s.pending
		s.pending = nil
		return res.line, res.err
	}
	return readCommand(s.r)
}

// readAsync starts reading the next line in the background, with no idle
// deadline while a transfer runs, and returns the channel that will carry it.
func (s *session) readAsync() chan lineResult {
	if s.pending == nil {
		s.conn.SetReadDeadline(time.Time{})
		ch := make(chan lineResult, 1)
		r := s.r
		go func() {
			line, err := readCommand(r)
			ch <- lineResult{line, err}
		}()
		s.pending = ch
	}
	return s.pending
}

// readCommand reads one CRLF- (or LF-) terminated line of at most maxLine
// bytes and strips Telnet IAC sequences that clients send with ABOR.
func readCommand(r *bufio.Reader) (string, error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLine {
			tooLong = true
		} else {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errLineTooLong
	}
	return stripTelnet(strings.TrimRight(string(buf), "\r\n")), nil
}

// stripTelnet removes Telnet commands (IAC x, IAC WILL/WONT/DO/DONT x) and
// undoubles IAC IAC; clients precede ABOR with IAC IP IAC DM.
func stripTelnet(s string) string {
	for len(s) > 0 && s[0] == 0xf2 { // a Data Mark left in the stream
		s = s[1:]
	}
	if !strings.Contains(s, "\xff") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0xff || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; {
		case c == 0xff:
			b.WriteByte(0xff)
		case c >= 0xfb && c <= 0xfe:
			i++ // option byte
		}
	}
	out := b.String()
	for len(out) > 0 && out[0] == 0xf2 { // IAC IP IAC DM leaves the DM's echo
		out = out[1:]
	}
	return out
}

// reply writes a single-line reply.
func (s *session) reply(code int, msg string) error {
	s.logf("< %d %s", code, msg)
	s.conn.SetWriteDeadline(time.Now().Add(s.srv.opts.DataTimeout))
	fmt.Fprintf(s.w, "%d %s\r\n", code, msg)
	return s.w.Flush()
}

// replyLines writes a multi-line reply: first and last line carry the code,
// the lines between are indented by one space as RFC 959 suggests.
func (s *session) replyLines(code int, first string, lines []string, last string) error {
	s.logf("< %d-%s (%d lines)", code, first, len(lines))
	s.conn.SetWriteDeadline(time.Now().Add(s.srv.opts.DataTimeout))
	fmt.Fprintf(s.w, "%d-%s\r\n", code, first)
	for _, l := range lines {
		fmt.Fprintf(s.w, " %s\r\n", l)
	}
	fmt.Fprintf(s.w, "%d %s\r\n", code, last)
	return s.w.Flush()
}

// handle dispatches one command line.
func (s *session) handle(line string) error {
	cmd, arg, _ := strings.Cut(line, " ")
	cmd = strings.ToUpper(cmd)
	if cmd == "PASS" {
		s.logf("> PASS ****")
	} else {
		s.logf("> %s", line)
	}
	h, ok := commands[cmd]
	if !ok || s.srv.disabled[cmd] {
		if ok {
			return s.reply(502, "Command not implemented.")
		}
		return s.reply(500, "Unknown command.")
	}
	if h.auth && !s.loggedIn {
		return s.reply(530, "Please login with USER and PASS.")
	}
	if h.needArg && arg == "" {
		return s.reply(501, "Syntax error in parameters or arguments.")
	}
	if h.write && s.srv.opts.ReadOnly {
		code := 550
		if cmd == "STOR" || cmd == "APPE" || cmd == "STOU" {
			code = 553
		}
		return s.reply(code, "Permission denied.")
	}
	if cmd != "RNTO" {
		s.renameFrom = ""
	}
	return h.fn(s, arg)
}

// command describes one FTP command: whether it needs a login, an argument,
// or a writable tree.
type command struct {
	fn      func(s *session, arg string) error
	auth    bool
	needArg bool
	write   bool
}

// commands is the dispatch table; it never changes after init.
var commands map[string]command

func init() {
	commands = map[string]command{
		"USER": {fn: (*session).cmdUSER, needArg: true},
		"PASS": {fn: (*session).cmdPASS},
		"ACCT": {fn: (*session).cmdACCT},
		"AUTH": {fn: (*session).cmdAUTH, needArg: true},
		"PBSZ": {fn: (*session).cmdPBSZ, needArg: true},
		"PROT": {fn: (*session).cmdPROT, needArg: true},
		"FEAT": {fn: (*session).cmdFEAT},
		"OPTS": {fn: (*session).cmdOPTS, needArg: true},
		"SYST": {fn: (*session).cmdSYST},
		"NOOP": {fn: (*session).cmdNOOP},
		"QUIT": {fn: (*session).cmdQUIT},
		"HELP": {fn: (*session).cmdHELP},
		"ABOR": {fn: (*session).cmdABOR},
		"ALLO": {fn: (*session).cmdALLO, auth: true},
		"STAT": {fn: (*session).cmdSTAT, auth: true},
		"TYPE": {fn: (*session).cmdTYPE, auth: true, needArg: true},
		"MODE": {fn: (*session).cmdMODE, auth: true, needArg: true},
		"STRU": {fn: (*session).cmdSTRU, auth: true, needArg: true},
		"PWD":  {fn: (*session).cmdPWD, auth: true},
		"XPWD": {fn: (*session).cmdPWD, auth: true},
		"CWD":  {fn: (*session).cmdCWD, auth: true, needArg: true},
		"XCWD": {fn: (*session).cmdCWD, auth: true, needArg: true},
		"CDUP": {fn: (*session).cmdCDUP, auth: true},
		"XCUP": {fn: (*session).cmdCDUP, auth: true},
		"PASV": {fn: (*session).cmdPASV, auth: true},
		"EPSV": {fn: (*session).cmdEPSV, auth: true},
		"PORT": {fn: (*session).cmdPORT, auth: true, needArg: true},
		"EPRT": {fn: (*session).cmdEPRT, auth: true, needArg: true},
		"REST": {fn: (*session).cmdREST, auth: true, needArg: true},
		"SIZE": {fn: (*session).cmdSIZE, auth: true, needArg: true},
		"MDTM": {fn: (*session).cmdMDTM, auth: true, needArg: true},
		"HASH": {fn: (*session).cmdHASH, auth: true, needArg: true},
		"MLST": {fn: (*session).cmdMLST, auth: true},
		"MFMT": {fn: (*session).cmdMFMT, auth: true, needArg: true, write: true},
		"MKD":  {fn: (*session).cmdMKD, auth: true, needArg: true, write: true},
		"XMKD": {fn: (*session).cmdMKD, auth: true, needArg: true, write: true},
		"RMD":  {fn: (*session).cmdRMD, auth: true, needArg: true, write: true},
		"XRMD": {fn: (*session).cmdRMD, auth: true, needArg: true, write: true},
		"DELE": {fn: (*session).cmdDELE, auth: true, needArg: true, write: true},
		"RNFR": {fn: (*session).cmdRNFR, auth: true, needArg: true, write: true},
		"RNTO": {fn: (*session).cmdRNTO, auth: true, needArg: true, write: true},
		"SITE": {fn: (*session).cmdSITE, auth: true, needArg: true},
		"RETR": {fn: (*session).cmdRETR, auth: true, needArg: true},
		"STOR": {fn: (*session).cmdSTOR, auth: true, needArg: true, write: true},
		"APPE": {fn: (*session).cmdAPPE, auth: true, needArg: true, write: true},
		"LIST": {fn: (*session).cmdLIST, auth: true},
		"NLST": {fn: (*session).cmdNLST, auth: true},
		"MLSD": {fn: (*session).cmdMLSD, auth: true},
	}
}
