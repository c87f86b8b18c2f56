package sftp

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
)

// lines gathers log lines from several goroutines.
type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) add(s string) {
	l.mu.Lock()
	l.all = append(l.all, s)
	l.mu.Unlock()
}

// count is how many lines hold sub.
func (l *lines) count(sub string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.all {
		if strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// ownersClient serves root with the in-process server and returns a
// session whose log goes to clientLog, with the server's log in srvLog.
func ownersClient(t *testing.T, root string, opts sftpd.Options) (c *Client, clientLog, srvLog *lines) {
	t.Helper()
	clientLog, srvLog = &lines{}, &lines{}
	opts.Root = root
	opts.Users = []sftpd.User{{Name: "u", Password: "pw"}}
	opts.Log = srvLog.add
	srv := startServer(t, opts)
	cfg := baseConfig(t, srv)
	cfg.Password = "pw"
	cfg.Log = func(s string) { clientLog.add(s); t.Log(s) }
	return dial(t, siteOf(t, srv.Addr(), "u"), cfg), clientLog, srvLog
}

// nameMap names ids from two maps, as a server with those accounts does.
func nameMap(users, groups map[uint32]string) func(bool, uint32) string {
	return func(group bool, id uint32) string {
		if group {
			return groups[id]
		}
		return users[id]
	}
}

const serverAsked = "users-groups-by-id: "

func TestOwnerNames(t *testing.T) {
	ctx := t.Context()
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	root := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(root, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	users := map[uint32]string{uid: "alice"}
	groups := map[uint32]string{gid: "staff"}
	// As root, files of another user and group, and a user the server
	// cannot name.
	asRoot := os.Getuid() == 0
	if asRoot {
		users[4242] = "bob"
		if err := os.Lchown(filepath.Join(root, "b"), 4242, 4343); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(filepath.Join(root, "c"), 4444, int(gid)); err != nil {
			t.Fatal(err)
		}
	}
	var askedMu sync.Mutex
	asked := map[[2]uint32]int{} // {0 user or 1 group, id}: times named
	name := func(group bool, id uint32) string {
		askedMu.Lock()
		defer askedMu.Unlock()
		k := [2]uint32{0, id}
		if group {
			k[0] = 1
		}
		asked[k]++
		return nameMap(users, groups)(group, id)
	}
	c, clientLog, srvLog := ownersClient(t, root, sftpd.Options{UsersGroupsByID: name})
	want := map[string]string{"a": "alice:staff", "b": "alice:staff", "c": "alice:staff"}
	if asRoot {
		want["b"] = "bob:4343"
		want["c"] = "4444:staff"
	}
	check := func(t *testing.T, es []protocol.Entry) {
		t.Helper()
		for _, e := range es {
			if got := e.Owner + ":" + e.Group; got != want[e.Name] {
				t.Errorf("%s: owner:group %q, want %q", e.Name, got, want[e.Name])
			}
		}
	}

	t.Run("concurrent listings show names and ask once", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				es, err := c.List(ctx, "/")
				if err != nil {
					t.Error(err)
					return
				}
				if len(es) != 3 {
					t.Errorf("listed %d entries, want 3", len(es))
				}
				check(t, es)
			})
		}
		wg.Wait()
		if n := srvLog.count(serverAsked); n != 1 {
			t.Errorf("the server was asked %d times, want once", n)
		}
	})
	t.Run("stat and later listings ask nothing more", func(t *testing.T) {
		for _, name := range []string{"a", "b", "c"} {
			e, err := c.Stat(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			check(t, []protocol.Entry{e})
		}
		es, err := c.List(ctx, "/")
		if err != nil {
			t.Fatal(err)
		}
		check(t, es)
		if n := srvLog.count(serverAsked); n != 1 {
			t.Errorf("the server was asked %d times, want once", n)
		}
		if n := clientLog.count("names are off"); n != 0 {
			t.Errorf("the extension was turned off")
		}
	})
	t.Run("a stat asks for an id no listing had", func(t *testing.T) {
		if !asRoot {
			t.Skip("needs root to chown")
		}
		users[5555] = "carol"
		if err := os.WriteFile(filepath.Join(root, "d"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Lchown(filepath.Join(root, "d"), 5555, int(gid)); err != nil {
			t.Fatal(err)
		}
		want["d"] = "carol:staff"
		e, err := c.Stat(ctx, "d")
		if err != nil || e.Owner != "carol" || e.Group != "staff" {
			t.Fatalf("Stat = %+v, %v; want carol:staff", e, err)
		}
		if n := srvLog.count(serverAsked); n != 2 {
			t.Errorf("the server was asked %d times, want twice", n)
		}
	})
	t.Run("concurrent stats and listings ask each id once", func(t *testing.T) {
		c2 := dial(t, siteOf(t, c.conn.RemoteAddr().String(), "u"), c.cfg)
		askedMu.Lock()
		clear(asked)
		askedMu.Unlock()
		var wg sync.WaitGroup
		for range 4 {
			for _, name := range []string{"a", "b", "c"} {
				wg.Go(func() {
					e, err := c2.Stat(ctx, name)
					if err != nil {
						t.Error(err)
						return
					}
					check(t, []protocol.Entry{e})
				})
			}
			wg.Go(func() {
				es, err := c2.List(ctx, "/")
				if err != nil {
					t.Error(err)
					return
				}
				check(t, es)
			})
		}
		wg.Wait()
		askedMu.Lock()
		defer askedMu.Unlock()
		if len(asked) == 0 {
			t.Error("the server was not asked")
		}
		for k, n := range asked {
			if n != 1 {
				t.Errorf("id %d (group %v) asked %d times, want once", k[1], k[0] == 1, n)
			}
		}
	})
}

func TestOwnerNames_NoExtension(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var sessions atomic.Int64
	c, clientLog, _ := ownersClient(t, root, sftpd.Options{Session: func(n int, ch ssh.Channel) bool {
		sessions.Add(1)
		return false
	}})
	want := strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
	for range 2 {
		es, err := c.List(ctx, "/")
		if err != nil || len(es) != 1 || es[0].Owner+":"+es[0].Group != want {
			t.Fatalf("List = %+v, %v; want a with %s", es, err, want)
		}
	}
	if e, err := c.Stat(ctx, "a"); err != nil || e.Owner+":"+e.Group != want {
		t.Fatalf("Stat = %+v, %v; want %s", e, err, want)
	}
	if n := sessions.Load(); n != 1 {
		t.Errorf("%d sessions opened, want the SFTP session alone", n)
	}
	if n := clientLog.count(extUsersGroups); n != 0 {
		t.Errorf("asked a server without the extension")
	}
}

// TestOwnerNames_BadReplies: whatever the server answers wrong, listings
// succeed with numeric ids, the session logs it once and asks no more.
func TestOwnerNames_BadReplies(t *testing.T) {
	reply := func(parts ...[]byte) func(uint32) []byte {
		return func(id uint32) []byte { return packet(fxpExtendedReply, append([][]byte{u32(id)}, parts...)...) }
	}
	one := str(str([]byte("alice")))
	for _, tc := range []struct {
		name  string
		reply func(id uint32) []byte
	}{
		{"an error status", func(id uint32) []byte {
			return packet(fxpStatus, u32(id), u32(fxOpUnsupported), str([]byte("no")), str(nil))
		}},
		{"too few names", reply(one, str(nil))},
		{"too many names", reply(one, str(append(str([]byte("x")), str([]byte("y"))...)))},
		{"a broken list", reply(one, u32(1<<30))},
		{"a name too long", reply(one, str(str([]byte(strings.Repeat("g", maxOwnerName+1)))))},
		{"an oversized reply", reply(one, str(str(nil)), make([]byte, 2*(4+maxOwnerName)))},
		{"another request's id", func(id uint32) []byte { return packet(fxpExtendedReply, u32(id+1), one, str(str(nil))) }},
		{"a data packet", func(id uint32) []byte { return packet(fxpData, u32(id), str(nil)) }},
		{"no reply", func(uint32) []byte { return nil }},
		{"a reply cut short", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "a"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			var requests atomic.Int64
			c, clientLog, _ := ownersClient(t, root, sftpd.Options{
				UsersGroupsByID: nameMap(nil, nil),
				Session: func(n int, ch ssh.Channel) bool {
					if n == 1 {
						return false
					}
					serveCheckFile(ch, func(id uint32) []byte {
						requests.Add(1)
						if tc.reply == nil {
							ch.Write(reply(one, str(str([]byte("staff"))))(id)[:12])
							ch.Close()
							return nil
						}
						return tc.reply(id)
					})
					return true
				},
			})
			c.owners.wait = 300 * time.Millisecond
			want := strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid())
			for range 3 {
				es, err := c.List(ctx, "/")
				if err != nil || len(es) != 1 || es[0].Owner+":"+es[0].Group != want {
					t.Fatalf("List = %+v, %v; want a with %s", es, err, want)
				}
			}
			if e, err := c.Stat(ctx, "a"); err != nil || e.Owner+":"+e.Group != want {
				t.Fatalf("Stat = %+v, %v; want %s", e, err, want)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("asked %d times, want once", n)
			}
			if n := clientLog.count("owner and group names are off"); n != 1 {
				t.Errorf("logged the failure %d times, want once", n)
			}
		})
	}
}

