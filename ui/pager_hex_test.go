package ui

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHexLine(t *testing.T) {
	for _, c := range []struct {
		name   string
		off    int64
		digits int
		b      string
		want   string
	}{
		{"a full line", 0, 8, "Hello world\n\x00\x01\x02\x03",
			"00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|"},
		{"a short line keeps the columns", 0x30, 8, "ab\x7f",
			"00000030  61 62 7f                                          |ab.|"},
		{"a line of eight ends its first group", 0x40, 8, "01234567",
			"00000040  30 31 32 33 34 35 36 37                           |01234567|"},
		{"an empty line", 0x50, 8, "",
			"00000050                                                    ||"},
		{"high bytes and controls are dots", 0, 8, "\x80\xff\x1b\t~ ",
			"00000000  80 ff 1b 09 7e 20                                 |....~ |"},
		{"offsets past 4 GiB take more digits", 0x1_0000_0010, 9, "z",
			"100000010  7a                                                |z|"},
		{"more than 16 bytes are cut", 0, 8, "0123456789abcdefXYZ",
			"00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := hexLine(c.off, c.digits, []byte(c.b)); got != c.want {
				t.Errorf("hexLine(%#x, %d, %q)\ngot  %q\nwant %q", c.off, c.digits, c.b, got, c.want)
			}
		})
	}
}

func TestHexOffsetWidth(t *testing.T) {
	for _, c := range []struct {
		size int64
		want int
	}{
		{0, 8}, {1, 8}, {1 << 30, 8}, {1 << 32, 8}, {1<<32 + 1, 9}, {1 << 40, 10}, {1<<40 + 1, 11},
	} {
		if got := hexOffsetWidth(c.size); got != c.want {
			t.Errorf("hexOffsetWidth(%d) = %d, want %d", c.size, got, c.want)
		}
	}
}

func TestSniff(t *testing.T) {
	long := func(s string) []byte { return []byte(strings.Repeat("x", sniffLen-1) + s) }
	for _, c := range []struct {
		name  string
		b     []byte
		whole bool
		want  contentKind
	}{
		{"an empty file is text", nil, true, kindText},
		{"ASCII is text", []byte("hello\tworld\r\n"), true, kindText},
		{"UTF-8 is text", []byte("naïve café — ok 𝄞\n"), true, kindText},
		{"a NUL is binary", []byte("hello\x00world"), true, kindBinary},
		{"a NUL past the sniff does not count", append(long("y"), 0), true, kindText},
		{"Latin-1 is 8-bit text", []byte("caf\xe9 cr\xe8me\n"), true, kind8bit},
		{"Windows-1252 quotes are 8-bit text", []byte("\x93quoted\x94 \x80 5\f\b\x1b\n"), true, kind8bit},
		{"a control byte with invalid UTF-8 is binary", []byte("caf\xe9\x01"), true, kindBinary},
		{"DEL with invalid UTF-8 is binary", []byte("caf\xe9\x7f"), true, kindBinary},
		{"a byte Windows-1252 leaves undefined is binary", []byte("caf\xe9 \x81"), true, kindBinary},
		{"valid UTF-8 with controls is still text", []byte("\x01\x02\x7f"), true, kindText},
		{"a rune cut by the sniff is text", long("€ more"), true, kindText},
		{"a rune cut by the end of a partial read is text", []byte("abc\xe2\x82"), false, kindText},
		{"a cut rune at the end of the whole file is 8-bit text", []byte("abc\xe2\x82"), true, kind8bit},
		{"a lone high byte ending a whole sniff is 8-bit text", long("\xa9"), true, kind8bit},
		{"compressed bytes without a NUL are binary", []byte("\x8b\x1f\xed\xbd\x03\x04\xc1"), false, kindBinary},
		{"an ELF header is binary", []byte("\x7fELF\x02\x01\x01\x00\x00"), true, kindBinary},
		{"gzip is binary", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xed\xbd"), false, kindBinary},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := sniff(c.b, c.whole); got != c.want {
				t.Errorf("sniff(%q, %v) = %d, want %d", c.b[max(len(c.b)-20, 0):], c.whole, got, c.want)
			}
		})
	}
}

