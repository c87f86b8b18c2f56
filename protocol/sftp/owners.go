package sftp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ferryhq/ferry/protocol"
)

// SFTP version 3 attributes carry numeric user and group ids; the names
// are only in a listing's longname, whose format no server promises and
// which pkg/sftp drops anyway. OpenSSH 9.1 and later answer the
// users-groups-by-id@openssh.com extension (PROTOCOL §4.12) with the names
// for a list of ids, so ferry asks that where the server offers it. The
// names are kept for the whole session: ids are few (a handful of users
// own almost every file on a server), so each is asked once and a listing
// after the first costs no round trip. Like check-file, the request goes
// out on a bulk channel (bulk.go), as pkg/sftp has no call for it.
//
// Names are a nicety: whatever goes wrong (an error status, a reply that
// breaks the protocol, no reply in time) leaves the numeric ids, for the
// rest of the session, and is logged once; a listing never fails for it.

const (
	extUsersGroups = "users-groups-by-id@openssh.com"

	// maxOwnerIDs is how many ids, users and groups together, one request
	// asks: a listing with more (a directory of home directories) asks in
	// several, so that neither request nor reply comes near the packet
	// limits of a server (OpenSSH's sftp-server takes 256 KiB).
	maxOwnerIDs = 512
	// maxOwnerName bounds one name in a reply. Local accounts have at most
	// 32 bytes; directory services ("someone@corp.example.com") more, but
	// nothing near this. A reply whose names are longer breaks the
	// protocol as ferry reads it.
	maxOwnerName = 256
	// maxOwnerCache bounds the ids a session remembers; past it, ids not
	// yet known stay numeric instead of the cache growing without end on
	// a server with countless accounts.
	maxOwnerCache = 1 << 16
	// ownersWait is how long a listing waits for names before it shows
	// numeric ids, and the session stops asking. Asking opens a channel
	// the first time (a few round trips), then takes one round trip; a
	// server that answered the listing but not this in so long is not
	// going to.
	ownersWait = 5 * time.Second
)

// owners is a session's id → name cache and the state of the extension.
// Listings that share a session (protocol.Multiplexer) use it at once.
type owners struct {
	once sync.Once
	on   atomic.Bool   // the server offers the extension and it has not failed
	ask  chan struct{} // held while a request is out, so an id is asked once
	wait time.Duration // ownersWait; tests shorten it
	// warm is closed once the channel opened for the first request while
	// the first listing was under way is ready (or failed); nil when no
	// listing started one.
	warmOnce sync.Once
	warm     chan struct{}

	mu     sync.Mutex
	users  map[uint32]string // "" for an id the server could not name
	groups map[uint32]string
}

// ownersState sets the cache up on first use, when the session is up and
// the server's VERSION reply (its extensions) known.
func (c *Client) ownersState() *owners {
	o := &c.owners
	o.once.Do(func() {
		_, ok := c.sc.HasExtension(extUsersGroups)
		o.on.Store(ok)
		o.ask = make(chan struct{}, 1)
		o.users, o.groups = map[uint32]string{}, map[uint32]string{}
		if o.wait == 0 {
			o.wait = ownersWait
		}
	})
	return o
}

// warmOwners opens the bulk channel the first request will go out on
// while the session's first listing is under way, so that naming its
// owners costs the listing one round trip, not the three more of opening
// a channel and saying hello (80 ms at a 20 ms round trip).
func (c *Client) warmOwners() {
	o := c.ownersState()
	if !o.on.Load() {
		return
	}
	o.warmOnce.Do(func() {
		o.warm = make(chan struct{})
		go func() {
			defer close(o.warm)
			if b, err := c.takeBulk(); err == nil {
				c.putBulk(b)
			}
		}()
	})
}

// warmed is the warm-up's channel, nil when no listing started one; a
// warm-up that has not started by now never will.
func (o *owners) warmed() chan struct{} {
	o.warmOnce.Do(func() {})
	return o.warm
}

