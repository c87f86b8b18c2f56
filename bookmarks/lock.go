package bookmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockFile takes the exclusive lock beside path (path+".lock", mode 0600),
// creating path's directory (0700) first. Without a deadline on ctx it waits
// at most lockWait for another ferry that holds the lock. The caller must
// call unlock.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lockWait)
		defer cancel()
	}
	lock := flock.New(path+".lock", flock.SetPermissions(0o600))
	locked, err := lock.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !locked {
		return nil, fmt.Errorf("lock %s (is another ferry saving?): %w", path, errors.Join(err, ctx.Err()))
	}
	return func() { lock.Unlock() }, nil
}