func TestDecode8bit(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                    "plain",
		"caf\xe9 \xfc\xdf":         "café üß",
		"\x80\x85\x91\x92\x99\x9f": "€…‘’™Ÿ",
		"\x81\x8d":                 "\ufffd\ufffd",
	} {
		if got := decode8bit(in); got != want {
			t.Errorf("decode8bit(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanLineLeavesNoControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":                  "plain text",
		"tab\there\r":                 "tab    here",
		"bell\a shift\x0e esc\x1b[2J": "bell. shift. esc.[2J",
		"csi \u009b2J":                "csi .2J",
		"bad \xff utf8":               "bad . utf8",
		"wide 日本 ok":                  "wide 日本 ok",
	} {
		if got := cleanLine(in); got != want {
			t.Errorf("cleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzHexLine checks that any bytes at any offset make one line of
// printable ASCII whose columns stay in place.
func FuzzHexLine(f *testing.F) {
	f.Add(int64(0), []byte("Hello world\n\x00\x01\x02\x03"))
	f.Add(int64(1<<32+16), []byte{0xff})
	f.Add(int64(0x7fff_ffff_ffff_fff0), []byte("0123456789abcdefg"))
	f.Fuzz(func(t *testing.T, off int64, b []byte) {
		if off < 0 {
			off = -off
		}
		if off < 0 {
			return
		}
		off -= off % hexWidth
		digits := hexOffsetWidth(off + 1)
		l := hexLine(off, digits, b)
		n := min(len(b), hexWidth)
		if len(l) != digits+54+n {
			t.Fatalf("hexLine(%#x, %q) is %d bytes, want %d: %q", off, b, len(l), digits+54+n, l)
		}
		if l[digits+52] != '|' || l[len(l)-1] != '|' {
			t.Fatalf("hexLine(%#x, %q) has its text column out of place: %q", off, b, l)
		}
		for i := 0; i < len(l); i++ {
			if l[i] < 0x20 || l[i] > 0x7e {
				t.Fatalf("hexLine(%#x, %q) holds byte %#x: %q", off, b, l[i], l)
			}
		}
		text := []byte(l[digits+53 : len(l)-1])
		for i, c := range b[:n] {
			if want := c; (c < 0x20 || c > 0x7e) && text[i] != '.' || c >= 0x20 && c <= 0x7e && text[i] != want {
				t.Fatalf("hexLine(%#x, %q) shows byte %d as %q", off, b, i, text[i])
			}
		}
	})
}

// FuzzSniff checks that the detector never panics, decides only on the
// first sniffLen bytes and their cut rune, and calls clean UTF-8 text; and
// that any line of a file, read as its kind, cleans to something safe.
func FuzzSniff(f *testing.F) {
	f.Add([]byte("hello\n"), true)
	f.Add([]byte("caf\xe9\n"), true)
	f.Add([]byte("\x00\x01\x02"), false)
	f.Add([]byte("abc\xe2\x82"), false)
	f.Fuzz(func(t *testing.T, b []byte, whole bool) {
		k := sniff(b, whole)
		if k == kindBinary && utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
			t.Fatalf("sniff(%q) called clean UTF-8 binary", b)
		}
		if bytes.IndexByte(b[:min(len(b), sniffLen)], 0) >= 0 && k != kindBinary {
			t.Fatalf("sniff(%q) missed a NUL", b)
		}
		if len(b) > sniffLen+utf8.UTFMax {
			if got := sniff(b[:sniffLen+utf8.UTFMax], false); got != k {
				t.Fatalf("sniff looked past its first bytes: %d for the start, %d for all", got, k)
			}
		}
		pg := pager{kind: k}
		l := pg.textLine(string(b))
		for _, r := range l {
			if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
				t.Fatalf("textLine(%q) as kind %d holds %U: %q", b, k, r, l)
			}
		}
	})
}