// nameOwners replaces the numeric Owner and Group of es (as entry sets
// them) with the names the server gives, asking it for the ids this
// session has not seen yet. Ids it cannot name stay numeric.
func (c *Client) nameOwners(ctx context.Context, es []protocol.Entry) {
	o := c.ownersState()
	if !o.on.Load() {
		return
	}
	if uids, gids := o.missing(es); len(uids)+len(gids) > 0 {
		select {
		case o.ask <- struct{}{}:
		case <-ctx.Done():
			return
		}
		// Another listing may have asked for some of them meanwhile.
		uids, gids = o.missing(es)
		for len(uids)+len(gids) > 0 && o.on.Load() {
			nu := min(len(uids), maxOwnerIDs)
			ng := min(len(gids), maxOwnerIDs-nu)
			if !c.askOwners(ctx, uids[:nu], gids[:ng]) {
				break
			}
			uids, gids = uids[nu:], gids[ng:]
		}
		<-o.ask
	}
	o.apply(es)
}

// missing lists the ids of es that the cache has no answer for, each
// once, within the cache's bound.
func (o *owners) missing(es []protocol.Entry) (uids, gids []uint32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	room := maxOwnerCache - len(o.users) - len(o.groups)
	seenU, seenG := map[uint32]bool{}, map[uint32]bool{}
	for _, e := range es {
		if id, ok := numericID(e.Owner); ok && !seenU[id] && len(uids)+len(gids) < room {
			if _, known := o.users[id]; !known {
				seenU[id] = true
				uids = append(uids, id)
			}
		}
		if id, ok := numericID(e.Group); ok && !seenG[id] && len(uids)+len(gids) < room {
			if _, known := o.groups[id]; !known {
				seenG[id] = true
				gids = append(gids, id)
			}
		}
	}
	return uids, gids
}

// apply puts the cached names into es.
func (o *owners) apply(es []protocol.Entry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range es {
		e := &es[i]
		if id, ok := numericID(e.Owner); ok && o.users[id] != "" {
			e.Owner = o.users[id]
		}
		if id, ok := numericID(e.Group); ok && o.groups[id] != "" {
			e.Group = o.groups[id]
		}
	}
}

