// Package local is the local filesystem as a protocol.Client, so the transfer
// engine and the UI treat the local side exactly like a remote one.
package local

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// Client is the local filesystem. Paths given to it are slash paths and are
// converted to the platform's form here, in one place.
type Client struct {
	home  string
	names *names
}

// New returns a local Client whose Home is the current working directory.
func New() *Client {
	wd, err := os.Getwd()
	if err != nil {
		wd = "/"
	}
	return &Client{home: filepath.ToSlash(wd), names: &names{}}
}

// NewAt returns a local Client whose Home is dir.
func NewAt(dir string) *Client {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return &Client{home: filepath.ToSlash(abs), names: &names{}}
}

func (c *Client) abs(p string) string {
	if p == "" {
		return filepath.FromSlash(c.home)
	}
	if !filepath.IsAbs(filepath.FromSlash(p)) && !isSlashAbs(p) {
		return filepath.Join(filepath.FromSlash(c.home), filepath.FromSlash(p))
	}
	return filepath.FromSlash(p)
}

func isSlashAbs(p string) bool { return len(p) > 0 && p[0] == '/' }

// Home returns the working directory the Client was made with.
func (c *Client) Home(ctx context.Context) (string, error) { return c.home, ctx.Err() }

// List returns the entries of dir; entries that vanish while listing are left
// out, since a directory may change under us.
func (c *Client) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := os.Open(c.abs(dir))
	if err != nil {
		return nil, mapErr("list", dir, err)
	}
	defer d.Close()
	var out []protocol.Entry
	for {
		des, err := d.ReadDir(256)
		for _, de := range des {
			info, ierr := de.Info()
			if ierr != nil {
				continue
			}
			out = append(out, c.entry(filepath.Join(d.Name(), de.Name()), info))
		}
		if errors.Is(err, io.EOF) || (err == nil && len(des) == 0) {
			break
		}
		if err != nil {
			return nil, mapErr("list", dir, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (c *Client) entry(full string, info fs.FileInfo) protocol.Entry {
	e := protocol.Entry{Name: info.Name(), Size: info.Size(), Mode: info.Mode(), ModTime: info.ModTime()}
	if c.names != nil {
		e.Owner, e.Group = c.names.owners(info)
	}
	if e.IsDir() {
		e.Size = 0
	}
	if e.IsLink() {
		if t, err := os.Readlink(full); err == nil {
			e.Target = filepath.ToSlash(t)
		}
	}
	return e
}

// Stat describes p without following a final symlink, like SFTP lstat.
func (c *Client) Stat(ctx context.Context, p string) (protocol.Entry, error) {
	if err := ctx.Err(); err != nil {
		return protocol.Entry{}, err
	}
	full := c.abs(p)
	info, err := os.Lstat(full)
	if err != nil {
		return protocol.Entry{}, mapErr("stat", p, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		// Report what the link points to, keeping the link bit, so a link to
		// a directory browses like a directory.
		if target, err := os.Stat(full); err == nil {
			e := c.entry(full, info)
			e.Mode = target.Mode() | fs.ModeSymlink
			e.Size = target.Size()
			if target.IsDir() {
				e.Size = 0
			}
			return e, nil
		}
	}
	return c.entry(full, info), nil
}

// Open reads p from offset.
func (c *Client) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := openFile(c.abs(p), os.O_RDONLY, 0)
	if err != nil {
		return nil, mapErr("open", p, err)
	}
	if info, err := f.Stat(); err == nil && info.IsDir() {
		f.Close()
		return nil, protocol.NewError("open", p, nil, "", errors.New("is a directory"))
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, mapErr("open", p, err)
		}
	}
	return &reader{f: f, ctx: ctx, path: p}, nil
}

// OpenRange reads length bytes of p from offset.
func (c *Client) OpenRange(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error) {
	rc, err := c.Open(ctx, p, offset)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(rc, length), rc}, nil
}

// Create writes p from offset: 0 truncates, more resumes a partial file.
func (c *Client) Create(ctx context.Context, p string, offset int64) (io.WriteCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	flags := os.O_WRONLY | os.O_CREATE
	if offset == 0 {
		flags |= os.O_TRUNC
	}
	f, err := openFile(c.abs(p), flags, 0o644)
	if err != nil {
		return nil, mapErr("create", p, err)
	}
	if offset > 0 {
		if err := f.Truncate(offset); err != nil {
			f.Close()
			return nil, mapErr("create", p, err)
		}
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, mapErr("create", p, err)
		}
	}
	return &writer{f: f, ctx: ctx, path: p}, nil
}

