package ftp

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
)

// replyError turns a failure reply into a protocol error that wraps the right
// sentinel and keeps the server's words. op decides what an ambiguous 550
// means: for mkdir it usually means "exists", for rmdir "not empty", for
// everything else "no such file" unless the text says otherwise.
func replyError(op, p string, rep Reply) error {
	return protocol.NewError(op, p, replyKind(op, rep), rep.Text(), nil)
}

func replyKind(op string, rep Reply) error {
	text := strings.ToLower(rep.Message())
	switch rep.Code {
	case 421, 425, 426, 450, 451:
		return protocol.ErrTransient
	case 452, 552:
		return protocol.ErrNoSpace
	case 530, 532:
		return protocol.ErrAuth
	case 553:
		return protocol.ErrPermission
	case 500, 502, 504, 202:
		return protocol.ErrUnsupported
	case 522:
		return protocol.ErrTLS
	case 550, 521:
		return kind550(op, text)
	}
	if rep.Class() == 4 {
		return protocol.ErrTransient
	}
	if rep.Class() == 1 || rep.Class() == 2 || rep.Class() == 3 {
		return protocol.ErrProtocol // a success code where a failure is not expected
	}
	return nil
}

func kind550(op, text string) error {
	switch {
	case strings.Contains(text, "not empty"):
		return protocol.ErrNotEmpty
	case strings.Contains(text, "exists"):
		return protocol.ErrExist
	case strings.Contains(text, "no such"), strings.Contains(text, "not found"),
		strings.Contains(text, "does not exist"), strings.Contains(text, "doesn't exist"),
		strings.Contains(text, "not exist"):
		return protocol.ErrNotExist
	case strings.Contains(text, "permission"), strings.Contains(text, "denied"),
		strings.Contains(text, "not allowed"), strings.Contains(text, "forbidden"),
		strings.Contains(text, "read-only"), strings.Contains(text, "read only"):
		return protocol.ErrPermission
	}
	switch op {
	case "mkdir", "create", "chmod", "chtimes":
		return protocol.ErrPermission
	}
	return protocol.ErrNotExist
}

// netError maps a failure of the connection itself: a timeout, a reset or
// an early close can be cured by a fresh connection; a malformed reply
// cannot; a cancelled context is passed through as it is.
func netError(op, p string, err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return protocol.NewError(op, p, nil, "", err)
	}
	if errors.Is(err, proxy.ErrAuth) {
		return protocol.NewError(op, p, protocol.ErrAuth, "", err)
	}
	if errors.Is(err, errGarbage) {
		return protocol.NewError(op, p, protocol.ErrProtocol, "", err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return protocol.NewError(op, p, protocol.ErrTransient, "", errTimeout{err})
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrClosedPipe) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNREFUSED) {
		return protocol.NewError(op, p, protocol.ErrTransient, "", err)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return protocol.NewError(op, p, protocol.ErrTransient, "", err)
	}
	return protocol.NewError(op, p, nil, "", err)
}

// errTimeout words a deadline hit as "server did not answer" rather than
// Go's "i/o timeout".
type errTimeout struct{ err error }

func (e errTimeout) Error() string { return "server did not answer in time (" + e.err.Error() + ")" }
func (e errTimeout) Unwrap() error { return e.err }