// numericID reads an id as entry writes it: decimal, nothing else.
func numericID(s string) (uint32, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

// askOwners sends one request and caches its answer. It reports whether
// the session may go on asking: false when the caller gave up (the ids
// stay unasked) or when the extension failed, which turns it off.
func (c *Client) askOwners(ctx context.Context, uids, gids []uint32) bool {
	o := &c.owners
	c.cfg.logf(fmt.Sprintf("> %s %d users, %d groups", extUsersGroups, len(uids), len(gids)))
	wctx, cancel := context.WithTimeout(ctx, o.wait)
	defer cancel()
	users, groups, err := c.usersGroups(wctx, uids, gids)
	if err != nil {
		if ctx.Err() != nil {
			return false // the listing was called off: not the server's doing
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no reply within %s", o.wait)
		}
		if o.on.CompareAndSwap(true, false) {
			c.cfg.logf("* owner and group names are off, numeric ids instead: " + err.Error())
		}
		return false
	}
	o.mu.Lock()
	for i, id := range uids {
		o.users[id] = users[i]
	}
	for i, id := range gids {
		o.groups[id] = groups[i]
	}
	o.mu.Unlock()
	return true
}

// usersGroups asks on a bulk channel, which it keeps for later use when
// the exchange left it in step.
func (c *Client) usersGroups(ctx context.Context, uids, gids []uint32) (users, groups []string, err error) {
	if warm := c.owners.warmed(); warm != nil {
		select {
		case <-warm:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
	b, err := c.takeBulkCtx(ctx)
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, b.discard)
	users, groups, err = b.usersGroups(uids, gids)
	var se *extStatus
	inSync := err == nil || errors.As(err, &se)
	if stop() && inSync {
		c.putBulk(b)
	} else {
		b.discard()
	}
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	return users, groups, err
}

// extStatus is a status reply to an extended request.
type extStatus struct {
	name string
	code uint32
	msg  string
}

func (s *extStatus) Error() string {
	return fmt.Sprintf("%s: status %d: %s", s.name, s.code, s.msg)
}

// ownersReplyMax is the longest reply to a request for n ids: the id,
// two list lengths and n names of at most maxOwnerName bytes.
func ownersReplyMax(n int) uint32 { return uint32(5 + 4 + 4 + n*(4+maxOwnerName)) }

// usersGroups sends one users-groups-by-id request and reads the reply:
// one name per id, "" for those the server cannot name. An error that is
// not an *extStatus leaves the channel out of step.
func (b *bulkConn) usersGroups(uids, gids []uint32) (users, groups []string, err error) {
	pack := func(ids []uint32) []byte {
		out := make([]byte, 0, 4*len(ids))
		for _, id := range ids {
			out = binary.BigEndian.AppendUint32(out, id)
		}
		return str(out)
	}
	if err := b.send(fxpExtended, b.nextID(), str([]byte(extUsersGroups)), pack(uids), pack(gids)); err != nil {
		return nil, nil, err
	}
	typ, id, length, err := b.header()
	if err != nil {
		return nil, nil, err
	}
	if id != b.id {
		return nil, nil, badReplyf("%s reply to request %d, want %d", extUsersGroups, id, b.id)
	}
	switch typ {
	case fxpExtendedReply:
		if length > ownersReplyMax(len(uids)+len(gids)) {
			return nil, nil, badReplyf("%s reply of %d bytes for %d ids", extUsersGroups, length, len(uids)+len(gids))
		}
		body := make([]byte, length-5)
		if _, err := io.ReadFull(b.out, body); err != nil {
			return nil, nil, err
		}
		return parseUsersGroups(body, len(uids), len(gids))
	case fxpStatus:
		if length < 9 || length > maxStatus {
			return nil, nil, badReplyf("status of %d bytes", length)
		}
		body := make([]byte, length-5)
		if _, err := io.ReadFull(b.out, body); err != nil {
			return nil, nil, err
		}
		st := &extStatus{name: extUsersGroups, code: binary.BigEndian.Uint32(body)}
		if msg, _, ok := takeString(body[4:]); ok {
			st.msg = strings.ToValidUTF8(string(msg[:min(len(msg), 200)]), "?")
		}
		return nil, nil, st
	}
	return nil, nil, badReplyf("packet type %d in reply to %s", typ, extUsersGroups)
}

// parseUsersGroups reads the body of an SSH_FXP_EXTENDED_REPLY (after the
// id) to a request for nu users and ng groups: two strings, each a list
// of exactly that many names. Bytes after the two lists are left alone,
// as OpenSSH's own client leaves them, for a later version to add to.
func parseUsersGroups(body []byte, nu, ng int) (users, groups []string, err error) {
	ul, rest, ok := takeString(body)
	if !ok {
		return nil, nil, badReply("users-groups-by-id reply without its user names")
	}
	gl, _, ok := takeString(rest)
	if !ok {
		return nil, nil, badReply("users-groups-by-id reply without its group names")
	}
	if users, err = parseNames(ul, nu, "user"); err != nil {
		return nil, nil, err
	}
	if groups, err = parseNames(gl, ng, "group"); err != nil {
		return nil, nil, err
	}
	return users, groups, nil
}

// parseNames splits a list of exactly n names. A name that is not
// printable UTF-8 comes back as "", as if unknown: it would only garble
// the screen and the log.
func parseNames(b []byte, n int, kind string) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		name, rest, ok := takeString(b)
		if !ok {
			return nil, badReplyf("users-groups-by-id reply with %d %s names, want %d", i, kind, n)
		}
		if len(name) > maxOwnerName {
			return nil, badReplyf("users-groups-by-id reply with a %s name of %d bytes", kind, len(name))
		}
		if s := string(name); utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 {
			out[i] = s
		}
		b = rest
	}
	if len(b) != 0 {
		return nil, badReplyf("users-groups-by-id reply with more %s names than the %d asked", kind, n)
	}
	return out, nil
}
