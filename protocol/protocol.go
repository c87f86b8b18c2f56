// Package protocol is the contract every ferry endpoint meets: the local
// filesystem, SFTP, FTP and FTPS. It imports nothing else of ferry's, so the
// transfer engine, the UI and the CLI can treat every endpoint alike.
//
// The core interface, Client, is deliberately small. Abilities only some
// backends have (setting times, hashing, range reads, ASCII mode) are separate
// small interfaces that callers discover with a type assertion and fall back
// from, the way io/fs does with ReadDirFS and StatFS.
package protocol

import (
	"context"
	"io"
	"io/fs"
	"os"
	"time"
)

// Entry describes one file, directory or link as the endpoint reports it.
type Entry struct {
	Name    string      // base name, never a path
	Size    int64       // bytes; 0 for directories
	Mode    fs.FileMode // type bits plus permissions where the server tells them
	ModTime time.Time   // zero when unknown
	Target  string      // symlink target, when known
	// Owner and Group are the user and group as the server names them,
	// or their numeric IDs where it gives only those (SFTP servers
	// without OpenSSH's users-groups-by-id extension, and ids that server
	// cannot name); "" when the server does not say.
	Owner, Group string
	// Raw holds the listing line when the backend could not parse it; the
	// entry is shown as-is rather than dropped.
	Raw string
}

// IsDir reports whether the entry is a directory.
func (e Entry) IsDir() bool { return e.Mode.IsDir() }

// IsLink reports whether the entry is a symbolic link.
func (e Entry) IsLink() bool { return e.Mode&fs.ModeSymlink != 0 }

// Client is one session with one endpoint. Paths are slash-separated (package
// path); relative paths are relative to Home. A Client is not safe for
// concurrent transfers: FTP can run one transfer per connection, so parallel
// work uses several Clients from a pool.
type Client interface {
	// Home returns the absolute starting directory of the session.
	Home(ctx context.Context) (string, error)
	// List returns the entries of dir, without "." and "..".
	List(ctx context.Context, dir string) ([]Entry, error)
	// Stat describes p; a missing path yields an error wrapping ErrNotExist.
	Stat(ctx context.Context, p string) (Entry, error)
	// Open streams p from offset. Closing the reader before EOF aborts the
	// transfer; Close reports any error the server sent at the end.
	Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error)
	// Create writes p starting at offset (0 truncates; >0 resumes). The data
	// is only safe once Close returns nil.
	Create(ctx context.Context, p string, offset int64) (io.WriteCloser, error)
	Mkdir(ctx context.Context, p string) error     // ErrExist when it exists
	Remove(ctx context.Context, p string) error    // a file or link
	RemoveDir(ctx context.Context, p string) error // an empty directory
	Rename(ctx context.Context, from, to string) error
	Close() error
}

// Chtimeser sets a file's modification time (local, SFTP setstat, FTP MFMT).
type Chtimeser interface {
	Chtimes(ctx context.Context, p string, mtime time.Time) error
}

// Chmoder sets permission bits (local, SFTP, FTP SITE CHMOD).
type Chmoder interface {
	Chmod(ctx context.Context, p string, mode fs.FileMode) error
}

// Hasher computes a checksum on the endpoint itself, so verification need not
// read the file back (FTP HASH/XCRC, SFTP check-file, local).
type Hasher interface {
	// HashAlgorithms lists what Hash accepts, e.g. "sha256", "md5", "crc32".
	HashAlgorithms() []string
	// Hash returns the lower-case hex digest of p.
	Hash(ctx context.Context, p, algorithm string) (string, error)
}

// RangeReader opens independent reads of parts of one file, for segmented
// downloads over several connections or requests.
type RangeReader interface {
	OpenRange(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error)
}

// SizedOpener opens a file whose size the caller already knows from a
// listing, so the backend can skip asking for it (an SFTP FSTAT, an FTP
// SIZE): one round trip less per file, which is most of the cost of a tree
// of small files. size is the whole file's; a file that turns out to be
// longer is delivered up to size, one that is shorter ends early, and the
// caller's size check catches the difference.
type SizedOpener interface {
	OpenSized(ctx context.Context, p string, offset, size int64) (io.ReadCloser, error)
}

// Sizer reports a file's size in fewer round trips than Stat takes where
// the two differ: FTP without MLST answers SIZE in one, while its Stat also
// asks MDTM. The transfer engine checks every upload's size this way, so
// over a slow link a tree of small files saves a round trip per file.
type Sizer interface {
	Size(ctx context.Context, p string) (int64, error)
}

// FileSource is a reader of a local file that can hand over the file
// itself, for a FileSink.
type FileSource interface {
	File() *os.File
}

// FileSink is a writer that takes up to n bytes straight from a local
// file at its current offset, and reports how many it took (0 at EOF).
// FTP's plain data connection does, copying with as little of the Go
// runtime's per-call bookkeeping as it can (see protocol/ftp).
type FileSink interface {
	CopyFromFile(f *os.File, n int64) (int64, error)
}

// Multiplexer is a Client whose one session carries several transfers at
// once (SFTP tags every request with an ID), so a tree of small files can
// share it instead of dialing a session per transfer.
type Multiplexer interface {
	// Streams is how many transfers the engine may run on it together.
	Streams() int
}

// Symlinker creates symbolic links.
type Symlinker interface {
	Symlink(ctx context.Context, target, link string) error
}

// TransferType is FTP's representation type.
type TransferType int

const (
	TypeBinary TransferType = iota // TYPE I, bytes as they are
	TypeASCII                      // TYPE A, CRLF on the wire, local line endings on disk
)

// ModeSetter chooses the transfer type of the following Open or Create.
// Only FTP has it; every other backend is binary.
type ModeSetter interface {
	SetTransferType(t TransferType)
}

// Describer tells the user how a session is protected, for the pane header:
// "SFTP · ssh-ed25519 · aes128-gcm", "FTPS · TLS 1.3", "FTP · unencrypted".
type Describer interface {
	Security() string
	// Encrypted reports whether commands and data are protected.
	Encrypted() bool
}

// LogFunc receives the protocol conversation one line at a time (commands
// prefixed "> ", replies "< ", notes "* "). Secrets are already masked.
type LogFunc func(line string)
