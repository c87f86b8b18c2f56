package protocol

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
)

// Checksum is a file's digest and how it was found.
type Checksum struct {
	Algorithm string // "sha256", "md5", "crc32"…
	Sum       string // lower-case hex
	Server    bool   // computed by the server (Hasher), not read back
}

// Sum computes p's checksum, on the server when c is a Hasher that offers
// sha256, sha1, md5 or crc32 (the first it has), else by reading p through
// sha256. progress, when not nil, is called with the bytes read so far
// while reading; a server-side hash has no progress to tell.
func Sum(ctx context.Context, c Client, p string, progress func(done int64)) (Checksum, error) {
	if h, ok := c.(Hasher); ok {
		for _, algo := range []string{"sha256", "sha1", "md5", "crc32"} {
			if !slices.Contains(h.HashAlgorithms(), algo) {
				continue
			}
			sum, err := h.Hash(ctx, p, algo)
			if err == nil {
				return Checksum{Algorithm: algo, Sum: sum, Server: true}, nil
			}
			if ctx.Err() != nil {
				return Checksum{}, err
			}
			break // a server that offers a hash and fails it: read instead
		}
	}
	r, err := c.Open(ctx, p, 0)
	if err != nil {
		return Checksum{}, err
	}
	hs := sha256.New()
	buf := make([]byte, 256<<10)
	var done int64
	for {
		n, err := r.Read(buf)
		hs.Write(buf[:n])
		done += int64(n)
		if n > 0 && progress != nil {
			progress(done)
		}
		if err == io.EOF {
			break
		}
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			r.Close()
			return Checksum{}, err
		}
	}
	if err := r.Close(); err != nil {
		return Checksum{}, err
	}
	return Checksum{Algorithm: "sha256", Sum: hex.EncodeToString(hs.Sum(nil))}, nil
}
