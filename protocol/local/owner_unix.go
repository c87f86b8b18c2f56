//go:build unix

package local

import (
	"io/fs"
	"os/user"
	"strconv"
	"sync"
	"syscall"
)

// names turns user and group ids into names, as ls -l shows them, once per
// id: a listing of a big directory asks the user database a handful of
// times, not once per entry. An id without a name shows as the number.
type names struct {
	mu     sync.Mutex
	users  map[uint32]string
	groups map[uint32]string
}

// owners are the owner and group of info's file.
func (n *names) owners(info fs.FileInfo) (string, string) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return "", ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.users == nil {
		n.users, n.groups = map[uint32]string{}, map[uint32]string{}
	}
	u := named(n.users, uint32(st.Uid), func(id string) (string, error) {
		x, err := user.LookupId(id)
		if err != nil {
			return "", err
		}
		return x.Username, nil
	})
	g := named(n.groups, uint32(st.Gid), func(id string) (string, error) {
		x, err := user.LookupGroupId(id)
		if err != nil {
			return "", err
		}
		return x.Name, nil
	})
	return u, g
}

// named is id's name from seen, or looked up and kept there; the number
// itself when the database has no name for it.
func named(seen map[uint32]string, id uint32, lookup func(string) (string, error)) string {
	if s, ok := seen[id]; ok {
		return s
	}
	s := strconv.FormatUint(uint64(id), 10)
	if x, err := lookup(s); err == nil {
		s = x
	}
	seen[id] = s
	return s
}
