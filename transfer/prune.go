package transfer

import (
	"context"
	"errors"
	"fmt"
	"path"

	"github.com/ferryhq/ferry/protocol"
)

// startPrune removes, in the background, the source directories a finished
// move left empty, then lets checkDir finish the job; callers hold e.mu.
func (e *engine) startPrune(p *job) {
	if p.pruning {
		return
	}
	p.pruning = true
	gen := p.gen
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		err := e.withConn(e.ctx, p.srcID, func(c protocol.Client) error {
			return pruneEmpty(e.ctx, c, path.Clean(p.srcPath))
		})
		e.mu.Lock()
		defer e.mu.Unlock()
		p.pruning = false
		if e.ctx.Err() != nil || p.gen != gen {
			return // closing or retried: the next run prunes again
		}
		if err != nil {
			// The files were moved; a directory left behind is worth a
			// line in the log, not a failed job.
			e.logLocked(fmt.Sprintf("remove emptied directories of %s: %v", p.srcPath, err))
		}
		p.pruned = true
		e.checkDir(p)
	}()
}

// pruneEmpty removes the directories under root (and root itself) that hold
// nothing, deepest first. A directory with anything left in it (a file that
// was skipped or failed, a link, something new) stays, as do its parents.
// Symbolic links to directories are never followed.
func pruneEmpty(ctx context.Context, c protocol.Client, root string) error {
	_, err := prune(ctx, c, root)
	return err
}

// prune removes dir when, after its subdirectories were pruned, it is
// empty; it reports whether dir is gone.
func prune(ctx context.Context, c protocol.Client, dir string) (bool, error) {
	entries, err := c.List(ctx, dir)
	if errors.Is(err, protocol.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("list %s: %w", dir, err)
	}
	left := 0
	for _, ent := range entries {
		if ent.Name == "." || ent.Name == ".." {
			continue
		}
		if !ent.IsDir() || ent.IsLink() {
			left++
			continue
		}
		gone, err := prune(ctx, c, path.Join(dir, ent.Name))
		if err != nil {
			return false, err
		}
		if !gone {
			left++
		}
	}
	if left > 0 {
		return false, nil
	}
	if err := c.RemoveDir(ctx, dir); err != nil && !errors.Is(err, protocol.ErrNotExist) {
		return false, fmt.Errorf("remove directory %s: %w", dir, err)
	}
	return true, nil
}
