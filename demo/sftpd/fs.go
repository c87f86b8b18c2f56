package sftpd

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/pkg/sftp"
)

// rootFS serves SFTP requests from one directory through os.Root, which
// refuses "..", absolute symlinks and symlinks that lead outside it, so
// nothing beyond the root is reachable whatever a client asks.
// errReadOnly carries SFTP's own permission-denied code; pkg/sftp would
// send os.ErrPermission as a generic failure.
var errReadOnly = sftp.ErrSSHFxPermissionDenied

type rootFS struct {
	root     *os.Root
	readOnly bool
}

func (h *rootFS) handlers() sftp.Handlers {
	return sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h}
}

// rel turns a request path ("/a/b", always absolute and cleaned by the
// request server) into a path relative to the root.
func rel(p string) string {
	r := strings.TrimPrefix(path.Clean("/"+p), "/")
	if r == "" {
		return "."
	}
	return r
}

func (h *rootFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	f, err := h.root.Open(rel(r.Filepath))
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, errors.New("is a directory")
	}
	return f, nil
}

func (h *rootFS) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	return h.OpenFile(r)
}

func (h *rootFS) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	if h.readOnly {
		return nil, errReadOnly
	}
	pf := r.Pflags()
	var flags int
	switch {
	case pf.Read && pf.Write:
		flags = os.O_RDWR
	case pf.Write:
		flags = os.O_WRONLY
	default:
		flags = os.O_RDONLY
	}
	// O_APPEND is left out on purpose: it conflicts with WriteAt.
	if pf.Creat {
		flags |= os.O_CREATE
	}
	if pf.Trunc {
		flags |= os.O_TRUNC
	}
	if pf.Excl {
		flags |= os.O_EXCL
	}
	return h.root.OpenFile(rel(r.Filepath), flags, 0o644)
}

func (h *rootFS) Filecmd(r *sftp.Request) error {
	if h.readOnly {
		return errReadOnly
	}
	p := rel(r.Filepath)
	switch r.Method {
	case "Setstat":
		return h.setstat(p, r)
	case "Rename":
		// SFTP v3 rename never replaces an existing target.
		if _, err := h.root.Lstat(rel(r.Target)); err == nil {
			return os.ErrExist
		}
		return h.root.Rename(p, rel(r.Target))
	case "Rmdir":
		fi, err := h.root.Lstat(p)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return errors.New("not a directory")
		}
		return h.root.Remove(p)
	case "Remove":
		fi, err := h.root.Lstat(p)
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return errors.New("is a directory")
		}
		return h.root.Remove(p)
	case "Mkdir":
		return h.root.Mkdir(p, 0o755)
	case "Link":
		return h.root.Link(p, rel(r.Target))
	case "Symlink":
		// The request server hands the target in Filepath and the new
		// link in Target; the target text is stored as the client sent it.
		return h.root.Symlink(r.Filepath, rel(r.Target))
	}
	return sftp.ErrSSHFxOpUnsupported
}

// PosixRename replaces an existing target, as posix-rename@openssh.com does.
func (h *rootFS) PosixRename(r *sftp.Request) error {
	if h.readOnly {
		return errReadOnly
	}
	return h.root.Rename(rel(r.Filepath), rel(r.Target))
}

func (h *rootFS) setstat(p string, r *sftp.Request) error {
	flags := r.AttrFlags()
	attrs := r.Attributes()
	if flags.Size {
		f, err := h.root.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		err = f.Truncate(int64(attrs.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if flags.Permissions {
		if err := h.root.Chmod(p, attrs.FileMode().Perm()); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		if err := h.root.Chtimes(p, attrs.AccessTime(), attrs.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

func (h *rootFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := rel(r.Filepath)
	switch r.Method {
	case "List":
		d, err := h.root.Open(p)
		if err != nil {
			return nil, err
		}
		defer d.Close()
		ents, err := d.ReadDir(-1)
		if err != nil {
			return nil, err
		}
		infos := make([]fs.FileInfo, 0, len(ents))
		for _, e := range ents {
			fi, err := e.Info()
			if err != nil {
				continue // removed while listing
			}
			infos = append(infos, fi)
		}
		return lister(infos), nil
	case "Stat":
		fi, err := h.root.Stat(p)
		if err != nil {
			return nil, err
		}
		return lister{fi}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// Lstat describes a link itself rather than what it points to.
func (h *rootFS) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	fi, err := h.root.Lstat(rel(r.Filepath))
	if err != nil {
		return nil, err
	}
	return lister{fi}, nil
}

// Readlink returns the link text unchanged, which may name any path.
func (h *rootFS) Readlink(p string) (string, error) {
	return h.root.Readlink(rel(p))
}

type lister []fs.FileInfo

func (l lister) ListAt(dst []fs.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n < len(dst) || off+int64(n) == int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}
