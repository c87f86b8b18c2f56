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
	uid, gid := uint32(st.Uid), uint32(st.Gid)
	u, ok := n.users[uid]
	if !ok {
		u = strconv.FormatUint(uint64(uid), 10)
		if x, err := user.LookupId(u); err == nil {
			u = x.Username
		}
		n.users[uid] = u
	}
	g, ok := n.groups[gid]
	if !ok {
		g = strconv.FormatUint(uint64(gid), 10)
		if x, err := user.LookupGroupId(g); err == nil {
			g = x.Name
		}
		n.groups[gid] = g
	}
	return u, g
}
