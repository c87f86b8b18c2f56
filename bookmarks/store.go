package bookmarks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Errors a Store returns; callers test them with errors.Is.
var (
	// ErrReadOnly: bookmarks.toml could not be read cleanly, so ferry
	// refuses to overwrite it. The wrapped FileError says where and why.
	ErrReadOnly = errors.New(`bookmarks file has errors; fix it (ferry bookmark edit) before saving`)
	ErrNotFound = errors.New("no such bookmark")
	ErrExists   = errors.New("a bookmark with that name exists")
)

// lockWait bounds how long a write waits for another ferry holding the lock
// when the caller's context has no deadline of its own.
const lockWait = 10 * time.Second

// Store is the bookmarks file and the ssh config aliases beside it. It is
// safe for concurrent use; see the package documentation for how writes
// stay safe across processes.
type Store struct {
	paths Paths

	mu      sync.Mutex // guards sites and loadErr; serialises Update in-process
	sites   []Site
	loadErr error
}

// Open reads the store at p. When bookmarks.toml exists but cannot be used
// (a syntax error, an unknown key, an invalid site) Open returns the store
// AND the error: the store is usable for reading — holding whatever could
// be read, possibly nothing — and refuses writes. A missing file is an empty
// store and no error.
func Open(p Paths) (*Store, error) {
	s := &Store{paths: p}
	return s, s.Reload()
}

// Paths returns the paths the store was opened with.
func (s *Store) Paths() Paths { return s.paths }

// Path is the bookmarks file's path, for messages and `ferry bookmark edit`.
func (s *Store) Path() string { return s.paths.BookmarksFile() }

// Err is the error of the last load, nil when the file is fine.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadErr
}

// Reload reads bookmarks.toml again, e.g. after another process saved it.
func (s *Store) Reload() error {
	sites, err := s.read()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sites, s.loadErr = sites, err
	return err
}

func (s *Store) read() ([]Site, error) {
	path := s.Path()
	data, err := readFileIfExists(path)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, nil
	}
	return parseSites(path, data)
}

// Sites returns a copy of the saved bookmarks in file order.
func (s *Store) Sites() []Site {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneSites(s.sites)
}

// Get returns the bookmark named name (bookmarks only, no ssh aliases).
func (s *Store) Get(name string) (Site, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, site := range s.sites {
		if site.Name == name {
			return cloneSite(site), true
		}
	}
	return Site{}, false
}

// Lookup finds name as a bookmark, else as a concrete ssh config Host. The
// ssh config is read now, so edits to it show at once.
func (s *Store) Lookup(name string) (Site, bool) {
	if site, ok := s.Get(name); ok {
		return site, true
	}
	return s.sshAlias(name)
}

// Entry is one line of a listing: a site and whether a bookmark of the same
// name hides it (only ssh config aliases can be hidden).
type Entry struct {
	Site
	Shadowed bool
}

// Entries lists bookmarks (file order) and then ssh config aliases (config
// order), for `ferry bookmark ls` and the site manager. An unreadable ssh
// config is reported in the error while the bookmarks are still returned.
func (s *Store) Entries() ([]Entry, error) {
	sites := s.Sites()
	names := make(map[string]bool, len(sites))
	out := make([]Entry, 0, len(sites))
	for _, site := range sites {
		names[site.Name] = true
		out = append(out, Entry{Site: site})
	}
	aliases, err := s.sshAliases()
	for _, a := range aliases {
		out = append(out, Entry{Site: a, Shadowed: names[a.Name]})
	}
	return out, err
}

