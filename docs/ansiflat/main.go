// Command ansiflat rewrites a tmux capture (capture-pane -e) into the part
// of SGR that charmbracelet/freeze v0.2.2 renders, so that the README's
// screenshots show what the terminal showed.
//
//	ansiflat [-width N] [FILE]     (reads standard input without FILE)
//
// freeze's ANSI reader knows a subset of SGR and starts a fresh style at
// each sequence: a later sequence replaces what earlier ones set instead of
// adding to it, 39 and 49 are not understood (so a colour or a background
// runs on past the point where the terminal dropped it), faint, reverse and
// 40–47 are not understood at all and 100–107 get no colour. tmux writes
// only the codes that change from one cell to the next, which is exactly
// what freeze misreads. So
// ansiflat follows the whole SGR state as a terminal would and, wherever the
// state that applies to the next character differs from what freeze would
// use, writes one sequence that resets and then states everything: the
// background, the attributes and the foreground last. The text, its lines
// and all other escape sequences are copied unchanged.
//
// -width N fills out rows that tmux's capture cut short, for a screen N
// columns wide (see Flatten).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ansiflat:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("ansiflat", flag.ContinueOnError)
	width := fs.Int("width", 0, "the screen's width in columns: fill out rows whose last cell has a background")
	if err := fs.Parse(args); err != nil {
		return err
	}
	in := stdin
	switch fs.NArg() {
	case 0:
	case 1:
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	default:
		return fmt.Errorf("usage: ansiflat [-width N] [FILE]")
	}
	src, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	_, err = stdout.Write(Flatten(src, *width))
	return err
}
