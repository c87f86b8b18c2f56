package ui

import (
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
