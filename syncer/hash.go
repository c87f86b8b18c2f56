package syncer

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sync"

	"github.com/ferryhq/ferry/protocol"
)

// hasherOf is c's Hasher and the algorithm a sync asks it for, the best
// it offers in protocol.Sum's order; nil when c computes no hash itself (a
// sync never reads a file back just to hash it).
func hasherOf(c protocol.Client) (protocol.Hasher, string) {
	h, ok := c.(protocol.Hasher)
	if !ok {
		return nil, ""
	}
	offered := h.HashAlgorithms()
	for _, a := range []string{"sha256", "sha1", "md5", "crc32"} {
		if slices.Contains(offered, a) {
			return h, a
		}
	}
	return nil, ""
}

// hashOf asks c for p's digest, as a state records it ("sha256:…"). A file
// gone since the listing, or a hash the server will not compute for it
// after all, is "" and no error: the sync then knows the file by size and
// time alone, as without hashes.
func hashOf(ctx context.Context, c protocol.Client, p string) (string, error) {
	h, algo := hasherOf(c)
	if h == nil {
		return "", nil
	}
	sum, err := h.Hash(ctx, p, algo)
	if errors.Is(err, protocol.ErrNotExist) || errors.Is(err, protocol.ErrUnsupported) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return algo + ":" + sum, nil
}

// Hashes maps paths (as in a Listing) to digests as a side's server
// computed them: "algorithm:hex", e.g. "sha256:2cf2…". Kept apart from
// the listings so that a sync without hashes carries nothing for them.
type Hashes map[string]string

// HashListing asks c for the digest of every file in l (the listing of
// root on c), several files at once where the session allows or opts.Dial
// adds sessions, as Walk does. It costs a request per file (on the local
// disk, a read of each), which is why a sync hashes only when asked
// (ferry sync --checksum). A client that is no protocol.Hasher gives nil.
func HashListing(ctx context.Context, c protocol.Client, root string, l Listing, opts WalkOptions) (Hashes, error) {
	if h, _ := hasherOf(c); h == nil {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pool, closeAll := sessions(ctx, c, opts)
	defer closeAll()
	var (
		mu      sync.Mutex
		firstEr error
		wg      sync.WaitGroup
		sums    = make(Hashes, len(l))
	)
	for rel, n := range l {
		if n.Dir {
			continue
		}
		var s protocol.Client
		select {
		case s = <-pool:
		case <-ctx.Done():
		}
		if s == nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { pool <- s }()
			sum, err := hashOf(ctx, s, path.Join(root, rel))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				if firstEr == nil {
					firstEr = err
				}
				cancel()
			case sum != "":
				sums[rel] = sum
			}
		}()
	}
	wg.Wait()
	if firstEr != nil {
		return nil, firstEr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return sums, nil
}

// hashesDiffer is true when x and y are digests by the same algorithm and
// not equal. A hash missing on either side, or digests by different
// algorithms, tell nothing.
func hashesDiffer(x, y string) bool {
	if x == "" || y == "" {
		return false
	}
	return hashAlgo(x) == hashAlgo(y) && x != y
}

func hashAlgo(h string) string {
	for i := range len(h) {
		if h[i] == ':' {
			return h[:i]
		}
	}
	return ""
}

// knownHashes is what a plan knows of one side's digests: fresh, as
// HashListing gave them, and for the files not hashed now whose size and
// time are exactly as the state recorded them, the state's (old, for side
// s): a sync without --checksum keeps what an earlier one learnt. It
// costs nothing when neither has any.
func knownHashes(fresh Hashes, l Listing, old *State, s Side) Hashes {
	if old == nil || len(old.Hashes[s]) == 0 {
		return fresh
	}
	out := make(Hashes, len(fresh)+len(old.Hashes[s]))
	for rel, h := range old.Hashes[s] {
		n, ok := l[rel]
		r, inO := old.Records[rel]
		if ok && inO && !n.Dir && !r.Dir && n.Entry == r.side(s) {
			out[rel] = h
		}
	}
	for rel, h := range fresh {
		out[rel] = h
	}
	return out
}
