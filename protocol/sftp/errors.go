package sftp

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/ferryhq/ferry/protocol"
	"github.com/pkg/sftp"
)

// mapErr turns a pkg/sftp or ssh error into a *protocol.Error wrapping the
// matching sentinel, keeping the server's message. It is the one place
// where SFTP errors meet ferry's vocabulary.
func mapErr(op, p string, err error) error {
	if err == nil {
		return nil
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return err
	}
	server, kind := classify(err)
	return &protocol.Error{Op: op, Path: p, Server: server, Kind: kind, Err: err}
}

// classify finds the sentinel for err and the server's words, if any.
func classify(err error) (server string, kind error) {
	var se *sftp.StatusError
	if errors.As(err, &se) {
		server = statusText(se)
		switch se.FxCode() {
		case sftp.ErrSSHFxNoSuchFile:
			return server, protocol.ErrNotExist
		case sftp.ErrSSHFxPermissionDenied:
			return server, protocol.ErrPermission
		case sftp.ErrSSHFxOpUnsupported:
			return server, protocol.ErrUnsupported
		case sftp.ErrSSHFxConnectionLost, sftp.ErrSSHFxNoConnection:
			return server, protocol.ErrTransient
		}
		return server, kindFromText(server)
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "", nil
	case errors.Is(err, fs.ErrNotExist):
		return "", protocol.ErrNotExist
	case errors.Is(err, fs.ErrPermission):
		return "", protocol.ErrPermission
	case errors.Is(err, fs.ErrExist):
		return "", protocol.ErrExist
	case errors.Is(err, syscall.ENOSPC):
		return "", protocol.ErrNoSpace
	case errors.Is(err, sftp.ErrSSHFxConnectionLost),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		// A request sent on a channel the lost connection closed meanwhile.
		errors.Is(err, io.ErrClosedPipe),
		errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return "", protocol.ErrTransient
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return "", protocol.ErrTransient
	}
	return "", kindFromText(err.Error())
}

// kindFromText reads the sentinel from a generic failure's message, since
// SFTP v3 has no status codes for "exists", "not empty" or "disk full".
func kindFromText(msg string) error {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "no space"), strings.Contains(m, "quota"), strings.Contains(m, "disk full"):
		return protocol.ErrNoSpace
	case strings.Contains(m, "not empty"):
		return protocol.ErrNotEmpty
	case strings.Contains(m, "file exists"), strings.Contains(m, "already exists"):
		return protocol.ErrExist
	case strings.Contains(m, "permission denied"), strings.Contains(m, "read-only"):
		return protocol.ErrPermission
	case strings.Contains(m, "connection lost"):
		return protocol.ErrTransient
	}
	return nil
}

// statusText extracts the message the server sent with a status: pkg/sftp
// formats it as `sftp: "Failure" (SSH_FX_FAILURE)` and keeps it unexported.
func statusText(se *sftp.StatusError) string {
	s := strings.TrimPrefix(se.Error(), "sftp: ")
	if end := strings.LastIndex(s, " ("); end > 0 {
		if msg, err := strconv.Unquote(s[:end]); err == nil && msg != "" {
			return msg
		}
	}
	return s
}
