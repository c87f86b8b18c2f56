package perm

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var applyCases = []struct {
	mode  string
	cur   fs.FileMode
	isDir bool
	want  fs.FileMode
}{
	{"644", 0o777, false, 0o644},
	{"0755", 0o600, false, 0o755},
	{"4755", 0o644, false, 0o755 | fs.ModeSetuid},
	{"1777", 0o755, true, 0o777 | fs.ModeSticky},
	{"0", 0o777, false, 0},
	{"755", 0o755 | fs.ModeSetgid, true, 0o755 | fs.ModeSetgid}, // GNU keeps a directory's set-ID bits
	{"u+x", 0o644, false, 0o744},
	{"go-w", 0o666, false, 0o644},
	{"a=r", 0o755, false, 0o444},
	{"u=rwx,g=rx,o=", 0o640, false, 0o750},
	{"+x", 0o644, false, 0o755},
	{"-x", 0o755, false, 0o644},
	{"a+X", 0o644, false, 0o644},
	{"a+X", 0o744, false, 0o755},
	{"a+X", 0o600, true, 0o711},
	{"u=rwX,go=rX", 0o600, false, 0o644},
	{"u=rwX,go=rX", 0o700, true, 0o755},
	{"u=rwX,go=rX", 0o700, false, 0o755},
	{"g=u", 0o640, false, 0o660},
	{"o=g", 0o750, false, 0o755},
	{"go=u-w", 0o700, false, 0o755},
	{"u+r-w", 0o200, false, 0o400},
	{"u+s", 0o755, false, 0o755 | fs.ModeSetuid},
	{"g+s", 0o755, true, 0o755 | fs.ModeSetgid},
	{"+t", 0o777, true, 0o777 | fs.ModeSticky},
	{"o-t", 0o777 | fs.ModeSticky, true, 0o777},
	{"ug+w,o-rwx", 0o444, false, 0o660},
	{"=", 0o755, false, 0},
	{"u=", 0o755, false, 0o055},
	{"a-s", 0o755 | fs.ModeSetuid | fs.ModeSetgid, false, 0o755},
	{"uo+w", 0o444, false, 0o646},
}

func TestApply(t *testing.T) {
	for _, tc := range applyCases {
		m, err := Parse(tc.mode)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.mode, err)
		}
		if got := m.Apply(tc.cur, tc.isDir); got != tc.want {
			t.Errorf("%q on %04o (dir %v): got %04o, want %04o", tc.mode, Octal(tc.cur), tc.isDir, Octal(got), Octal(tc.want))
		}
	}
}

// TestApplyMatchesChmod runs the same cases through this machine's
// chmod(1) with umask 0 and compares the results.
func TestApplyMatchesChmod(t *testing.T) {
	if _, err := exec.LookPath("chmod"); err != nil {
		t.Skip("no chmod(1)")
	}
	dir := t.TempDir()
	for i, tc := range applyCases {
		p := filepath.Join(dir, "f")
		if tc.isDir {
			p = filepath.Join(dir, "d")
			os.Mkdir(p, 0o700)
		} else if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, tc.cur); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("sh", "-c", `umask 0 && chmod -- "$1" "$2"`, "sh", tc.mode, p).CombinedOutput(); err != nil {
			t.Fatalf("case %d: chmod %s: %v: %s", i, tc.mode, err, out)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & Bits; got != tc.want {
			t.Errorf("chmod(1) %q on %04o (dir %v): got %04o, the table says %04o", tc.mode, Octal(tc.cur), tc.isDir, Octal(got), Octal(tc.want))
		}
		os.Chmod(p, 0o700)
		os.RemoveAll(p)
	}
}

func TestParse_Rejects(t *testing.T) {
	for _, s := range []string{"", "8", "07777", "64a", "u", "ux", "u+q", "u+x,", ",u+x", "z+x", "u+gw", "9"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q): got no error, want one", s)
		}
	}
}

func TestCommonAndMask(t *testing.T) {
	known, value := Common([]fs.FileMode{0o644, 0o664, 0o604})
	if got := MaskString(known, value); got != "6x4" {
		t.Errorf("MaskString of 644, 664, 604: got %q, want %q", got, "6x4")
	}
	if known&0o060 != 0 || known&0o707 != 0o707 {
		t.Errorf("known bits of 644, 664, 604: got %04o, want all but group read and write", Octal(known))
	}
	k, v, err := ParseMask("7x5")
	if err != nil {
		t.Fatal(err)
	}
	c := Change{Set: v & k, Clear: k &^ v}
	for _, tc := range []struct{ cur, want fs.FileMode }{{0o644, 0o745}, {0o600, 0o705}, {0o777 | fs.ModeSetuid, 0o775 | fs.ModeSetuid}} {
		if got := c.Apply(tc.cur); got != tc.want {
			t.Errorf("7x5 on %04o: got %04o, want %04o", Octal(tc.cur), Octal(got), Octal(tc.want))
		}
	}
	for _, s := range []string{"", "77", "7777", "8xx", "7-5"} {
		if _, _, err := ParseMask(s); err == nil {
			t.Errorf("ParseMask(%q): got no error, want one", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tc := range applyCases {
		f.Add(tc.mode, uint32(Octal(tc.cur)), tc.isDir)
	}
	f.Fuzz(func(t *testing.T, s string, cur uint32, isDir bool) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		if m.String() != s {
			t.Fatalf("String of %q: got %q", s, m.String())
		}
		c := FromOctal(cur & 0o7777)
		got := m.Apply(c, isDir)
		if got&^Bits != 0 {
			t.Fatalf("%q on %04o: got %v, bits outside Bits", s, cur&0o7777, got)
		}
		if Octal(FromOctal(Octal(got))) != Octal(got) {
			t.Fatalf("octal round trip of %04o", Octal(got))
		}
		if m.IsOctal() && !isDir && got != m.Apply(0, false) {
			t.Fatalf("octal %q depends on the current mode", s)
		}
	})
}
