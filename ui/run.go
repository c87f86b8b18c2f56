package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"
)

// Run shows the App until the user quits or ctx ends. Bubble Tea restores
// the terminal when a panic escapes Update or View (or a Cmd) and the panic
// comes back here as an error with its stack, printed after the terminal is
// sane again.
func Run(ctx context.Context, opts Options) error {
	return runWith(ctx, opts, nil)
}

// runWith is Run with an extra first command, for tests.
func runWith(ctx context.Context, opts Options, first func(*App) tea.Cmd) (err error) {
	if os.Getenv("NO_COLOR") != "" {
		opts.NoColor = true
	}
	a := New(opts)
	if first != nil {
		a.first = first(a)
	}
	defer a.Close()
	popts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.Input != nil {
		popts = append(popts, tea.WithInput(opts.Input))
	}
	if opts.Output != nil {
		popts = append(popts, tea.WithOutput(opts.Output))
		if f, ok := opts.Output.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
			// Nothing to measure: draw for the smallest supported window.
			popts = append(popts, tea.WithWindowSize(80, 24))
		}
	}
	if opts.NoColor {
		popts = append(popts, tea.WithColorProfile(colorprofile.Ascii))
	}
	p := tea.NewProgram(a, popts...)
	defer func() {
		// A panic outside Bubble Tea's own recovery (e.g. in Run's setup).
		if r := recover(); r != nil {
			_ = p.ReleaseTerminal()
			err = fmt.Errorf("ferry crashed: %v\n%s", r, debug.Stack())
		}
	}()
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, tea.ErrProgramPanic) {
		return fmt.Errorf("ferry crashed and restored the terminal: %w", err)
	}
	return err
}
