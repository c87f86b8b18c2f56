package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transfer"
)

func TestMirrorDryRunAndDelete(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	rels := tree(t, src, 3)
	if code, out, errs := run(t, env, "mirror", "--dry-run", src, dst); code != 0 || !strings.Contains(out, "copy    sub/deeper/file3.bin (new") {
		t.Fatalf("dry run of an empty target: exit %d, %q, %s", code, out, errs)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("dry run created the target: %v", err)
	}
	if code, _, errs := run(t, env, "mirror", src, dst); code != 0 {
		t.Fatalf("mirror: exit %d: %s", code, errs)
	}
	for _, rel := range rels {
		mustSame(t, filepath.Join(src, rel), filepath.Join(dst, rel))
	}
	// Change one file, add extras to the target.
	changed := filepath.Join(src, "sub", "file1.bin")
	mustWrite(t, changed, []byte("changed"))
	later := time.Now().Add(time.Hour)
	os.Chtimes(changed, later, later)
	mustWrite(t, filepath.Join(dst, "stale.txt"), []byte("old"))
	mustWrite(t, filepath.Join(dst, "gone", "x"), []byte("old"))
	code, out, _ := run(t, env, "mirror", "-n", "--delete", src, dst)
	want := []string{"copy    sub/file1.bin (changed", "delete  stale.txt", "delete  gone"}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("dry run lacks %q:\n%s", w, out)
		}
	}
	if code != 0 || strings.Count(out, "\n") != len(want) {
		t.Errorf("dry run: exit %d, want exactly %d lines:\n%s", code, len(want), out)
	}
	if code, out, errs := run(t, env, "mirror", "--delete", src, dst); code != 0 || !strings.Contains(out, "1 of 12 files copied") {
		t.Fatalf("mirror --delete: exit %d, %q, %s", code, out, errs)
	}
	mustSame(t, changed, filepath.Join(dst, "sub", "file1.bin"))
	for _, p := range []string{"stale.txt", "gone"} {
		if _, err := os.Stat(filepath.Join(dst, p)); !os.IsNotExist(err) {
			t.Errorf("%s survived --delete: %v", p, err)
		}
	}
	if code, out, _ := run(t, env, "mirror", "-n", "--delete", src, dst); code != 0 || out != "" {
		t.Errorf("dry run after a mirror: exit %d, %q, want nothing to do", code, out)
	}
}

// TestMirrorFindsALongNamesPart plans and runs a mirror of a file whose
// 255-byte name needs a shortened part name: the dry run reports the part
// an earlier run left, and the mirror resumes it.
func TestMirrorFindsALongNamesPart(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	name := nameOfBytes("ø", 255)
	data := []byte(strings.Repeat("long names resume too\n", 10_000))
	mustWrite(t, filepath.Join(src, name), data)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(src, name), old, old)
	part := transfer.PartName(filepath.ToSlash(filepath.Join(dst, name)))
	mustWrite(t, filepath.FromSlash(part), data[:100_000])
	code, out, errs := run(t, env, "mirror", "-n", "--delete", src, dst)
	if code != 0 || !strings.Contains(out, "in a part to resume") || strings.Contains(out, "delete") {
		t.Fatalf("dry run: exit %d, %q, %s", code, out, errs)
	}
	if code, _, errs := run(t, env, "mirror", "--delete", src, dst); code != 0 {
		t.Fatalf("mirror: exit %d: %s", code, errs)
	}
	mustSame(t, filepath.Join(src, name), filepath.Join(dst, name))
	if _, err := os.Stat(filepath.FromSlash(part)); !os.IsNotExist(err) {
		t.Errorf("the part is still there: %v", err)
	}
}

// TestMirrorSizeOnly: with --size-only a target of the same size is left
// alone whatever its time (a server that cannot keep times would otherwise
// have everything copied again on each run); a size change still copies.
func TestMirrorSizeOnly(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	mustWrite(t, filepath.Join(src, "same.txt"), []byte("12345"))
	mustWrite(t, filepath.Join(src, "grown.txt"), []byte("123456"))
	mustWrite(t, filepath.Join(dst, "same.txt"), []byte("abcde"))
	mustWrite(t, filepath.Join(dst, "grown.txt"), []byte("abc"))
	earlier := time.Now().Add(-48 * time.Hour)
	for _, n := range []string{"same.txt", "grown.txt"} {
		os.Chtimes(filepath.Join(dst, n), earlier, earlier) // as a server that keeps no times leaves them
	}
	code, out, _ := run(t, env, "mirror", "-n", "--size-only", src, dst)
	if code != 0 || !strings.Contains(out, "copy    grown.txt (changed") || strings.Contains(out, "same.txt") {
		t.Fatalf("dry run --size-only: exit %d:\n%s", code, out)
	}
	if code, out, errs := run(t, env, "mirror", "--size-only", src, dst); code != 0 || !strings.Contains(out, "1 of 2 files copied") {
		t.Fatalf("mirror --size-only: exit %d, %q, %s", code, out, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "same.txt")); string(b) != "abcde" {
		t.Errorf("same.txt was copied over: %q", b)
	}
	mustSame(t, filepath.Join(src, "grown.txt"), filepath.Join(dst, "grown.txt"))
	// Without it, the time tells same.txt apart.
	if code, out, _ := run(t, env, "mirror", "-n", src, dst); code != 0 || !strings.Contains(out, "copy    same.txt (changed") {
		t.Errorf("dry run without --size-only: exit %d:\n%s", code, out)
	}
}
