package ftp

import (
	"io"
	"runtime"
)

// TYPE A puts CRLF on the wire. On disk ferry writes the local convention:
// LF on Unix, CRLF (unchanged) on Windows.
var localCRLF = runtime.GOOS == "windows"

// fromCRLF turns the wire's CRLF into LF. A CR that ends one read is held
// until the next byte shows whether an LF follows.
type fromCRLF struct {
	r   io.Reader
	buf []byte // buf[0] is reserved for a held CR
	out []byte // converted bytes not yet returned
	cr  bool
	err error
}

func newFromCRLF(r io.Reader) *fromCRLF { return &fromCRLF{r: r, buf: make([]byte, bufSize+1)} }

func (f *fromCRLF) Read(p []byte) (int, error) {
	if localCRLF {
		return f.r.Read(p)
	}
	for len(f.out) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		n, err := f.r.Read(f.buf[1:])
		f.err = err
		w := 0
		for _, b := range f.buf[1 : 1+n] {
			if f.cr {
				f.cr = false
				if b != '\n' {
					f.buf[w] = '\r'
					w++
				}
			}
			if b == '\r' {
				f.cr = true
				continue
			}
			f.buf[w] = b
			w++
		}
		if err != nil && f.cr {
			f.cr = false
			f.buf[w] = '\r'
			w++
		}
		f.out = f.buf[:w]
	}
	n := copy(p, f.out)
	f.out = f.out[n:]
	return n, nil
}

// toCRLF turns LF into CRLF for the wire, leaving CRLF already present.
type toCRLF struct {
	w   io.Writer
	buf []byte
	cr  bool
}

func newToCRLF(w io.Writer) *toCRLF { return &toCRLF{w: w} }

func (t *toCRLF) Write(p []byte) (int, error) {
	if localCRLF {
		return t.w.Write(p)
	}
	t.buf = t.buf[:0]
	for _, b := range p {
		if b == '\n' && !t.cr {
			t.buf = append(t.buf, '\r')
		}
		t.buf = append(t.buf, b)
		t.cr = b == '\r'
	}
	if _, err := t.w.Write(t.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

type asciiReader struct {
	*fromCRLF
	r io.Closer
}

func (a *asciiReader) Close() error { return a.r.Close() }

type asciiWriter struct {
	*toCRLF
	w io.Closer
}

func (a *asciiWriter) Close() error { return a.w.Close() }
