package sftp

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// Servers that offer the check-file extension (draft-ietf-secsh-filexfer-
// extensions-00 §3; ProFTPD's mod_sftp, some commercial servers, not
// OpenSSH) hash a file themselves. pkg/sftp has no call for an arbitrary
// extended request, so the request goes out on a bulk channel (bulk.go),
// which speaks raw SFTP on the same connection.

const (
	fxpExtended      = 200
	fxpExtendedReply = 201

	fxNoSuchFile       = 2
	fxPermissionDenied = 3
	fxOpUnsupported    = 8

	// maxCheckFile bounds a check-file reply: with a block size of 0 it
	// holds one digest, 64 bytes at most, behind two short strings.
	maxCheckFile = 4 << 10
)

var _ protocol.Hasher = (*Client)(nil)

// digestSize is the length of one digest of algorithm, or 0 for a name
// ferry does not know.
func digestSize(algorithm string) int {
	switch algorithm {
	case "sha256":
		return 32
	case "sha512":
		return 64
	case "sha384":
		return 48
	case "sha224":
		return 28
	case "sha1":
		return 20
	case "md5":
		return 16
	case "crc32":
		return 4
	}
	return 0
}

// HashAlgorithms lists the digests the server's check-file extension
// offers: those named in its VERSION reply, or sha256, sha1 and md5 when
// it names none (the data may be a version number). Empty when the server
// does not offer the extension.
func (c *Client) HashAlgorithms() []string {
	data, ok := c.sc.HasExtension("check-file")
	if !ok {
		data, ok = c.sc.HasExtension("check-file-name")
	}
	if !ok {
		return nil
	}
	return checkFileAlgorithms(data)
}

func checkFileAlgorithms(data string) []string {
	var out []string
	for _, a := range strings.Split(data, ",") {
		a = strings.ToLower(strings.TrimSpace(a))
		if digestSize(a) > 0 && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return []string{"sha256", "sha1", "md5"}
	}
	return out
}

// Hash asks the server for p's digest with a check-file-name request.
func (c *Client) Hash(ctx context.Context, p, algorithm string) (string, error) {
	p = c.abs(p)
	if !slices.Contains(c.HashAlgorithms(), algorithm) {
		return "", protocol.NewError("hash", p, protocol.ErrUnsupported,
			"no "+algorithm+" check-file on this server", nil)
	}
	if err := ctx.Err(); err != nil {
		return "", mapErr("hash", p, err)
	}
	c.logOp("check-file-name "+algorithm, p)
	b, err := c.takeBulkCtx(ctx)
	if err != nil {
		return "", mapErr("hash", p, err)
	}
	// A server busy hashing a big file takes its time; only the caller's
	// context (and the keepalive, for a dead link) ends the wait.
	stop := context.AfterFunc(ctx, b.discard)
	sum, err := b.checkFile(p, algorithm)
	var se *checkFileStatus
	inSync := err == nil || errors.As(err, &se)
	if stop() && inSync {
		c.putBulk(b)
	} else {
		b.discard()
	}
	switch {
	case ctx.Err() != nil:
		return "", mapErr("hash", p, ctx.Err())
	case se != nil:
		return "", protocol.NewError("hash", p, se.kind(), se.msg, err)
	case errors.Is(err, errBulkProtocol):
		return "", protocol.NewError("hash", p, protocol.ErrProtocol, "", err)
	case err != nil:
		return "", mapErr("hash", p, err)
	}
	return hex.EncodeToString(sum), nil
}

// takeBulkCtx is takeBulk that gives up when ctx ends: opening a channel
// and its hello are round trips a stalled server could leave unanswered.
func (c *Client) takeBulkCtx(ctx context.Context) (*bulkConn, error) {
	type result struct {
		b   *bulkConn
		err error
	}
	res := make(chan result, 1)
	go func() {
		b, err := c.takeBulk()
		res <- result{b, err}
	}()
	select {
	case r := <-res:
		return r.b, r.err
	case <-ctx.Done():
		go func() {
			if r := <-res; r.b != nil {
				r.b.discard()
			}
		}()
		return nil, ctx.Err()
	}
}

// badReply is a check-file reply that breaks the protocol, in words; it
// is an errBulkProtocol, like what the bulk channel's own checks find.
type badReply string

func badReplyf(format string, args ...any) error { return badReply(fmt.Sprintf(format, args...)) }

func (e badReply) Error() string { return string(e) }
func (e badReply) Unwrap() error { return errBulkProtocol }

// checkFileStatus is a status reply to a check-file request.
type checkFileStatus struct {
	code uint32
	msg  string
}

func (s *checkFileStatus) Error() string {
	return fmt.Sprintf("check-file: status %d: %s", s.code, s.msg)
}

func (s *checkFileStatus) kind() error {
	switch s.code {
	case fxNoSuchFile:
		return protocol.ErrNotExist
	case fxPermissionDenied:
		return protocol.ErrPermission
	case fxOpUnsupported:
		return protocol.ErrUnsupported
	}
	return kindFromText(s.msg)
}

// checkFile sends a check-file-name request for the whole of p, one
// digest (block size 0), and reads the reply. An error that is not a
// *checkFileStatus leaves the channel out of step.
func (b *bulkConn) checkFile(p, algorithm string) ([]byte, error) {
	var tail [8 + 8 + 4]byte // start offset, length (0: to the end), block size
	if err := b.send(fxpExtended, b.nextID(), str([]byte("check-file-name")),
		str([]byte(p)), str([]byte(algorithm)), tail[:]); err != nil {
		return nil, err
	}
	typ, id, length, err := b.header()
	if err != nil {
		return nil, err
	}
	if id != b.id {
		return nil, badReplyf("check-file reply to request %d, want %d", id, b.id)
	}
	switch typ {
	case fxpExtendedReply:
		if length > maxCheckFile {
			return nil, badReplyf("check-file reply of %d bytes", length)
		}
		body := make([]byte, length-5)
		if _, err := io.ReadFull(b.out, body); err != nil {
			return nil, err
		}
		return parseCheckFile(body, algorithm)
	case fxpStatus:
		if length < 9 || length > maxStatus {
			return nil, badReplyf("status of %d bytes", length)
		}
		body := make([]byte, length-5)
		if _, err := io.ReadFull(b.out, body); err != nil {
			return nil, err
		}
		st := &checkFileStatus{code: binary.BigEndian.Uint32(body)}
		if msg, _, ok := takeString(body[4:]); ok {
			st.msg = string(msg)
		}
		return nil, st
	}
	return nil, badReplyf("packet type %d in reply to check-file-name", typ)
}

// parseCheckFile reads the body of an SSH_FXP_EXTENDED_REPLY (after the
// id) to a check-file request for algorithm: "check-file", the algorithm
// used, then exactly one digest.
func parseCheckFile(body []byte, algorithm string) ([]byte, error) {
	name, rest, ok := takeString(body)
	if !ok || string(name) != "check-file" {
		return nil, badReply(`check-file reply does not start with "check-file"`)
	}
	used, sum, ok := takeString(rest)
	if !ok {
		return nil, badReply("check-file reply without an algorithm")
	}
	if !strings.EqualFold(string(used), algorithm) {
		return nil, badReplyf("check-file reply in %q, asked for %s", used, algorithm)
	}
	if n := digestSize(algorithm); len(sum) != n {
		return nil, badReplyf("check-file reply with %d bytes of %s, want %d", len(sum), algorithm, n)
	}
	return bytes.Clone(sum), nil
}

// takeString splits an SSH string off the front of b.
func takeString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}
