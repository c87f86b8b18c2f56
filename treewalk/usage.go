package treewalk

import (
	"context"

	"github.com/ferryhq/ferry/protocol"
)

// Usage is what a tree holds: the bytes of its files and how many files,
// directories and links it has, not counting the root itself.
type Usage struct {
	Bytes int64
	Files int64 // regular files and anything else that is neither a directory nor a link
	Dirs  int64
	Links int64
	// Errors counts directories that could not be listed; their contents
	// are missing from the totals.
	Errors int64
}

// Add counts one entry.
func (u *Usage) Add(en protocol.Entry) {
	switch {
	case en.IsLink():
		u.Links++
	case en.IsDir():
		u.Dirs++
	default:
		u.Files++
		u.Bytes += en.Size
	}
}

// Measure walks root and adds up its Usage. progress, when not nil, is
// called with the running totals every 256 entries and when a directory
// cannot be listed, from the calling goroutine.
func Measure(ctx context.Context, c protocol.Client, root string, opts Options, progress func(Usage)) (Usage, error) {
	var u Usage
	n := 0
	err := Walk(ctx, c, root, opts, func(it Item) error {
		if it.Err != nil {
			u.Errors++
			if progress != nil {
				progress(u)
			}
			return nil
		}
		u.Add(it.Entry)
		if n++; n%256 == 0 && progress != nil {
			progress(u)
		}
		return nil
	})
	return u, err
}
