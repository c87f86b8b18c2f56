package ftp

import (
	"strings"
	"time"
	"unicode"

	"github.com/ferryhq/ferry/protocol"
)

// listParsers are tried in order on each LIST line; the first that reads
// the line wins. Unix first: nearly every server speaks it.
var listParsers = []func(string, time.Time) (protocol.Entry, bool){parseUnix, parseDOS, parseEPLF}

// parseListLine reads one LIST line. A line no parser knows is returned
// with only Raw set, so the user still sees it.
func parseListLine(line string, now time.Time) (protocol.Entry, bool) {
	for _, p := range listParsers {
		if e, ok := p(line, now); ok {
			return e, true
		}
	}
	return protocol.Entry{Raw: line}, false
}

// isTotalLine matches ls's "total 48" header.
func isTotalLine(line string) bool {
	rest, ok := strings.CutPrefix(line, "total ")
	if !ok {
		return false
	}
	for _, r := range rest {
		if !unicode.IsDigit(r) && r != '.' && !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// lister turns listing lines into entries, applying the safety rule for
// names: a server chooses every name it lists, so a name that is not a
// plain base name ("../../etc/passwd", "/etc/shadow", "a\\b", ".", "..",
// control characters, invalid UTF-8 is allowed) would let it steer where a
// download is written. Such an entry is returned with Name empty and Raw
// holding the line, so the user sees that the server listed it, and it is
// logged; nothing can be transferred under that name. "." and ".." are
// dropped silently, since the contract excludes them and servers list them
// routinely.
type lister struct {
	mlsd bool
	now  time.Time
	log  func(string, ...any)
	out  []protocol.Entry
}

func (l *lister) line(line string) {
	if strings.TrimSpace(line) == "" {
		return
	}
	var e protocol.Entry
	if l.mlsd {
		var typ string
		var ok bool
		e, typ, ok = parseMLSx(line)
		if ok && (typ == "cdir" || typ == "pdir") {
			return
		}
		if !ok {
			e = protocol.Entry{Raw: line}
		}
	} else {
		if isTotalLine(line) {
			return
		}
		e, _ = parseListLine(line, l.now)
	}
	if e.Name == "" {
		l.log("* listing line not understood: %q", line)
		l.out = append(l.out, protocol.Entry{Raw: line})
		return
	}
	if e.Name == "." || e.Name == ".." {
		return
	}
	if !protocol.SafeName(e.Name) {
		l.log("* listing names an unsafe entry, shown raw: %q", line)
		l.out = append(l.out, protocol.Entry{Raw: line})
		return
	}
	l.out = append(l.out, e)
}
