package sftp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// How long Close lets a ProxyCommand end on its own after its input
// closes and it is told to hang up, before it is killed.
const (
	proxyCmdGrace = time.Second
	// proxyCmdReap bounds the wait after the kill.
	proxyCmdReap = 3 * time.Second
	// proxyCmdTail is how much of its standard error an error quotes.
	proxyCmdTail = 2048
)

// dialFirst opens the connection an SSH session begins on when no jump
// host carries it: through the target's ProxyCommand, through the proxy
// of cfg.Proxy, or directly.
func dialFirst(ctx context.Context, cfg Config, t target) (net.Conn, error) {
	if t.proxyCommand != "" {
		return startProxyCommand(cfg, t)
	}
	if p := cfg.Proxy.For(t.host); p != nil {
		cfg.logf("* through proxy " + p.String())
	}
	return cfg.Proxy.DialContext(ctx, "tcp", t.addr())
}

// expandProxyCommand replaces OpenSSH's tokens in a ProxyCommand: %h the
// host name (HostName), %p the port, %r the remote user, %n the name as
// given, %u the local user, %d the home directory, %% a percent sign.
func expandProxyCommand(cmd string, t target, home string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(cmd); i++ {
		if cmd[i] != '%' {
			b.WriteByte(cmd[i])
			continue
		}
		if i+1 == len(cmd) {
			return "", errors.New("ProxyCommand ends with a lone %")
		}
		i++
		switch cmd[i] {
		case '%':
			b.WriteByte('%')
		case 'h':
			b.WriteString(t.host)
		case 'p':
			b.WriteString(strconv.Itoa(t.port))
		case 'r':
			b.WriteString(t.user)
		case 'n':
			b.WriteString(t.alias)
		case 'u':
			b.WriteString(localUser())
		case 'd':
			b.WriteString(home)
		default:
			return "", fmt.Errorf("ProxyCommand: token %%%c is not supported (ferry knows %%h %%p %%r %%n %%u %%d %%%%)", cmd[i])
		}
	}
	return b.String(), nil
}

// startProxyCommand runs t's ProxyCommand as ssh does, "exec COMMAND"
// through the user's shell, and returns its standard input and output as
// the connection. Its standard error goes to cfg.Stderr line by line.
func startProxyCommand(cfg Config, t target) (net.Conn, error) {
	line, err := expandProxyCommand(t.proxyCommand, t, cfg.home())
	if err != nil {
		return nil, fmt.Errorf("ssh config: host %s: %w", t.alias, err)
	}
	cfg.logf("* ProxyCommand " + line)
	shell := os.Getenv("SHELL")
	if shell == "" {
		shell = defaultShell
	}
	cmd := exec.Command(shell, "-c", "exec "+line)
	setProcessGroup(cmd)
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	err = cmd.Start()
	// The child has its ends now; ours must go, or we would never see
	// its output end.
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("ProxyCommand %q: %w", line, err)
	}
	c := &cmdConn{
		line: line, cmd: cmd, in: inW, out: outR, errs: errR,
		exited: make(chan struct{}), stderrDone: make(chan struct{}), closing: make(chan struct{}),
		addr: cmdAddr(t.addr()),
	}
	stderr := cfg.Stderr
	if stderr == nil {
		stderr = cfg.Log
	}
	go c.readStderr(stderr)
	// Reap the command as soon as it ends, so that it never lingers as a
	// zombie while the connection is open.
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

// cmdConn is a ProxyCommand's standard input and output as a net.Conn.
type cmdConn struct {
	line string
	cmd  *exec.Cmd
	in   *os.File
	out  *os.File
	errs *os.File
	addr cmdAddr

	exited  chan struct{} // closed once Wait returned
	waitErr error         // Wait's result, set before exited closes

	stderrDone chan struct{}
	mu         sync.Mutex
	tail       []byte // the last proxyCmdTail bytes of standard error

	closeOnce sync.Once
	closing   chan struct{}
}