// TestOwnerNames_CalledOff: a listing whose caller gives up while the
// names are asked returns at once and leaves the extension on.
func TestOwnerNames_CalledOff(t *testing.T) {
	c, _, _ := ownersClient(t, t.TempDir(), sftpd.Options{
		UsersGroupsByID: nameMap(nil, nil),
		Session: func(n int, ch ssh.Channel) bool {
			if n == 1 {
				return false
			}
			serveCheckFile(ch, func(uint32) []byte { return nil })
			return true
		},
	})
	ctx, cancel := context.WithCancel(t.Context())
	es := []protocol.Entry{{Name: "a", Owner: "7", Group: "8"}}
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	c.nameOwners(ctx, es)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("nameOwners took %s after its context ended", d)
	}
	if !c.owners.on.Load() {
		t.Fatal("the extension was turned off by a caller giving up")
	}
}

// TestOwnerNames_ManyIDs: more ids than one request takes are asked in
// several, each id once, and all come back named.
func TestOwnerNames_ManyIDs(t *testing.T) {
	const n = 700
	c, _, srvLog := ownersClient(t, t.TempDir(), sftpd.Options{UsersGroupsByID: func(group bool, id uint32) string {
		if id == 13 {
			return "" // unknown: stays numeric
		}
		if group {
			return "g" + strconv.Itoa(int(id))
		}
		return "u" + strconv.Itoa(int(id))
	}})
	es := make([]protocol.Entry, 2*n)
	for i := range es {
		id := strconv.Itoa(i % n) // each id twice
		es[i] = protocol.Entry{Name: strconv.Itoa(i), Owner: id, Group: id}
	}
	es = append(es, protocol.Entry{Name: "no ids"})
	c.nameOwners(t.Context(), es)
	for i, e := range es[:2*n] {
		id := i % n
		wantU, wantG := "u"+strconv.Itoa(id), "g"+strconv.Itoa(id)
		if id == 13 {
			wantU, wantG = "13", "13"
		}
		if e.Owner != wantU || e.Group != wantG {
			t.Fatalf("entry %d: %s:%s, want %s:%s", i, e.Owner, e.Group, wantU, wantG)
		}
	}
	if e := es[2*n]; e.Owner != "" || e.Group != "" {
		t.Fatalf("an entry without ids got %q:%q", e.Owner, e.Group)
	}
	// 1,400 distinct ids, 512 a request.
	if got := srvLog.count(serverAsked); got != 3 {
		t.Errorf("asked %d times, want 3", got)
	}
	c.nameOwners(t.Context(), es)
	if got := srvLog.count(serverAsked); got != 3 {
		t.Errorf("asked %d times after a second pass, want still 3", got)
	}
}

func TestParseUsersGroups(t *testing.T) {
	names := func(ns ...string) []byte {
		var b []byte
		for _, n := range ns {
			b = append(b, str([]byte(n))...)
		}
		return str(b)
	}
	body := append(names("root", "", "bad\x1b[2J", "\xff"), names("wheel")...)
	users, groups, err := parseUsersGroups(body, 4, 1)
	if err != nil || strings.Join(users, ",") != "root,,," || strings.Join(groups, ",") != "wheel" {
		t.Fatalf("parseUsersGroups = %q, %q, %v", users, groups, err)
	}
	// Bytes after the lists are left for a later version.
	if _, _, err := parseUsersGroups(append(append(names(), names()...), 1, 2, 3), 0, 0); err != nil {
		t.Fatalf("trailing bytes: %v", err)
	}
	for _, bad := range [][]byte{nil, names("a"), append(names("a"), 0, 0), append(names("a", "b"), names()...)} {
		if _, _, err := parseUsersGroups(bad, 1, 0); err == nil {
			t.Errorf("parseUsersGroups(%x) took a reply that does not fit the request", bad)
		}
	}
}
