package ui

import (
	"bytes"
	"unicode/utf8"
)

// contentKind is what the viewer makes of a file from its first bytes.
type contentKind int

const (
	kindText   contentKind = iota // UTF-8 (ASCII included): shown as text
	kind8bit                      // 8-bit text: shown as text read as Windows-1252
	kindBinary                    // shown as a hex dump
)

// sniffLen is how much of a file's start decides its kind, as git and less
// look at the first few KiB.
const sniffLen = 8 << 10

// sniff tells the kind of a file from b, its first bytes; whole says b is
// the entire file. The rule:
//   - a NUL byte among the first sniffLen bytes makes it binary;
//   - valid UTF-8 is text, not counting a rune that the end of the sniff
//     cuts in two;
//   - otherwise it is 8-bit text (Latin-1, Windows-1252) when no byte is a
//     C0 control other than \b \t \n \f \r ESC, none is DEL, and none is one
//     of the five bytes Windows-1252 leaves undefined (0x81 0x8d 0x8f 0x90
//     0x9d): random or compressed data has such bytes within a few hundred;
//   - anything else is binary.
func sniff(b []byte, whole bool) contentKind {
	s := b[:min(len(b), sniffLen)]
	if bytes.IndexByte(s, 0) >= 0 {
		return kindBinary
	}
	if !whole || len(b) > len(s) {
		s = trimCutRune(s)
	}
	if utf8.Valid(s) {
		return kindText
	}
	for _, c := range s {
		switch {
		case c < 0x20 && c != '\b' && c != '\t' && c != '\n' && c != '\f' && c != '\r' && c != 0x1b:
			return kindBinary
		case c == 0x7f, c == 0x81, c == 0x8d, c == 0x8f, c == 0x90, c == 0x9d:
			return kindBinary
		}
	}
	return kind8bit
}

// trimCutRune drops the start of a multi-byte rune at the end of s, whose
// other bytes lie past the sniff.
func trimCutRune(s []byte) []byte {
	for i := len(s) - 1; i >= 0 && i > len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if !utf8.FullRune(s[i:]) {
				return s[:i]
			}
			break
		}
	}
	return s
}

// decode8bit reads s as Windows-1252 (a superset of Latin-1's printable
// characters), so 8-bit text shows its accents rather than mojibake.
func decode8bit(s string) string {
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
	// What Windows-1252 puts at 0x80–0x9f; U+FFFD where it has nothing.
	c1 := [32]rune{
		'€', '\ufffd', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\ufffd', 'Ž', '\ufffd',
		'\ufffd', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\ufffd', 'ž', 'Ÿ',
	}
	r := make([]rune, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80 && c < 0xa0:
			r = append(r, c1[c-0x80])
		default:
			r = append(r, rune(c))
		}
	}
	return string(r)
}
