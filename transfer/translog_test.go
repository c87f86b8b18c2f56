package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readLines(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

// A log past its limit at start moves to .1 and a new one begins.
func TestTransferLogRotatesBigLogAtOpen(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, logFile)
	if err := os.WriteFile(name, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(name, maxLogSize); err != nil {
		t.Fatal(err)
	}
	l, err := openTransferLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.write("fresh\n")
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(name + ".1"); err != nil || st.Size() != maxLogSize {
		t.Fatalf("rotated log: %v, %v", st, err)
	}
	if got := readLines(t, name); len(got) != 1 || got[0] != "fresh" {
		t.Fatalf("new log holds %q", got)
	}
}

// A log that grows past its limit during a run rotates at a flush; the
// rotated file replaces the one before, and the lines since the last
// rotation stay in the current one.
func TestTransferLogRotatesWhileRunning(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, logFile)
	l, err := openTransferLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.limit = 100
	line := func(i int) string { return fmt.Sprintf("line-%04d", i) } // 10 bytes with "\n"
	for i := 1; i <= 25; i++ {
		l.write(line(i) + "\n")
		if i%5 == 0 {
			l.flush() // 50 bytes, then 100: a rotation at 10 and at 20
		}
	}
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	var want1, want []string
	for i := 11; i <= 20; i++ {
		want1 = append(want1, line(i))
	}
	for i := 21; i <= 25; i++ {
		want = append(want, line(i))
	}
	if got := readLines(t, name+".1"); !slices.Equal(got, want1) {
		t.Errorf("rotated log holds %q, want %q", got, want1)
	}
	if got := readLines(t, name); !slices.Equal(got, want) {
		t.Errorf("current log holds %q, want %q", got, want)
	}
}

// When another ferry rotates the log, this one follows to the new file
// instead of writing on into the rotated one.
func TestTransferLogFollowsRotationByAnother(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, logFile)
	l, err := openTransferLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	l.write("before\n")
	l.flush()
	if err := os.Rename(name, name+".1"); err != nil {
		t.Fatal(err)
	}
	l.flush() // nothing to write: no look at the file either
	l.write("after\n")
	l.flush() // notices the rename and writes to a new log
	if err := l.close(); err != nil {
		t.Fatal(err)
	}
	if got := readLines(t, name+".1"); len(got) != 1 || got[0] != "before" {
		t.Errorf("rotated log holds %q", got)
	}
	if got := readLines(t, name); len(got) != 1 || got[0] != "after" {
		t.Errorf("new log holds %q", got)
	}
}
