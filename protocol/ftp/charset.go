package ftp

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// charset converts names between ferry's UTF-8 and the server's encoding.
// Old servers speak Latin-1 (RFC 2640 came late), so a site may choose it.
type charset interface {
	encode(s string) (string, error)
	decode(s string) string
}

func newCharset(name string) (charset, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "-", "")) {
	case "", "utf8":
		return utf8Charset{}, nil
	case "latin1", "iso88591", "iso885915", "windows1252", "cp1252":
		return latin1Charset{}, nil
	}
	return nil, fmt.Errorf("unknown encoding %q (use utf-8 or latin1)", name)
}

// utf8Charset passes bytes through; invalid UTF-8 from the server is kept
// as it is so that names still round-trip to the server unchanged.
type utf8Charset struct{}

func (utf8Charset) encode(s string) (string, error) { return s, nil }
func (utf8Charset) decode(s string) string          { return s }

type latin1Charset struct{}

func (latin1Charset) encode(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff || r == utf8.RuneError {
			return "", fmt.Errorf("%q cannot be written in Latin-1", r)
		}
		b = append(b, byte(r))
	}
	return string(b), nil
}

func (latin1Charset) decode(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}