func (c *cmdConn) readStderr(log func(string)) {
	defer close(c.stderrDone)
	sc := bufio.NewScanner(c.errs)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		c.mu.Lock()
		c.tail = append(c.tail, line...)
		c.tail = append(c.tail, '\n')
		if len(c.tail) > proxyCmdTail {
			c.tail = c.tail[len(c.tail)-proxyCmdTail:]
		}
		c.mu.Unlock()
		if log != nil {
			log("proxy command: " + line)
		}
	}
}

// Read reads the command's output. When the output ends the error says
// how the command ended and quotes the end of its standard error.
func (c *cmdConn) Read(p []byte) (int, error) {
	n, err := c.out.Read(p)
	if err != nil && n == 0 && c.isClosing() {
		return 0, net.ErrClosed
	}
	if errors.Is(err, io.EOF) {
		return n, c.endError()
	}
	return n, err
}

func (c *cmdConn) Write(p []byte) (int, error) {
	n, err := c.in.Write(p)
	if err != nil && c.isClosing() {
		err = net.ErrClosed
	}
	return n, err
}

func (c *cmdConn) isClosing() bool {
	select {
	case <-c.closing:
		return true
	default:
		return false
	}
}

// endError describes the command's end once its output closed: the exit
// status (waiting a moment for it) and the tail of its standard error.
func (c *cmdConn) endError() error {
	how := "closed its output"
	select {
	case <-c.exited:
		how = exitText(c.waitErr)
	case <-time.After(proxyCmdGrace):
	}
	select {
	case <-c.stderrDone:
	case <-time.After(200 * time.Millisecond):
	}
	c.mu.Lock()
	tail := strings.TrimSpace(string(c.tail))
	c.mu.Unlock()
	msg := fmt.Sprintf("ProxyCommand %q %s", c.line, how)
	if tail != "" {
		msg += ": " + strings.ReplaceAll(tail, "\n", "; ")
	}
	return &proxyCmdError{msg: msg}
}

func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exited"
	case errors.As(err, &ee) && ee.Exited():
		return fmt.Sprintf("exited with status %d", ee.ExitCode())
	}
	return "ended: " + err.Error()
}

// proxyCmdError is the end of a ProxyCommand's output. It unwraps to
// io.ErrUnexpectedEOF: the link is gone, and a retry may find it back.
type proxyCmdError struct{ msg string }

func (e *proxyCmdError) Error() string { return e.msg }
func (e *proxyCmdError) Unwrap() error { return io.ErrUnexpectedEOF }

// Close ends the command: its input closes, then it (with its process
// group) is told to hang up, as ssh does, and killed if still there a
// second later. Close returns once the command has been waited for.
func (c *cmdConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closing)
		c.in.Close()
		c.out.Close()
		hangUp(c.cmd)
		select {
		case <-c.exited:
		case <-time.After(proxyCmdGrace):
			kill(c.cmd)
			select {
			case <-c.exited:
			case <-time.After(proxyCmdReap):
			}
		}
		// A process the command left behind may hold standard error open;
		// closing our end stops the reader.
		select {
		case <-c.stderrDone:
		case <-time.After(200 * time.Millisecond):
		}
		c.errs.Close()
	})
	return nil
}

func (c *cmdConn) LocalAddr() net.Addr  { return cmdAddr("proxy command") }
func (c *cmdConn) RemoteAddr() net.Addr { return c.addr }

// Deadlines apply to the pipes where the system can poll them.
func (c *cmdConn) SetDeadline(t time.Time) error {
	return errors.Join(c.SetReadDeadline(t), c.SetWriteDeadline(t))
}
func (c *cmdConn) SetReadDeadline(t time.Time) error  { return c.out.SetReadDeadline(t) }
func (c *cmdConn) SetWriteDeadline(t time.Time) error { return c.in.SetWriteDeadline(t) }

// cmdAddr names the far end of a ProxyCommand: the host:port it reaches.
type cmdAddr string

func (a cmdAddr) Network() string { return "proxycommand" }
func (a cmdAddr) String() string  { return string(a) }
