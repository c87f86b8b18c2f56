package perm

import (
	"fmt"
	"io/fs"
	"strings"
)

// Change sets some bits and clears others, keeping the rest of each file's
// mode as it is: what a permissions dialog does to a marked set whose
// modes differ, where a bit that is mixed stays mixed unless the user
// changes it.
type Change struct {
	Set, Clear fs.FileMode
}

// Apply returns cur's permission bits with the change made.
func (c Change) Apply(cur fs.FileMode) fs.FileMode { return cur&Bits&^c.Clear | c.Set }

// Common finds what modes agree on: known holds the bits that are the same
// in all of them, value their setting. With no modes nothing is known.
func Common(modes []fs.FileMode) (known, value fs.FileMode) {
	if len(modes) == 0 {
		return 0, 0
	}
	known, value = Bits, modes[0]&Bits
	for _, m := range modes[1:] {
		known &^= (m & Bits) ^ value
	}
	return known, value & known
}

// MaskString renders the rwx bits as three octal digits, with x for a
// digit whose bits are not all known ("6x4"), as FileZilla's numeric field
// does.
func MaskString(known, value fs.FileMode) string {
	var b strings.Builder
	for shift := 6; shift >= 0; shift -= 3 {
		if known>>shift&7 != 7 {
			b.WriteByte('x')
			continue
		}
		b.WriteByte(byte('0' + value>>shift&7))
	}
	return b.String()
}

// ParseMask reads three octal digits where x keeps that class's bits as
// each file has them ("6x4"), and returns the bits it sets (known) and
// their values.
func ParseMask(s string) (known, value fs.FileMode, err error) {
	if len(s) != 3 {
		return 0, 0, fmt.Errorf("%q: want three digits 0-7 or x", s)
	}
	for i := 0; i < 3; i++ {
		shift := uint(6 - 3*i)
		switch c := s[i]; {
		case c >= '0' && c <= '7':
			known |= 7 << shift
			value |= fs.FileMode(c-'0') << shift
		case c == 'x' || c == 'X':
		default:
			return 0, 0, fmt.Errorf("%q: %q is not 0-7 or x", s, c)
		}
	}
	return known, value, nil
}
