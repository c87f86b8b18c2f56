package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ferryhq/ferry/filter"
)

func TestCopyDialog_FilterFromTheBookmark(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{
		"site/index.html": "<p>", "site/.git/HEAD": "ref", "site/node_modules/x.js": "js",
		"site/app.log": "log", "site/keep.log": "kept", "site/.gitignore": "*.tmp\n", "site/a.tmp": "tmp",
		"single.txt": "one",
	})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) {
		o.Queue = q
		o.Right.Exclude = []string{".git"} // the target's bookmark
	})
	p := a.panes[0]

	// A file alone is copied at once: its name says what to take.
	p.selectName("single.txt")
	press(t, a, "f5")
	if a.dialog != nil {
		t.Fatal("F5 on a file opened a dialog")
	}
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 1 })

	p.selectName("site")
	press(t, a, "f5")
	if _, ok := a.dialog.(*copyDialog); !ok {
		t.Fatalf("F5 on a directory opened %T, want the copy dialog", a.dialog)
	}
	mustContain(t, a, "Copy site/ to "+filepath.ToSlash(right), "exclude", ".git", "honour .gitignore files")

	// A bad pattern keeps the dialog open and says why.
	typeText(t, a, " a[")
	press(t, a, "enter")
	mustContain(t, a, `filter pattern "a["`)
	if a.dialog == nil {
		t.Fatal("a bad pattern closed the dialog")
	}
	press(t, a, "backspace", "backspace")
	typeText(t, a, "node_modules/ *.log !keep.log")
	press(t, a, "tab", "space", "enter")
	if a.dialog != nil {
		t.Fatal("enter did not close the dialog")
	}
	pumpQueue(t, a, q, func() bool { return a.queue.totals.Done == 2 && a.queue.totals.Active == 0 })

	var got []string
	filepath.WalkDir(filepath.Join(right, "site"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Join(right, "site"), p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(got)
	if want := []string{".gitignore", "index.html", "keep.log"}; !slices.Equal(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
	// The queued job carries the filter, so a saved queue keeps it.
	want := filter.Spec{Rules: append(filter.Exclude(".git", "node_modules/", "*.log"), filter.Include("keep.log")...), Gitignore: true}
	found := false
	for _, j := range q.Jobs() {
		if j.Dir {
			found = true
			if got := j.Options.Filter; !slices.Equal(got.Rules, want.Rules) || got.Gitignore != want.Gitignore {
				t.Errorf("the job's filter is %+v, want %+v", got, want)
			}
		}
	}
	if !found {
		t.Error("no directory job in the queue")
	}
}

func TestCopyDialog_EscQueuesNothing(t *testing.T) {
	left, right := t.TempDir(), t.TempDir()
	writeFiles(t, left, map[string]string{"d/x": "x"})
	q := newQueue(t)
	a := newTestApp(t, left, right, func(o *Options) { o.Queue = q })
	a.panes[0].selectName("d")
	press(t, a, "f5", "esc")
	if a.dialog != nil || len(q.Jobs()) != 0 {
		t.Fatalf("esc: dialog %T, %d jobs queued", a.dialog, len(q.Jobs()))
	}
}

func TestFilterField(t *testing.T) {
	tests := []struct {
		in   string
		want []filter.Rule
	}{
		{"", nil},
		{" .git  node_modules/ ", filter.Exclude(".git", "node_modules/")},
		{"*.log !keep.log", append(filter.Exclude("*.log"), filter.Include("keep.log")...)},
		{`My\ Documents !`, filter.Exclude("My Documents", "!")},
	}
	for _, tt := range tests {
		got := parseFilterField(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("parseFilterField(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if back := parseFilterField(formatFilterField(got)); !slices.Equal(back, got) {
			t.Errorf("%q does not survive formatFilterField: %+v", tt.in, back)
		}
	}
}
