package protocol

import "errors"

// Sentinel errors. Backends wrap them with %w at their boundary and keep the
// server's own words, so callers use errors.Is and users read what the server
// said.
var (
	ErrNotExist    = errors.New("no such file or directory")
	ErrExist       = errors.New("already exists")
	ErrPermission  = errors.New("permission denied")
	ErrNotEmpty    = errors.New("directory not empty")
	ErrNoSpace     = errors.New("no space left")
	ErrAuth        = errors.New("authentication failed")
	ErrHostKey     = errors.New("host key verification failed")
	ErrTLS         = errors.New("TLS certificate verification failed")
	ErrUnsupported = errors.New("not supported by this server")
	// ErrTransient marks failures a retry on a fresh connection may cure:
	// a reset or closed connection, a timeout, FTP 421/425/426/450.
	ErrTransient = errors.New("temporary failure")
	// ErrProtocol marks a reply or listing that breaks the protocol: garbage,
	// oversized lines, a data channel that ends early.
	ErrProtocol = errors.New("protocol violation")
)

// Error is what backends return: the operation, the path and the server's
// own words, wrapping one sentinel (Kind) and optionally the cause.
type Error struct {
	Op     string // "stat", "open", "mkdir", ...
	Path   string
	Server string // the server's words, e.g. "550 No such file", may be empty
	Kind   error  // one of the sentinels above, may be nil
	Err    error  // the underlying cause, may be nil
}

func (e *Error) Error() string {
	msg := e.Op
	if e.Path != "" {
		msg += " " + e.Path
	}
	switch {
	case e.Server != "":
		msg += ": " + e.Server
	case e.Err != nil:
		msg += ": " + e.Err.Error()
	case e.Kind != nil:
		msg += ": " + e.Kind.Error()
	}
	return msg
}

// Unwrap exposes both the sentinel and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// NewError builds an *Error; a convenience for backends.
func NewError(op, path string, kind error, server string, cause error) error {
	return &Error{Op: op, Path: path, Kind: kind, Server: server, Err: cause}
}

// IsTransient reports whether a retry on a fresh connection may succeed.
func IsTransient(err error) bool { return errors.Is(err, ErrTransient) }
