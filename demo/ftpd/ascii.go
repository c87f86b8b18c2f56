package ftpd

import (
	"bytes"
	"io"
)

// TYPE A transfers send lines as CRLF on the wire and store them with the
// server's convention (LF), as vsftpd and proftpd do.

// crlfWriter turns every LF into CRLF (RETR in ASCII mode). Like real Unix
// servers it does not look for an existing CR: a stored "\r\n" goes out as
// "\r\r\n", and the client's conversion gives back the stored bytes.
type crlfWriter struct {
	w   io.Writer
	buf []byte
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	n := len(p)
	c.buf = c.buf[:0]
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.buf = append(c.buf, p...)
			break
		}
		c.buf = append(c.buf, p[:i]...)
		c.buf = append(c.buf, '\r', '\n')
		p = p[i+1:]
	}
	if _, err := c.w.Write(c.buf); err != nil {
		return 0, err
	}
	return n, nil
}

// lfWriter turns CRLF into LF (STOR in ASCII mode); a lone CR is kept. A CR
// at the end of one write is held back until the next write or Close
// shows whether LF follows.
type lfWriter struct {
	w   io.Writer
	buf []byte
	cr  bool // a CR is held back
}

func (l *lfWriter) Write(p []byte) (int, error) {
	n := len(p)
	l.buf = l.buf[:0]
	for _, b := range p {
		if l.cr {
			l.cr = false
			if b != '\n' {
				l.buf = append(l.buf, '\r')
			}
		}
		if b == '\r' {
			l.cr = true
			continue
		}
		l.buf = append(l.buf, b)
	}
	if _, err := l.w.Write(l.buf); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a CR held back at the end of the stream.
func (l *lfWriter) Flush() error {
	if !l.cr {
		return nil
	}
	l.cr = false
	_, err := l.w.Write([]byte{'\r'})
	return err
}
