package transfer

import (
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// longName is a name of exactly n bytes made of repeated unit (cut to a
// whole number of units, padded with ASCII).
func longName(unit string, n int) string {
	s := strings.Repeat(unit, n/len(unit))
	return s + strings.Repeat("x", n-len(s))
}

// checkPartName fails unless part is a fitting part name for target.
func checkPartName(t *testing.T, target, part string) {
	t.Helper()
	base := path.Base(part)
	if path.Dir(part) != path.Dir(target) {
		t.Errorf("part %q is not beside %q", part, target)
	}
	if len(base)+len(segsSuffix) > nameMax {
		t.Errorf("part %q is %d bytes; with %s it passes %d", base, len(base), segsSuffix, nameMax)
	}
	if !strings.HasSuffix(base, partSuffix) || !IsPartName(base) || !IsPartName(base+segsSuffix) {
		t.Errorf("part %q is not recognised as a part", base)
	}
	if utf8.ValidString(target) && !utf8.ValidString(part) {
		t.Errorf("part %q of a UTF-8 name is not UTF-8", part)
	}
	if partName(target) != part {
		t.Errorf("partName(%q) is not stable", target)
	}
}

func TestPartNameFits(t *testing.T) {
	for _, tc := range []struct {
		name, base string
		same       bool // the part is base + partSuffix
	}{
		{"a short name", "notes.txt", true},
		{"the longest name kept whole", longName("a", nameMax-len(partSuffix)-len(segsSuffix)), true},
		{"one byte more", longName("a", nameMax-len(partSuffix)-len(segsSuffix)+1), false},
		{"255 ASCII bytes", longName("a", 251) + ".txt", false},
		{"255 bytes of two-byte runes", longName("é", 255), false},
		{"255 bytes of three-byte runes", longName("日本", 255), false},
		{"255 bytes of four-byte runes", longName("😀", 255), false},
		{"a long extension is not kept", longName("b", 200) + "." + longName("e", 54), false},
		{"a dot file", "." + longName("c", 254), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := "/srv/dir/" + tc.base
			part := partName(target)
			checkPartName(t, target, part)
			if got := part == target+partSuffix; got != tc.same {
				t.Errorf("part %q: kept whole %v, want %v", part, got, tc.same)
			}
			if ext := path.Ext(tc.base); !tc.same && len(ext) <= 16 && ext != tc.base &&
				!strings.HasSuffix(part, ext+partSuffix) {
				t.Errorf("part %q lost the extension %q", part, ext)
			}
		})
	}
	a, b := longName("a", 254)+"1", longName("a", 254)+"2"
	if partName(a) == partName(b) {
		t.Errorf("two long names that differ at the end share the part %q", partName(a))
	}
}

func FuzzPartName(f *testing.F) {
	for _, s := range []string{"a", "dir/notes.txt", longName("é", 255), longName("a", 300), "x/" + longName("😀", 260) + ".tar.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if strings.HasSuffix(target, "/") || path.Base(target) == "/" {
			return
		}
		checkPartName(t, target, partName(target))
	})
}

// TestLongNamesCopyAndResume copies files whose names take all 255 bytes,
// in ASCII and in multi-byte UTF-8, and resumes each from a part left by
// an earlier run: the part must fit on the disk and be found again.
func TestLongNamesCopyAndResume(t *testing.T) {
	data := randBytes(rand.New(rand.NewPCG(31, 31)), 200_000)
	for _, name := range []string{longName("n", 251) + ".bin", longName("ü", 255), longName("文件", 255)} {
		t.Run(name[:6], func(t *testing.T) {
			for _, resume := range []bool{false, true} {
				dir := t.TempDir()
				os.Mkdir(filepath.Join(dir, "in"), 0o755)
				os.Mkdir(filepath.Join(dir, "out"), 0o755)
				src, dst := filepath.Join(dir, "in", name), filepath.Join(dir, "out", name)
				writeFile(t, src, data)
				want := int64(0)
				if resume {
					writeFile(t, filepath.FromSlash(partName(slash(dst))), data[:80_000])
					old := time.Now().Add(-time.Hour)
					os.Chtimes(src, old, old)
					want = 80_000
				}
				var o opens
				q, _ := newTestQueue(t, Options{})
				id, _ := q.Add(Spec{Src: offsetSource(&o), SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst)})
				waitDone(t, q)
				if ji := jobState(t, q, id); ji.State != StateDone {
					t.Fatalf("resume %v: state %s: %v", resume, ji.State, ji.Err)
				}
				sameContent(t, src, dst)
				noParts(t, dir)
				if got := o.list(); len(got) != 1 || got[0] != want {
					t.Errorf("resume %v: source opened at %v, want %d", resume, got, want)
				}
			}
		})
	}
}

// TestLongNameSegmentedDownload keeps the segment record of a long name's
// part beside it while the ranges are written, and removes both after.
func TestLongNameSegmentedDownload(t *testing.T) {
	data := randBytes(rand.New(rand.NewPCG(32, 32)), 600_000)
	dir := t.TempDir()
	name := longName("ß", 255)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, name)
	writeFile(t, src, data)
	var o opens
	q, _ := newTestQueue(t, Options{})
	q.e.minSegment = 16 << 10
	id, _ := q.Add(Spec{Src: offsetSource(&o), SrcPath: slash(src), Dst: localEP(nil), DstPath: slash(dst), Options: JobOptions{Segments: 3}})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	sameContent(t, src, dst)
	noParts(t, dir)
	if got := o.list(); len(got) < 2 {
		t.Errorf("source opened at %v, want one open per segment", got)
	}
}
