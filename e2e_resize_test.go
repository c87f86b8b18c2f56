package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// framesWhole says what is wrong with a screen of w×h cells, or "": every
// line fits, and each pane's frame has its corners and both sides on every
// row between them. Under 80 columns one pane shows, full width.
func framesWhole(screen string, w, h int) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	if len(lines) != h {
		return fmt.Sprintf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			return fmt.Sprintf("line %d is %d cells wide", i, n)
		}
	}
	edges := [][2]int{{0, w - 1}}
	if w >= 80 {
		edges = [][2]int{{0, w/2 - 1}, {w / 2, w - 1}}
	}
	cell := func(y, x int) string {
		r := []rune(lines[y])
		if x >= len(r) {
			return ""
		}
		return string(r[x])
	}
	bottom := -1
	for y := range lines {
		if cell(y, 0) == "╰" {
			bottom = y
			break
		}
	}
	if bottom < 2 {
		return "no bottom border"
	}
	for _, e := range edges {
		if cell(0, e[0]) != "╭" || cell(0, e[1]) != "╮" {
			return fmt.Sprintf("top corners at %d and %d are %q and %q", e[0], e[1], cell(0, e[0]), cell(0, e[1]))
		}
		if cell(bottom, e[0]) != "╰" || cell(bottom, e[1]) != "╯" {
			return fmt.Sprintf("bottom corners at %d and %d are %q and %q", e[0], e[1], cell(bottom, e[0]), cell(bottom, e[1]))
		}
		for y := 1; y < bottom; y++ {
			if cell(y, e[0]) != "│" || cell(y, e[1]) != "│" {
				return fmt.Sprintf("row %d lacks the sides at %d and %d", y, e[0], e[1])
			}
		}
	}
	return ""
}

func TestTmuxResizeKeepsFramesWhole(t *testing.T) {
	bin := buildFerry(t)
	home := t.TempDir()
	const w, h = 120, 30
	cmd := fmt.Sprintf("env HOME=%q TERM=xterm-256color %q --demo 2>%q; sleep 60", home, bin, filepath.Join(home, "stderr"))
	tm := newTmux(t, w, h, cmd)
	tm.waitScreen("the demo panes", func(s string) bool {
		return strings.Contains(s, "todo.txt") && strings.Contains(s, "README.txt")
	})
	for _, size := range [][2]int{{160, 40}, {100, 24}, {79, 24}, {60, 16}, {140, 20}, {200, 50}, {81, 12}, {120, 30}} {
		tm.run("resize-window", "-t", "e2e", "-x", fmt.Sprint(size[0]), "-y", fmt.Sprint(size[1]))
		var why, screen string
		deadline := time.Now().Add(10 * time.Second)
		for {
			screen = tm.screen()
			if why = framesWhole(screen, size[0], size[1]); why == "" || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if why != "" {
			t.Fatalf("at %d×%d: %s; screen:\n%s", size[0], size[1], why, screen)
		}
	}
}