// Mkdir creates one directory.
func (c *Client) Mkdir(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr("mkdir", p, os.Mkdir(c.abs(p), 0o755))
}

// Remove deletes a file or link, never a directory.
func (c *Client) Remove(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	full := c.abs(p)
	if info, err := os.Lstat(full); err == nil && info.IsDir() {
		return protocol.NewError("remove", p, nil, "", errors.New("is a directory"))
	}
	return mapErr("remove", p, os.Remove(full))
}

// RemoveDir deletes an empty directory.
func (c *Client) RemoveDir(ctx context.Context, p string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	full := c.abs(p)
	info, err := os.Lstat(full)
	if err != nil {
		return mapErr("rmdir", p, err)
	}
	if !info.IsDir() {
		return protocol.NewError("rmdir", p, nil, "", errors.New("not a directory"))
	}
	return mapErr("rmdir", p, os.Remove(full))
}

// Rename moves from to to, replacing a file at to.
func (c *Client) Rename(ctx context.Context, from, to string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr("rename", from, rename(c.abs(from), c.abs(to)))
}

// Chtimes sets the modification time.
func (c *Client) Chtimes(ctx context.Context, p string, mtime time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr("chtimes", p, os.Chtimes(c.abs(p), mtime, mtime))
}

var _ protocol.Chmoder = (*Client)(nil)

// Chmod sets permission bits, set-ID and sticky bits included.
func (c *Client) Chmod(ctx context.Context, p string, mode fs.FileMode) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	mode &= fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
	return mapErr("chmod", p, os.Chmod(c.abs(p), mode))
}

// Symlink creates link pointing at target.
func (c *Client) Symlink(ctx context.Context, target, link string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return mapErr("symlink", link, os.Symlink(filepath.FromSlash(target), c.abs(link)))
}

// HashAlgorithms lists what Hash computes.
func (c *Client) HashAlgorithms() []string { return []string{"sha256", "sha1", "md5", "crc32"} }

// Hash reads p and returns its hex digest.
func (c *Client) Hash(ctx context.Context, p, algorithm string) (string, error) {
	var h hash.Hash
	switch algorithm {
	case "sha256":
		h = sha256.New()
	case "sha1":
		h = sha1.New()
	case "md5":
		h = md5.New()
	case "crc32":
		h = crc32.NewIEEE()
	default:
		return "", protocol.NewError("hash", p, protocol.ErrUnsupported, "", fmt.Errorf("algorithm %q", algorithm))
	}
	rc, err := c.Open(ctx, p, 0)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	if _, err := io.Copy(h, rc); err != nil {
		return "", mapErr("hash", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Security describes the session for the pane header.
func (c *Client) Security() string { return "local" }

// Encrypted is true: nothing crosses a network.
func (c *Client) Encrypted() bool { return true }

// Close does nothing; the local filesystem needs no session.
func (c *Client) Close() error { return nil }

// reader stops at the next read once its context is cancelled.
type reader struct {
	f    *os.File
	ctx  context.Context
	path string
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.f.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = mapErr("read", r.path, err)
	}
	return n, err
}

func (r *reader) Close() error { return r.f.Close() }

// File hands over the open file (protocol.FileSource).
func (r *reader) File() *os.File { return r.f }

type writer struct {
	f    *os.File
	ctx  context.Context
	path string
}

func (w *writer) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := w.f.Write(p)
	if err != nil {
		err = mapErr("write", w.path, err)
	}
	return n, err
}

func (w *writer) Close() error { return mapErr("close", w.path, w.f.Close()) }

// mapErr wraps an OS error in a protocol.Error with the matching sentinel.
func mapErr(op, p string, err error) error {
	if err == nil {
		return nil
	}
	var kind error
	switch {
	case errors.Is(err, syscall.ENOTEMPTY):
		kind = protocol.ErrNotEmpty
	case errors.Is(err, fs.ErrNotExist):
		kind = protocol.ErrNotExist
	case errors.Is(err, fs.ErrExist):
		kind = protocol.ErrExist
	case errors.Is(err, fs.ErrPermission):
		kind = protocol.ErrPermission
	case errors.Is(err, syscall.ENOSPC):
		kind = protocol.ErrNoSpace
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return &protocol.Error{Op: op, Path: p, Kind: kind, Err: err}
}
