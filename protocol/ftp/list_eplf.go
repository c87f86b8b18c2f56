package ftp

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// parseEPLF reads Bernstein's Easily Parsed LIST Format:
//
//	+i8388621.48594,m825718503,r,s280,\tdjb.html
//	+i8388621.50690,m824255907,/,\t514
func parseEPLF(line string, _ time.Time) (protocol.Entry, bool) {
	if len(line) < 3 || line[0] != '+' {
		return protocol.Entry{}, false
	}
	facts, name, ok := strings.Cut(line[1:], "\t")
	if !ok || name == "" {
		return protocol.Entry{}, false
	}
	e := protocol.Entry{Name: name, Mode: 0o644}
	known := false
	for _, fact := range strings.Split(facts, ",") {
		if fact == "" {
			continue
		}
		switch fact[0] {
		case '/':
			e.Mode = fs.ModeDir | 0o755
			known = true
		case 'r':
			known = true
		case 's':
			n, err := strconv.ParseInt(fact[1:], 10, 64)
			if err != nil || n < 0 {
				return protocol.Entry{}, false
			}
			e.Size = n
		case 'm':
			n, err := strconv.ParseInt(fact[1:], 10, 64)
			if err != nil {
				return protocol.Entry{}, false
			}
			e.ModTime = time.Unix(n, 0).UTC()
		case 'u':
			if strings.HasPrefix(fact, "up") {
				if m, err := strconv.ParseUint(fact[2:], 8, 32); err == nil {
					e.Mode = e.Mode&fs.ModeType | fs.FileMode(m)&fs.ModePerm
				}
			}
		}
	}
	if !known {
		return protocol.Entry{}, false
	}
	if e.IsDir() {
		e.Size = 0
	}
	return e, true
}
