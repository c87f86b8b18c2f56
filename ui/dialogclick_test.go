package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// cellOf finds text on the screen and returns the cell of its first
// character.
func cellOf(t *testing.T, a *App, text string) (x, y int) {
	t.Helper()
	for y, line := range strings.Split(screenText(a), "\n") {
		if i := strings.Index(line, text); i >= 0 {
			return ansi.StringWidth(line[:i]), y
		}
	}
	t.Fatalf("%q is not on the screen:\n%s", text, screenText(a))
	return 0, 0
}

func clickAt(t *testing.T, a *App, x, y int) {
	t.Helper()
	_, c := a.Update(tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft})
	run(t, a, c)
}

// TestDialogAnswersTakeClicks: a click on an answer of a dialog picks it,
// as its key would; a click elsewhere in or outside the dialog does
// nothing.
func TestDialogAnswersTakeClicks(t *testing.T) {
	left := t.TempDir()
	writeFiles(t, left, map[string]string{"doomed.txt": "x"})
	a := newTestApp(t, left, t.TempDir(), nil)
	p := a.panes[0]
	p.selectName("doomed.txt")
	press(t, a, "f8")
	mustContain(t, a, "[Delete]", "[Cancel]")

	x, y := cellOf(t, a, "This cannot be undone")
	clickAt(t, a, x, y) // the text: nothing happens
	clickAt(t, a, 0, 0) // outside the box: nothing happens
	if a.dialog == nil {
		t.Fatal("a click off the answers closed the dialog")
	}

	x, y = cellOf(t, a, "[Cancel]")
	clickAt(t, a, x+3, y)
	if a.dialog != nil {
		t.Fatal("clicking Cancel left the dialog open")
	}
	if _, err := os.Stat(filepath.Join(left, "doomed.txt")); err != nil {
		t.Fatal("clicking Cancel deleted the file")
	}

	press(t, a, "f8")
	x, y = cellOf(t, a, "[Delete]")
	clickAt(t, a, x+len("[Delete]")-1, y) // its last cell
	if _, err := os.Stat(filepath.Join(left, "doomed.txt")); !os.IsNotExist(err) {
		t.Fatalf("clicking Delete kept the file: %v", err)
	}
}

// TestDialogCheckBoxTakesClicks: the "for all" box of a dialog flips on a
// click on its line.
func TestDialogCheckBoxTakesClicks(t *testing.T) {
	a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
	var got []bool
	a.openDialog(&choiceDialog{
		heading:  "Target exists",
		lines:    []string{"b.txt exists."},
		choices:  []choice{{"o", "Overwrite"}, {"s", "Skip"}},
		toggle:   "apply to all",
		toggleK:  "a",
		onChoose: func(_ *App, _ int, all bool) tea.Cmd { got = append(got, all); return nil },
	})
	x, y := cellOf(t, a, "[ ] apply to all")
	clickAt(t, a, x+1, y)
	mustContain(t, a, "[x] apply to all")
	x, y = cellOf(t, a, "[Skip]")
	clickAt(t, a, x, y)
	if len(got) != 1 || !got[0] {
		t.Fatalf("chosen with all=%v, want one choice with the box ticked", got)
	}
}

// TestFormDialogsTakeClicks: the form dialogs take the mouse as FileZilla's
// do: a click focuses a field, ticks a box, picks an option; the site
// manager selects on a click and connects on a click on the selected site;
// the permissions grid toggles the bit clicked.
func TestFormDialogsTakeClicks(t *testing.T) {
	var dialed []string
	a := goldenApp(t, 120, 40, goldenSites, func(o *Options) {
		o.Queue = newQueue(t)
		o.Connect = func(_ context.Context, addr string) (Endpoint, error) {
			dialed = append(dialed, addr)
			return Endpoint{}, errors.New("not here")
		}
	})

	press(t, a, "o")
	cd := a.dialog.(*connectDialog)
	clickText(t, a, "ftpes ftps", 1)
	if cd.form.focus != fProto || cd.form.fields[fProto].value() != "ftpes" {
		t.Errorf("click on ftpes: focus %d, protocol %q", cd.form.focus, cd.form.fields[fProto].value())
	}
	x, y := cellOf(t, a, "Save as bookmark")
	clickAt(t, a, x+25, y)
	if !cd.form.fields[fSave].on || cd.form.focus != fSave {
		t.Errorf("click on the save box: on %v, focus %d", cd.form.fields[fSave].on, cd.form.focus)
	}
	clickText(t, a, "Host", 0)
	if cd.form.focus != fHost {
		t.Errorf("click on Host: focus %d", cd.form.focus)
	}
	press(t, a, "esc")

	press(t, a, "b")
	sd := a.dialog.(*sitesDialog)
	clickText(t, a, "acme-test", 0)
	if s, _ := sd.current(); s.Name != "acme-test" || len(dialed) != 0 {
		t.Fatalf("a click on acme-test selected %q and dialed %v", s.Name, dialed)
	}
	clickText(t, a, "acme-test", 0)
	if len(dialed) != 1 || !strings.Contains(dialed[0], "acme-test") {
		t.Errorf("a click on the selected site dialed %v, want acme-test", dialed)
	}
	for a.dialog != nil {
		press(t, a, "esc")
	}

	press(t, a, "P") // main.go, 0644
	pd := a.dialog.(*permDialog)
	x, y = cellOf(t, a, "owner")
	clickAt(t, a, x+10+12, y) // the third box: execute
	if got := pd.rows[0].octal.Value(); got != "744" {
		t.Errorf("after a click on owner execute the octal field says %q, want 744", got)
	}
	press(t, a, "esc")

	a.panes[0].clearMarks()
	a.panes[0].setCursor(1) // docs/
	press(t, a, "f5")
	cp := a.dialog.(*copyDialog)
	clickText(t, a, "honour .gitignore files", 0)
	if !cp.form.fields[cfGitignore].on {
		t.Error("a click on the .gitignore box did not tick it")
	}
}

// clickText clicks dx cells into text where it is on the screen.
func clickText(t *testing.T, a *App, text string, dx int) {
	t.Helper()
	x, y := cellOf(t, a, text)
	clickAt(t, a, x+dx, y)
}
