package syncer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"

	"github.com/ferryhq/ferry/protocol"
)

// SettleSameContent reads both copies of every conflict whose two files
// have the same size and drops the conflicts whose contents are equal: two
// trees made separately (a copy that did not keep times, a first sync of
// directories already alike) are then simply the same, not a pile of
// conflict copies. A side's files are read through a and b, one file at a
// time. It returns how many conflicts it settled.
func (p *Plan) SettleSameContent(ctx context.Context, a, b protocol.Client, rootA, rootB string) (int, error) {
	kept := p.Items[:0]
	settled := 0
	for _, it := range p.Items {
		if it.Action == Conflict && it.A.Size == it.B.Size {
			same, err := sameContent(ctx, a, path.Join(rootA, it.Path), b, path.Join(rootB, it.Path))
			if err != nil {
				return settled, fmt.Errorf("compare %s: %w", it.Path, err)
			}
			if same {
				settled++
				continue
			}
		}
		kept = append(kept, it)
	}
	p.Items = kept
	return settled, nil
}

// sameContent compares two files block by block, stopping at the first
// difference.
func sameContent(ctx context.Context, a protocol.Client, pa string, b protocol.Client, pb string) (bool, error) {
	ra, err := a.Open(ctx, pa, 0)
	if err != nil {
		return false, err
	}
	defer ra.Close()
	rb, err := b.Open(ctx, pb, 0)
	if err != nil {
		return false, err
	}
	defer rb.Close()
	bufA, bufB := make([]byte, 128<<10), make([]byte, 128<<10)
	for {
		na, errA := io.ReadFull(ra, bufA)
		nb, errB := io.ReadFull(rb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		endA := errA == io.EOF || errA == io.ErrUnexpectedEOF
		endB := errB == io.EOF || errB == io.ErrUnexpectedEOF
		switch {
		case errA != nil && !endA:
			return false, errA
		case errB != nil && !endB:
			return false, errB
		case endA || endB:
			return endA == endB, nil
		}
	}
}
