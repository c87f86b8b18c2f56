package cli

import "context"

func runTUI(_ context.Context, e *env, _ []string) int {
	return e.errorf(exitUsage, "the TUI is not available in this build; see ferry --help")
}