// Update applies fn to the bookmarks as they are on disk right now, inside
// the file lock, and saves the result atomically with mode 0600. fn gets a
// copy it may change freely; returning an error leaves the file untouched.
// The result is validated before it is written. The store's snapshot is
// refreshed on success.
//
// Update refuses (ErrReadOnly) when the file on disk has errors, even if it
// was fine when the store was opened: a broken file is never overwritten.
func (s *Store) Update(ctx context.Context, fn func(sites []Site) ([]Site, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.Path()
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()

	current, err := s.read()
	if err != nil {
		s.sites, s.loadErr = current, err
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	next, err := fn(cloneSites(current))
	if err != nil {
		return err
	}
	for i := range next {
		next[i].Source = SourceBookmark
	}
	if err := validateSites(next); err != nil {
		return err
	}
	data, err := encodeSites(next)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return err
	}
	s.sites, s.loadErr = cloneSites(next), nil
	return nil
}

// Put saves site, replacing the bookmark of the same name or adding it at
// the end.
func (s *Store) Put(ctx context.Context, site Site) error {
	return s.Update(ctx, func(sites []Site) ([]Site, error) {
		if i := indexOf(sites, site.Name); i >= 0 {
			sites[i] = site
			return sites, nil
		}
		return append(sites, site), nil
	})
}

// Add saves a new bookmark; ErrExists when the name is taken.
func (s *Store) Add(ctx context.Context, site Site) error {
	return s.Update(ctx, func(sites []Site) ([]Site, error) {
		if indexOf(sites, site.Name) >= 0 {
			return nil, fmt.Errorf("add %q: %w", site.Name, ErrExists)
		}
		return append(sites, site), nil
	})
}

// Remove deletes the bookmark named name; ErrNotFound when there is none.
// Its secrets are the caller's to delete (DeleteSecrets).
func (s *Store) Remove(ctx context.Context, name string) error {
	return s.Update(ctx, func(sites []Site) ([]Site, error) {
		i := indexOf(sites, name)
		if i < 0 {
			return nil, fmt.Errorf("remove %q: %w", name, ErrNotFound)
		}
		return slices.Delete(sites, i, i+1), nil
	})
}

// Rename renames a bookmark, keeping its place. ErrNotFound when from does
// not exist, ErrExists when to does. Its secrets are the caller's to move
// (MoveSecrets).
func (s *Store) Rename(ctx context.Context, from, to string) error {
	if err := CheckName(to); err != nil {
		return err
	}
	return s.Update(ctx, func(sites []Site) ([]Site, error) {
		i := indexOf(sites, from)
		if i < 0 {
			return nil, fmt.Errorf("rename %q: %w", from, ErrNotFound)
		}
		if from != to && indexOf(sites, to) >= 0 {
			return nil, fmt.Errorf("rename %q to %q: %w", from, to, ErrExists)
		}
		sites[i].Name = to
		return sites, nil
	})
}

func indexOf(sites []Site, name string) int {
	return slices.IndexFunc(sites, func(s Site) bool { return s.Name == name })
}

func cloneSite(s Site) Site {
	s.AuthOrder = slices.Clone(s.AuthOrder)
	s.FTP.ASCIIExtensions = slices.Clone(s.FTP.ASCIIExtensions)
	return s
}

func cloneSites(sites []Site) []Site {
	if sites == nil {
		return nil
	}
	out := make([]Site, len(sites))
	for i, s := range sites {
		out[i] = cloneSite(s)
	}
	return out
}

// ErrChanged: the file changed on disk while the user was editing it.
var ErrChanged = errors.New("bookmarks file changed on disk meanwhile")

// Replace swaps the whole file for data, as `ferry bookmark edit` does
// after the editor closes: inside the lock, the file must still hold
// exactly expect (what the editor started from; nil for no file), or
// ErrChanged; and data must parse cleanly, or the old file stays. Unlike
// Update it works on a broken file, since editing is how one is fixed.
func (s *Store) Replace(ctx context.Context, expect, data []byte) error {
	path := s.Path()
	sites, err := parseSites(path, data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	current, err := readFileIfExists(path)
	if err != nil {
		return err
	}
	if string(current) != string(expect) || (current == nil) != (expect == nil) {
		return fmt.Errorf("%s: %w", path, ErrChanged)
	}
	if err := WriteFileAtomic(path, data); err != nil {
		return err
	}
	s.sites, s.loadErr = sites, nil
	return nil
}

// Raw returns the file's bytes as they are on disk (nil when there is no
// file), for an editor.
func (s *Store) Raw() ([]byte, error) { return readFileIfExists(s.Path()) }

// Export renders sites as bookmarks.toml content, without secrets (there
// are none in a Site).
func Export(sites []Site) ([]byte, error) { return encodeSites(sites) }
