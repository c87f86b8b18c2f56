package transfer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMoveRemovesEmptiedSourceDirectories(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	writeFile(t, filepath.Join(tree, "a", "b", "deep"), []byte("deep"))
	writeFile(t, filepath.Join(tree, "a", "one"), []byte("one"))
	writeFile(t, filepath.Join(tree, "top"), []byte("top"))
	os.MkdirAll(filepath.Join(tree, "empty", "emptier"), 0o755)
	q, _ := newTestQueue(t, Options{})
	id, _ := q.Add(Spec{Src: localEP(nil), SrcPath: slash(tree), Dst: localEP(nil), DstPath: slash(filepath.Join(dir, "out")),
		Dir: true, Options: JobOptions{DeleteSource: true}})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	if _, err := os.Stat(tree); !os.IsNotExist(err) {
		t.Errorf("source tree still there after the move (%v)", err)
	}
	for _, f := range []string{"a/b/deep", "a/one", "top"} {
		if _, err := os.Stat(filepath.Join(dir, "out", f)); err != nil {
			t.Errorf("moved file: %v", err)
		}
	}
}

func TestMoveKeepsDirectoriesWithSomethingLeft(t *testing.T) {
	dir := t.TempDir()
	tree, out := filepath.Join(dir, "tree"), filepath.Join(dir, "out")
	writeFile(t, filepath.Join(tree, "keep", "same"), []byte("same"))
	writeFile(t, filepath.Join(tree, "keep", "sub", "x"), []byte("x"))
	writeFile(t, filepath.Join(tree, "gone", "y"), []byte("y"))
	// The target already has "same": the skip policy keeps it, so the
	// source file stays and so must its directories.
	writeFile(t, filepath.Join(out, "keep", "same"), []byte("other"))
	q, _ := newTestQueue(t, Options{Conflict: PolicySkip})
	id, _ := q.Add(Spec{Src: localEP(nil), SrcPath: slash(tree), Dst: localEP(nil), DstPath: slash(out),
		Dir: true, Options: JobOptions{DeleteSource: true}})
	waitDone(t, q)
	if ji := jobState(t, q, id); ji.State != StateDone {
		t.Fatalf("state %s: %v", ji.State, ji.Err)
	}
	if _, err := os.Stat(filepath.Join(tree, "keep", "same")); err != nil {
		t.Errorf("skipped source file: %v", err)
	}
	for _, gone := range []string{"gone", "keep/sub"} {
		if _, err := os.Stat(filepath.Join(tree, gone)); !os.IsNotExist(err) {
			t.Errorf("emptied %s still there (%v)", gone, err)
		}
	}
}
