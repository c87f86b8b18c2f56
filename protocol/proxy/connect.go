package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// maxHeader bounds the proxy's reply to CONNECT: a proxy that keeps
// talking is refused rather than read into memory.
const maxHeader = 16 << 10

func (p *Proxy) dialConnect(ctx context.Context, direct *net.Dialer, addr string) (net.Conn, error) {
	conn, err := direct.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	var rest []byte
	err = handshake(ctx, conn, func() error {
		var req strings.Builder
		fmt.Fprintf(&req, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ferry\r\n", addr, addr)
		if p.hasAuth {
			cred := base64.StdEncoding.EncodeToString([]byte(p.user + ":" + p.password))
			fmt.Fprintf(&req, "Proxy-Authorization: Basic %s\r\n", cred)
		}
		req.WriteString("\r\n")
		if _, err := io.WriteString(conn, req.String()); err != nil {
			return err
		}
		br := bufio.NewReaderSize(conn, 4096)
		if err := readConnectReply(br, addr, p.hasAuth); err != nil {
			return err
		}
		// What came after the header is the server's: an SSH server or
		// an FTP server speaks first.
		if n := br.Buffered(); n > 0 {
			rest, _ = br.Peek(n)
			rest = bytes.Clone(rest)
		}
		return nil
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	if len(rest) > 0 {
		return &prefixConn{Conn: conn, rest: rest}, nil
	}
	return conn, nil
}

// readConnectReply reads the status line and headers of the reply to
// CONNECT, and fails unless the status is 2xx.
func readConnectReply(br *bufio.Reader, addr string, hasAuth bool) error {
	var status string
	total := 0
	for {
		line, err := br.ReadSlice('\n')
		total += len(line)
		switch {
		case errors.Is(err, bufio.ErrBufferFull) || total > maxHeader:
			return fmt.Errorf("the reply to CONNECT is longer than %d bytes", maxHeader)
		case err != nil && status == "" && total == 0:
			return fmt.Errorf("no reply to CONNECT %s: %w", addr, err)
		case err != nil:
			return fmt.Errorf("reading the reply to CONNECT %s: %w", addr, err)
		}
		text := strings.TrimRight(string(line), "\r\n")
		if status == "" {
			status = text
			continue
		}
		if text == "" {
			break
		}
	}
	f := strings.SplitN(status, " ", 3)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") || len(f[1]) != 3 {
		return fmt.Errorf("not an HTTP proxy: it answered CONNECT with %q", trim(status))
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		return fmt.Errorf("not an HTTP proxy: it answered CONNECT with %q", trim(status))
	}
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == 407 && hasAuth:
		return fmt.Errorf("%w: CONNECT %s: %s (the proxy refused the user and password)", ErrAuth, addr, trim(status))
	case code == 407:
		return fmt.Errorf("%w: CONNECT %s: %s (give them as http://user:pass@host:port)", ErrAuth, addr, trim(status))
	}
	return fmt.Errorf("CONNECT %s refused: %s", addr, trim(status))
}

// trim keeps a proxy's words printable and short in an error.
func trim(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// prefixConn returns bytes read past the proxy's reply before reading on.
type prefixConn struct {
	net.Conn
	rest []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// NetConn is the TCP connection underneath.
func (c *prefixConn) NetConn() net.Conn { return c.Conn }
