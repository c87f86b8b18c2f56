package ftpd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"strings"
	"time"
)

// Directory listings over the data connection: LIST, NLST and MLSD.

// listKind selects the listing format.
type listKind int

const (
	listLong  listKind = iota // LIST: ls -l lines
	listNames                 // NLST: bare names
	listFacts                 // MLSD: RFC 3659 facts
)

// cmdABOR outside a transfer: there is nothing to abort (RFC 959: 225).
func (s *session) cmdABOR(string) error {
	s.closeData()
	return s.reply(225, "No transfer to ABOR.")
}

func (s *session) cmdLIST(arg string) error { return s.list(listArg(arg), listLong) }
func (s *session) cmdNLST(arg string) error { return s.list(listArg(arg), listNames) }
func (s *session) cmdMLSD(arg string) error { return s.list(arg, listFacts) }

// listArg drops the ls options ("-la") that many clients send with LIST.
func listArg(arg string) string {
	for strings.HasPrefix(arg, "-") {
		_, rest, _ := strings.Cut(arg, " ")
		arg = rest
	}
	return arg
}

func (s *session) list(arg string, kind listKind) error {
	if code, msg, ok := s.checkData(); !ok {
		return s.reply(code, msg)
	}
	_, rel := s.resolve(arg)
	fi, err := s.srv.root.Stat(rel)
	if err != nil {
		s.closeData()
		return s.replyErr(err)
	}
	if kind == listFacts && !fi.IsDir() {
		s.closeData()
		return s.reply(501, "MLSD needs a directory; use MLST.")
	}
	var dir *os.File
	if fi.IsDir() {
		if dir, err = s.srv.root.Open(rel); err != nil {
			s.closeData()
			return s.replyErr(err)
		}
	}
	root := s.srv.root
	var res io.Closer
	if dir != nil {
		res = dir
	}
	return s.transfer("Here comes the directory listing.", res, func(ctx context.Context, data net.Conn) result {
		w := bufio.NewWriterSize(data, 32<<10)
		var err error
		if dir == nil {
			err = writeEntry(w, root, rel, path.Base(arg), fi, kind, time.Now())
		} else {
			err = writeDir(ctx, w, root, rel, dir, fi, kind)
		}
		if err == nil {
			err = w.Flush()
		}
		if err == nil {
			err = data.Close()
		}
		if err != nil {
			var ce *copyError
			if errors.As(err, &ce) {
				return ce.result()
			}
			return result{426, "Failure writing network stream."}
		}
		return result{226, "Directory send OK."}
	})
}

// writeDir streams a directory in batches so a huge directory never sits in
// memory whole.
func writeDir(ctx context.Context, w *bufio.Writer, root *os.Root, rel string, dir *os.File, self fs.FileInfo, kind listKind) error {
	now := time.Now()
	if kind == listFacts {
		if _, err := w.WriteString(mlsxFacts(self, "cdir") + " .\r\n"); err != nil {
			return err
		}
		if parent, err := root.Stat(path.Dir(rel)); err == nil && rel != "." {
			if _, err := w.WriteString(mlsxFacts(parent, "pdir") + " ..\r\n"); err != nil {
				return err
			}
		}
	}
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		ents, err := dir.ReadDir(256)
		for _, e := range ents {
			fi, ierr := e.Info()
			if ierr != nil || !listable(e.Name()) {
				continue
			}
			if werr := writeEntry(w, root, path.Join(rel, e.Name()), e.Name(), fi, kind, now); werr != nil {
				return werr
			}
		}
		if err == io.EOF || (err == nil && len(ents) == 0) {
			return nil
		}
		if err != nil {
			return &copyError{file: true, err: err}
		}
	}
}

// writeEntry writes one listing line. fi comes from Lstat; symlinks show
// their target in LIST and what they point to in MLSD.
func writeEntry(w *bufio.Writer, root *os.Root, rel, name string, fi fs.FileInfo, kind listKind, now time.Time) error {
	var line string
	switch kind {
	case listNames:
		line = name
	case listLong:
		target := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			target, _ = root.Readlink(rel)
		}
		line = lsLine(fi, name, target, now)
	case listFacts:
		if fi.Mode()&fs.ModeSymlink != 0 {
			if st, err := root.Stat(rel); err == nil {
				fi = st
			}
		}
		line = mlsxFacts(fi, "") + " " + name
	}
	_, err := w.WriteString(line + "\r\n")
	return err
}
