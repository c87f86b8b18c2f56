package ftpd

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"
)

// resolve turns a client's path argument into the virtual absolute path and
// the path relative to Root that os.Root accepts. path.Clean against "/"
// removes every ".." that would climb above the root; os.Root then refuses
// symlinks that lead out.
func (s *session) resolve(arg string) (virtual, rel string) {
	p := arg
	if !strings.HasPrefix(p, "/") {
		p = path.Join(s.cwd, p)
	}
	virtual = path.Clean("/" + p)
	rel = strings.TrimPrefix(virtual, "/")
	if rel == "" {
		rel = "."
	}
	return virtual, rel
}

// fsReply chooses the reply for a failed file operation the way vsftpd and
// proftpd do: 550 for missing or forbidden, 452 for a full disk, 451 for
// anything else.
func fsReply(err error) (int, string) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 550, "No such file or directory."
	case errors.Is(err, fs.ErrPermission):
		return 550, "Permission denied."
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return 452, "Insufficient storage space."
	case errors.Is(err, fs.ErrExist):
		return 550, "File exists."
	case errors.Is(err, syscall.ENOTEMPTY):
		return 550, "Directory not empty."
	case errors.Is(err, syscall.ENOTDIR):
		return 550, "Not a directory."
	case errors.Is(err, syscall.EISDIR):
		return 550, "Is a directory."
	case isEscape(err):
		return 550, "Permission denied."
	}
	return 451, "Local error in processing."
}

// isEscape reports whether os.Root refused a path that leads outside Root
// (the error is unexported, so it is recognised by its text).
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

func (s *session) replyErr(err error) error {
	code, msg := fsReply(err)
	s.logf("file error: %v", err)
	return s.reply(code, msg)
}

// quote doubles the quotes in a path for a 257 reply (RFC 959 appendix II).
func quote(p string) string {
	return `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
}
