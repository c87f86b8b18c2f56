package sftp

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"github.com/ferryhq/ferry/protocol"
)

// BenchmarkList10k lists a directory of 10,000 files from the in-process
// server, with numeric ids (no users-groups-by-id) and with names. With
// names, the session asks once: first-ms is the first listing, which
// pays for it, asks the server's requests over all the listings.
func BenchmarkList10k(b *testing.B) {
	root := b.TempDir()
	for i := range 10000 {
		if err := os.WriteFile(filepath.Join(root, "f"+strconv.Itoa(i)), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		names func(bool, uint32) string
	}{
		{"numeric", nil},
		{"names", nameMap(map[uint32]string{uint32(os.Getuid()): "alice"}, map[uint32]string{uint32(os.Getgid()): "staff"})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srvLog := &lines{}
			srv, err := sftpd.Start(context.Background(), sftpd.Options{Root: root, Users: []sftpd.User{{Name: "u", Password: "pw"}},
				UsersGroupsByID: tc.names, Log: srvLog.add})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			home := b.TempDir()
			kh := filepath.Join(home, "known_hosts")
			os.WriteFile(kh, []byte(knownHostsLine(srv.Addr(), srv.HostKey())), 0o600)
			b.Setenv("SSH_AUTH_SOCK", "")
			c, err := Dial(context.Background(), siteOf(b, srv.Addr(), "u"), Config{HomeDir: home, SSHConfigFile: "none", KnownHostsFile: kh, Password: "pw"})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			list := func() {
				es, err := c.List(context.Background(), "/")
				if err != nil || len(es) != 10000 {
					b.Fatalf("listed %d: %v", len(es), err)
				}
				if tc.names != nil && es[0].Owner != "alice" {
					b.Fatalf("owner %q, want alice", es[0].Owner)
				}
			}
			start := time.Now()
			list()
			first := time.Since(start)
			for b.Loop() {
				list()
			}
			b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
			b.ReportMetric(float64(srvLog.count(serverAsked)), "asks")
		})
	}
}

// BenchmarkNameOwners10k is what naming costs a listing of 10,000 entries
// once the session knows the ids: no round trip, only the cache.
func BenchmarkNameOwners10k(b *testing.B) {
	srv, err := sftpd.Start(context.Background(), sftpd.Options{Root: b.TempDir(), Users: []sftpd.User{{Name: "u", Password: "pw"}},
		UsersGroupsByID: nameMap(map[uint32]string{0: "root", 1000: "alice"}, map[uint32]string{0: "root"})})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	home := b.TempDir()
	kh := filepath.Join(home, "known_hosts")
	os.WriteFile(kh, []byte(knownHostsLine(srv.Addr(), srv.HostKey())), 0o600)
	b.Setenv("SSH_AUTH_SOCK", "")
	c, err := Dial(context.Background(), siteOf(b, srv.Addr(), "u"), Config{HomeDir: home, SSHConfigFile: "none", KnownHostsFile: kh, Password: "pw"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	numeric := make([]protocol.Entry, 10000)
	for i := range numeric {
		numeric[i] = protocol.Entry{Name: strconv.Itoa(i), Owner: strconv.Itoa(i % 2 * 1000), Group: "0"}
	}
	es := make([]protocol.Entry, len(numeric))
	copy(es, numeric)
	c.nameOwners(context.Background(), es)
	if es[1].Owner != "alice" {
		b.Fatalf("owner %q, want alice", es[1].Owner)
	}
	for b.Loop() {
		copy(es, numeric)
		c.nameOwners(context.Background(), es)
	}
}
