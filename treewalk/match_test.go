package treewalk

import (
	"io/fs"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"512", 512, true}, {"10k", 10 << 10, true}, {"10K", 10 << 10, true},
		{"10KiB", 10 << 10, true}, {"10kb", 10 << 10, true}, {"1.5M", 3 << 19, true},
		{"2G", 2 << 30, true}, {"1T", 1 << 40, true}, {"7B", 7, true}, {" 3 ", 3, true},
		{"", 0, false}, {"k", 0, false}, {"-1", 0, false}, {"1e3", 0, false}, {"0x10", 0, false},
		{"10Q", 0, false}, {"9999999999T", 0, false}, {"NaN", 0, false}, {"Inf", 0, false},
	} {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseSize(%q): got %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseAge(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30m", 30 * time.Minute, true}, {"1h30m", 90 * time.Minute, true}, {"7d", 7 * day, true},
		{"2w", 14 * day, true}, {"2w3d12h", 17*day + 12*time.Hour, true}, {"1.5d", 36 * time.Hour, true},
		{"45s", 45 * time.Second, true},
		{"", 0, false}, {"7", 0, false}, {"d", 0, false}, {"-1h", 0, false}, {"7y", 0, false},
		{"99999999999w", 0, false}, {"1h-2m", 0, false},
	} {
		got, err := ParseAge(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseAge(%q): got %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"10k", "1.5M", "0", "-1", "1e9", "9999999999999T"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d, a negative size", s, n)
		}
	})
}

func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"7d", "1h30m", "2w3d", "-1h", "1.5.5d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseAge(s); err == nil && d < 0 {
			t.Fatalf("ParseAge(%q) = %v, a negative age", s, d)
		}
	})
}

func TestMatch(t *testing.T) {
	now := time.Now()
	file := protocol.Entry{Name: "Report.TXT", Size: 2000, Mode: 0o644, ModTime: now.Add(-time.Hour)}
	dir := protocol.Entry{Name: "reports", Mode: fs.ModeDir | 0o755, ModTime: now.Add(-48 * time.Hour)}
	link := protocol.Entry{Name: "r.txt", Mode: fs.ModeSymlink | 0o777}
	for _, tc := range []struct {
		name string
		m    Match
		en   protocol.Entry
		want bool
	}{
		{"an empty match takes anything", Match{Larger: -1}, link, true},
		{"a glob is case-sensitive", Match{Name: "*.txt", Larger: -1}, file, false},
		{"Fold ignores case", Match{Name: "*.txt", Fold: true, Larger: -1}, file, true},
		{"type f skips directories", Match{Type: 'f', Larger: -1}, dir, false},
		{"type f skips links", Match{Type: 'f', Larger: -1}, link, false},
		{"type d takes directories", Match{Type: 'd', Larger: -1}, dir, true},
		{"Since takes a newer file", Match{Since: now.Add(-2 * time.Hour), Larger: -1}, file, true},
		{"Since skips an older directory", Match{Since: now.Add(-2 * time.Hour), Larger: -1}, dir, false},
		{"Since skips an entry with no time", Match{Since: now.Add(-2 * time.Hour), Larger: -1}, link, false},
		{"Larger is strict", Match{Larger: 2000}, file, false},
		{"Larger takes a bigger file", Match{Larger: 1999}, file, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.Matches(tc.en); got != tc.want {
				t.Fatalf("%+v.Matches(%+v): got %v, want %v", tc.m, tc.en, got, tc.want)
			}
		})
	}
}
