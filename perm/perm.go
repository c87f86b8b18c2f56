// Package perm reads permission modes as chmod(1) takes them, octal
// ("644", "0755", "4755") or symbolic ("u+x", "go-w", "a=r",
// "u=rwx,g=rx,o=", "+x", "a+X"), and applies them to a current mode. The
// CLI's chmod and the TUI's permissions dialog share it.
//
// Modes are fs.FileMode permission bits plus fs.ModeSetuid, fs.ModeSetgid
// and fs.ModeSticky; type bits are never set. There is no umask: a clause
// without a who ("+x") means all three classes, since ferry cannot know a
// server's umask.
package perm

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Bits are the mode bits chmod sets: rwx for owner, group and others, and
// set-user-ID, set-group-ID and sticky.
const Bits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// Mode is a parsed MODE argument, octal or symbolic.
type Mode struct {
	text    string
	octal   bool
	bits    fs.FileMode // octal: the bits to set
	clauses []clause
}

// clause is one "who op perms" part of a symbolic mode; one who may carry
// several ops ("u+r-w").
type clause struct {
	who fs.FileMode // bits the clause may touch
	ops []op
}

type op struct {
	kind  byte        // '+', '-' or '='
	bits  fs.FileMode // r, w, x, s, t as bits
	condX bool        // X: execute where it is a directory or some x is set
	copy  byte        // 'u', 'g' or 'o': copy that class's current bits; 0 if none
	specS bool        // the perms named s, so '=' on a directory drops set-ID bits
}

// Parse reads a mode as chmod(1) does: octal of up to four digits, or
// comma-separated symbolic clauses [ugoa]*([-+=]([rwxXst]*|[ugo]))+.
func Parse(s string) (Mode, error) {
	if s == "" {
		return Mode{}, errors.New("empty mode")
	}
	if s[0] >= '0' && s[0] <= '7' {
		return parseOctal(s)
	}
	m := Mode{text: s}
	for _, part := range strings.Split(s, ",") {
		c, err := parseClause(part)
		if err != nil {
			return Mode{}, fmt.Errorf("mode %q: %w", s, err)
		}
		m.clauses = append(m.clauses, c)
	}
	return m, nil
}

func parseOctal(s string) (Mode, error) {
	if len(s) > 4 {
		return Mode{}, fmt.Errorf("mode %q: octal modes have at most four digits", s)
	}
	var n uint32
	for _, r := range s {
		if r < '0' || r > '7' {
			return Mode{}, fmt.Errorf("mode %q: %q is not an octal digit", s, r)
		}
		n = n<<3 | uint32(r-'0')
	}
	return Mode{text: s, octal: true, bits: FromOctal(n)}, nil
}

const (
	whoU = 0o700 | fs.ModeSetuid
	whoG = 0o070 | fs.ModeSetgid
	whoO = 0o007 | fs.ModeSticky
)

func parseClause(s string) (clause, error) {
	var c clause
	i := 0
	for ; i < len(s); i++ {
		switch s[i] {
		case 'u':
			c.who |= whoU
		case 'g':
			c.who |= whoG
		case 'o':
			c.who |= whoO
		case 'a':
			c.who |= Bits
		default:
			goto ops
		}
	}
ops:
	if c.who == 0 {
		c.who = Bits
	}
	if i == len(s) {
		return c, fmt.Errorf("%q has no + - or =", s)
	}
	for i < len(s) {
		o := op{kind: s[i]}
		if o.kind != '+' && o.kind != '-' && o.kind != '=' {
			return c, fmt.Errorf("%q: expected + - or = at %q", s, s[i:])
		}
		i++
		if i < len(s) && (s[i] == 'u' || s[i] == 'g' || s[i] == 'o') {
			o.copy = s[i]
			i++
		} else {
			for ; i < len(s); i++ {
				switch s[i] {
				case 'r':
					o.bits |= 0o444
				case 'w':
					o.bits |= 0o222
				case 'x':
					o.bits |= 0o111
				case 'X':
					o.condX = true
				case 's':
					o.bits |= fs.ModeSetuid | fs.ModeSetgid
					o.specS = true
				case 't':
					o.bits |= fs.ModeSticky
				default:
					goto next
				}
			}
		}
	next:
		if i < len(s) && s[i] != '+' && s[i] != '-' && s[i] != '=' {
			return c, fmt.Errorf("%q: unexpected %q", s, s[i:])
		}
		c.ops = append(c.ops, o)
	}
	return c, nil
}

// Apply returns the permission bits (within Bits) that cur has after the
// mode is applied to it; isDir matters to X and to the set-ID bits of
// directories, which, as with GNU chmod, an octal mode of up to four digits
// or an "=" without s does not clear.
func (m Mode) Apply(cur fs.FileMode, isDir bool) fs.FileMode {
	cur &= Bits
	if m.octal {
		if isDir {
			return m.bits | cur&(fs.ModeSetuid|fs.ModeSetgid)
		}
		return m.bits
	}
	for _, c := range m.clauses {
		for _, o := range c.ops {
			var bits fs.FileMode
			switch o.copy {
			case 'u':
				bits = spread(cur >> 6 & 7)
			case 'g':
				bits = spread(cur >> 3 & 7)
			case 'o':
				bits = spread(cur & 7)
			default:
				bits = o.bits
				if o.condX && (isDir || cur&0o111 != 0) {
					bits |= 0o111
				}
			}
			bits &= c.who
			switch o.kind {
			case '+':
				cur |= bits
			case '-':
				cur &^= bits
			case '=':
				clear := c.who
				if isDir && !o.specS {
					clear &^= fs.ModeSetuid | fs.ModeSetgid
				}
				cur = cur&^clear | bits
			}
		}
	}
	return cur
}

// spread repeats one class's rwx in all three classes.
func spread(rwx fs.FileMode) fs.FileMode { return rwx<<6 | rwx<<3 | rwx }

// IsOctal reports whether the mode was given in octal: it sets every bit
// and needs no current mode.
func (m Mode) IsOctal() bool { return m.octal }

// String is the mode as it was given.
func (m Mode) String() string { return m.text }

// FromOctal turns chmod's octal number (0o4755) into mode bits.
func FromOctal(n uint32) fs.FileMode {
	m := fs.FileMode(n & 0o777)
	if n&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if n&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if n&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// Octal turns mode bits into chmod's octal number.
func Octal(m fs.FileMode) uint32 {
	n := uint32(m & 0o777)
	if m&fs.ModeSetuid != 0 {
		n |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return n
}
