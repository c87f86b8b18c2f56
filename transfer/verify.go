package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"

	"github.com/ferryhq/ferry/protocol"
)

// verify checks the written file: its size always, its checksum when the
// job asks (server-side hashes when both ends share one, else both files read
// back through sha256). A local file needs no stat when the copy knows
// what it wrote: size is that (-1 when unknown).
func (e *engine) verify(ctx context.Context, s *session, j *job, se protocol.Entry, written string, size int64) error {
	if size < 0 || !s.dp.ep.IsLocal() {
		var err error
		if sz, ok := s.dst.(protocol.Sizer); ok {
			size, err = sz.Size(ctx, written)
		} else {
			var we protocol.Entry
			we, err = s.dst.Stat(ctx, written)
			size = we.Size
		}
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
	}
	if size != se.Size {
		// The part holds more than the source (the source shrank, or a
		// resume went wrong): start over rather than trust it.
		e.mu.Lock()
		j.partSrcSize, j.partSrcTime, j.partSegs = -1, se.ModTime, nil
		e.mu.Unlock()
		return protocol.NewError("verify", written, protocol.ErrTransient,
			fmt.Sprintf("size %d, source has %d", size, se.Size), nil)
	}
	if !j.opts.Verify {
		return nil
	}
	a, b, algo, err := hashes(ctx, s, j.srcPath, written)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if a != b {
		e.mu.Lock()
		j.partSrcSize, j.partSrcTime, j.partSegs = -1, se.ModTime, nil
		e.mu.Unlock()
		return protocol.NewError("verify", written, protocol.ErrTransient,
			fmt.Sprintf("%s checksum differs from the source (%s, source %s)", algo, b, a), nil)
	}
	return nil
}

// hashes returns the source's and the target's digest and the algorithm.
func hashes(ctx context.Context, s *session, src, dst string) (string, string, string, error) {
	sh, ok1 := s.src.(protocol.Hasher)
	dh, ok2 := s.dst.(protocol.Hasher)
	if ok1 && ok2 {
		for _, algo := range []string{"sha256", "sha1", "md5", "crc32"} {
			if !slices.Contains(sh.HashAlgorithms(), algo) || !slices.Contains(dh.HashAlgorithms(), algo) {
				continue
			}
			a, err1 := sh.Hash(ctx, src, algo)
			b, err2 := dh.Hash(ctx, dst, algo)
			if err1 == nil && err2 == nil {
				return a, b, algo, nil
			}
			break // a server that advertises but fails: read back instead
		}
	}
	a, err := readHash(ctx, s.src, src)
	if err != nil {
		return "", "", "", err
	}
	b, err := readHash(ctx, s.dst, dst)
	if err != nil {
		return "", "", "", err
	}
	return a, b, "sha256", nil
}

func readHash(ctx context.Context, c protocol.Client, p string) (string, error) {
	r, err := c.Open(ctx, p, 0)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	if err := r.Close(); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
