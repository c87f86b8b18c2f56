package bookmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// RecentMax is how many recent connections are kept.
const RecentMax = 20

// Recent is one remembered connection, offered again in the connect dialog.
type Recent struct {
	// Name is the bookmark or ssh alias connected through, empty for a
	// typed URL.
	Name string `json:"name,omitempty"`
	// URL is the address without any password.
	URL string    `json:"url"`
	At  time.Time `json:"at"`
}

// Address is what to type (or pass to ResolveConnect) to connect again.
func (r Recent) Address() string {
	if r.Name != "" {
		return r.Name
	}
	return r.URL
}

// RecentFor builds the entry for a connection to ps, through bm when it
// came from a bookmark or alias. The password never enters it.
func RecentFor(ps protocol.Site, bm *Site, at time.Time) Recent {
	ps.Password = ""
	r := Recent{URL: ps.String(), At: at.UTC()}
	if bm != nil {
		r.Name = bm.Name
	}
	return r
}

// Recent lists recent connections, newest first. A missing or unreadable
// file is an empty list (with the error, for a log line): it is only a
// convenience.
func (s *Store) Recent() ([]Recent, error) {
	if s.paths.StateDir == "" {
		return nil, nil
	}
	return readRecent(s.paths.RecentFile())
}

func readRecent(path string) ([]Recent, error) {
	data, err := readFileIfExists(path)
	if err != nil || data == nil {
		return nil, err
	}
	var list []Recent
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return list, nil
}

// AddRecent puts r first in the recent list, dropping an older entry for
// the same address and anything past RecentMax.
func (s *Store) AddRecent(ctx context.Context, r Recent) error {
	if s.paths.StateDir == "" {
		return nil
	}
	path := s.paths.RecentFile()
	unlock, err := lockFile(ctx, path)
	if err != nil {
		return err
	}
	defer unlock()
	old, _ := readRecent(path) // a damaged list is replaced, not kept
	list := []Recent{r}
	for _, o := range old {
		if o.Address() != r.Address() && len(list) < RecentMax {
			list = append(list, o)
		}
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(data, '\n'))
}
