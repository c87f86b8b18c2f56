package cli

import "context"

func runMirror(_ context.Context, e *env, _ []string) int {
	return e.errorf(exitUsage, "mirror is not available in this build")
}
