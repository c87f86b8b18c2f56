package bookmarks

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func TestRecent(t *testing.T) {
	p := testPaths(t)
	st, _ := Open(p)
	ctx := t.Context()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range RecentMax + 5 {
		ps := protocol.Site{Scheme: protocol.SchemeSFTP, Host: fmt.Sprintf("h%d.test", i), User: "u", Password: "pw-must-not-persist"}
		if err := st.AddRecent(ctx, RecentFor(ps, nil, at.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	bm := &Site{Name: "mysite"}
	st.AddRecent(ctx, RecentFor(protocol.Site{Scheme: protocol.SchemeFTP, Host: "x"}, bm, at))
	st.AddRecent(ctx, RecentFor(protocol.Site{Scheme: protocol.SchemeSFTP, Host: "h22.test", User: "u"}, nil, at))
	list, err := st.Recent()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != RecentMax {
		t.Fatalf("%d recent entries, want %d", len(list), RecentMax)
	}
	if list[0].URL != "sftp://u@h22.test" || list[1].Address() != "mysite" || list[2].URL != "sftp://u@h24.test" {
		t.Errorf("order: %q %q %q", list[0].Address(), list[1].Address(), list[2].Address())
	}
	seen := map[string]bool{}
	for _, r := range list {
		if seen[r.Address()] {
			t.Errorf("%s listed twice", r.Address())
		}
		seen[r.Address()] = true
	}
	data, _ := os.ReadFile(p.RecentFile())
	if strings.Contains(string(data), "pw-must-not-persist") {
		t.Error("recent.json holds a password")
	}
	if fi, _ := os.Stat(p.RecentFile()); fi.Mode().Perm() != 0o600 {
		t.Errorf("recent.json mode %v, want 0600", fi.Mode().Perm())
	}
	os.WriteFile(p.RecentFile(), []byte("{garbage"), 0o600)
	if err := st.AddRecent(ctx, RecentFor(protocol.Site{Scheme: protocol.SchemeSFTP, Host: "z"}, nil, at)); err != nil {
		t.Errorf("a damaged recent list blocks new entries: %v", err)
	}
}
