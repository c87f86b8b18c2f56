package bookmarks

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// fileHeader opens every bookmarks.toml ferry writes.
const fileHeader = `# ferry bookmarks. Edit with "ferry bookmark edit", which checks the file
# before saving. Passwords and passphrases are never stored here.

`

// document is the shape of bookmarks.toml.
type document struct {
	Sites []Site `toml:"site"`
}

// FileError is a bookmarks.toml (or config.toml) that cannot be used as it
// is: a syntax error, an unknown key or an invalid value. Line and Col are
// 1-based and 0 when unknown.
type FileError struct {
	Path string
	Line int
	Col  int
	Msg  string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s: line %d, column %d: %s", e.Path, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s: line %d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Unwrap lets errors.Is(err, ErrInvalid) find every FileError.
func (e *FileError) Unwrap() error { return ErrInvalid }

// DecodeTOML decodes data into v and reports syntax errors with line and
// column, and keys v has no place for as errors rather than ignoring them.
// name labels the errors (usually the file's path).
func DecodeTOML(name string, data []byte, v any) error {
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return &FileError{Path: name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: pe.Message}
		}
		return &FileError{Path: name, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return &FileError{Path: name, Msg: "unknown key(s): " + strings.Join(keys, ", ")}
	}
	return nil
}

// parseSites reads bookmarks.toml content. On an unknown key or an invalid
// site it still returns what it could read, so the sites stay usable while
// writes are refused; on a syntax error it returns none.
func parseSites(name string, data []byte) ([]Site, error) {
	var doc document
	if err := DecodeTOML(name, data, &doc); err != nil {
		var fe *FileError
		if errors.As(err, &fe) && fe.Line > 0 {
			return nil, err
		}
		return doc.Sites, err
	}
	if err := validateSites(doc.Sites); err != nil {
		return doc.Sites, &FileError{Path: name, Msg: err.Error()}
	}
	return doc.Sites, nil
}

// ParseFile checks bookmarks.toml content as ferry would read it; `ferry
// bookmark edit` uses it before accepting an edited file.
func ParseFile(name string, data []byte) ([]Site, error) { return parseSites(name, data) }

func validateSites(sites []Site) error {
	seen := make(map[string]bool, len(sites))
	for i, s := range sites {
		if err := s.Validate(); err != nil {
			return fmt.Errorf("site #%d: %w", i+1, err)
		}
		if seen[s.Name] {
			return fmt.Errorf("%w: two sites are named %q", ErrInvalid, s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// encodeSites renders bookmarks.toml.
func encodeSites(sites []Site) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(document{Sites: sites}); err != nil {
		return nil, fmt.Errorf("encode bookmarks: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteFileAtomic replaces path with data, mode 0600: it writes a temporary
// file in the same directory, syncs it and renames it over path, so a
// reader sees the old file or the new one and never half of either. The
// directory is created with mode 0700 when missing.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it so under any umask.
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: makes the rename itself durable
		d.Close()
	}
	return nil
}

// readFileIfExists returns nil data and no error when path does not exist.
func readFileIfExists(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}
