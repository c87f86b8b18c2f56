package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/transfer"
)

func TestQuietPrintsOnlyErrors(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src := filepath.Join(dir, "src")
	tree(t, src, 5)
	if code, out, errs := run(t, env, "cp", "-r", "--quiet", src, filepath.Join(dir, "out")); code != 0 || out != "" || errs != "" {
		t.Fatalf("quiet copy: exit %d, stdout %q, stderr %q; want exit 0 and no output", code, out, errs)
	}
	// A name the walk refuses is an error: it still reaches stderr.
	mustWrite(t, filepath.Join(src, "bad\x01name"), []byte("x"))
	code, out, errs := run(t, env, "cp", "-r", "-q", src, filepath.Join(dir, "out2"))
	if code != exitFailed || out != "" || !strings.Contains(errs, "refused") {
		t.Fatalf("quiet copy with a refused name: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

func TestPlainOutputIsOneLinePerFile(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src := filepath.Join(dir, "src")
	rels := tree(t, src, 6)
	code, out, errs := run(t, env, "cp", "-r", src, filepath.Join(dir, "out"))
	if code != 0 {
		t.Fatalf("copy: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(rels)+1 {
		t.Fatalf("%d lines, want one per file and a summary:\n%s", len(lines), out)
	}
	for _, l := range lines[:len(rels)] {
		if !strings.HasPrefix(l, "done ") || !strings.Contains(l, " -> ") || strings.ContainsRune(l, '\x1b') {
			t.Errorf("not a plain per-file line: %q", l)
		}
	}
	if !strings.HasPrefix(lines[len(rels)], "12 of 12 files copied") {
		t.Errorf("summary %q", lines[len(rels)])
	}
}

func TestMirrorDeletesNothingAfterAFailure(t *testing.T) {
	dir := t.TempDir()
	env := stateEnv(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	tree(t, src, 7)
	mustWrite(t, filepath.Join(src, "bad\x02name"), []byte("x")) // refused: one file fails
	mustWrite(t, filepath.Join(dst, "extra.txt"), []byte("extra"))
	code, _, errs := run(t, env, "mirror", "--delete", src, dst)
	if code != exitFailed || !strings.Contains(errs, "not deleting extras") {
		t.Fatalf("mirror --delete with a failed file: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dst, "extra.txt")); err != nil {
		t.Errorf("an extra was deleted although a copy failed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "sub", "deeper", "file3.bin")); err != nil {
		t.Errorf("the good files were not copied: %v", err)
	}
}

func TestSummaryRateLeavesOutResumedPrefix(t *testing.T) {
	var out strings.Builder
	p := &progressView{out: &out, errw: &out, active: map[transfer.JobID]transfer.JobInfo{}, start: time.Now().Add(-10 * time.Second), done: 1}
	// 900 MiB were in the part already; this run moved the last 100 MiB.
	p.finish([]transfer.JobInfo{{Files: 1, FilesDone: 1, State: transfer.StateDone, Size: 1000 << 20, Bytes: 1000 << 20, Moved: 100 << 20}})
	m := regexp.MustCompile(`\(([0-9.]+) MiB/s\)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no rate in MiB/s in the summary %q", out.String())
	}
	if r, _ := strconv.ParseFloat(m[1], 64); r < 5 || r > 11 {
		t.Errorf("summary %q: rate %s MiB/s, want about 10 (100 MiB moved in 10 s)", out.String(), m[1])
	}
	if !strings.Contains(out.String(), "900.0 MiB of it resumed") {
		t.Errorf("summary %q does not say how much was resumed", out.String())
	}
}
