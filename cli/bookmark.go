package cli

import "context"

func runBookmark(_ context.Context, e *env, _ []string) int {
	return e.errorf(exitUsage, "bookmarks are not available in this build")
}
