package sftp

import (
	"context"
	"path"
	"testing"
)

// TestOpenSSHOwnerNames: OpenSSH (9.1 and later) names the owners of a
// listing through users-groups-by-id@openssh.com, once per session. The
// directory .ci/sshd.sh makes for the server holds the user's data
// directory and root's "denied", and is root's itself.
func TestOpenSSHOwnerNames(t *testing.T) {
	e := realSSHD(t)
	ctx := context.Background()
	log := &lines{}
	cfg := e.config(t)
	cfg.IdentityFiles = []string{e.key}
	cfg.Prompter = &fakePrompter{}
	cfg.Log = log.add
	c, err := Dial(ctx, e.site(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.sc.HasExtension(extUsersGroups); !ok {
		t.Skip("this sshd does not offer " + extUsersGroups + " (OpenSSH before 9.1)")
	}
	base := path.Dir(e.dir)
	for range 2 {
		es, err := c.List(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"denied": "root:root", path.Base(e.dir): e.user + ":" + e.user}
		for _, en := range es {
			if w, ok := want[en.Name]; ok {
				if got := en.Owner + ":" + en.Group; got != w {
					t.Errorf("%s: owner:group %q, want %q", en.Name, got, w)
				}
				delete(want, en.Name)
			}
		}
		if len(want) > 0 {
			t.Errorf("%s lacks %v", base, want)
		}
	}
	if st, err := c.Stat(ctx, base); err != nil || st.Owner != "root" || st.Group != "root" {
		t.Errorf("Stat(%s) = %+v, %v; want root:root", base, st, err)
	}
	if n := log.count("> " + extUsersGroups); n != 1 {
		t.Errorf("asked the server %d times, want once", n)
	}
	if n := log.count("names are off"); n != 0 {
		t.Errorf("the extension failed: %q", log.all)
	}
}
