package bookmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// helperEnv makes the test binary act as a second ferry process that adds
// bookmarks, for the cross-process lock test.
const helperEnv = "FERRY_BOOKMARKS_WRITER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(helperEnv); spec != "" {
		os.Exit(runWriter(spec))
	}
	os.Exit(m.Run())
}

// runWriter reads "DIR PREFIX COUNT" and adds COUNT bookmarks.
func runWriter(spec string) int {
	f := strings.Fields(spec)
	if len(f) != 3 {
		fmt.Fprintln(os.Stderr, "bad spec", spec)
		return 2
	}
	n, _ := strconv.Atoi(f[2])
	if err := addMany(Paths{ConfigDir: f[0]}, f[1], n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// addMany adds n bookmarks, each through its own Store as a separate
// program run would.
func addMany(p Paths, prefix string, n int) error {
	for i := range n {
		st, err := Open(p)
		if err != nil {
			return err
		}
		site := Site{Name: fmt.Sprintf("%s-%d", prefix, i), Protocol: protocol.SchemeSFTP, Host: "h" + strconv.Itoa(i)}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err = st.Add(ctx, site)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}

func testPaths(t *testing.T) Paths {
	t.Helper()
	root := t.TempDir()
	return Paths{ConfigDir: filepath.Join(root, "config", "ferry"), StateDir: filepath.Join(root, "state", "ferry"), Home: root}
}

// fullSite sets every field, so a round trip that drops one fails.
func fullSite() Site {
	return Site{
		Name:      "prod web",
		Folder:    "Clients/Acme",
		Protocol:  protocol.SchemeFTPES,
		Host:      "ftp.example.com",
		Port:      2121,
		User:      "deploy",
		RemoteDir: "/var/www",
		LocalDir:  "/home/me/site",
		KeyFile:   "/home/me/.ssh/id_ed25519",
		AuthOrder: []AuthMethod{AuthPublicKey, AuthPassword},
		FTP: FTPOptions{
			Mode:            FTPActive,
			Type:            TransferAuto,
			ASCIIExtensions: []string{"txt", "html"},
			Encoding:        "latin1",
		},
		Transfer: TransferOptions{Parallel: 4, RateLimit: "2M", Conflict: "newer"},
		Exclude:  []string{".git", "node_modules/"},
		Notes:    "call ops before\ndeploying \"big\" changes",
		Proxy:    "socks5h://ann@proxy.example.com:1080",
		Source:   SourceBookmark,
	}
}

// assertAllSet fails when any field of v (recursively) is the zero value,
// so the round-trip fixture keeps up with new fields.
func assertAllSet(t *testing.T, v reflect.Value, name string) {
	t.Helper()
	if v.Kind() == reflect.Struct {
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Name == "Source" {
				continue // zero is SourceBookmark
			}
			assertAllSet(t, v.Field(i), name+"."+f.Name)
		}
		return
	}
	if v.IsZero() {
		t.Errorf("fixture leaves %s unset", name)
	}
}

func TestRoundTripKeepsEveryField(t *testing.T) {
	want := fullSite()
	assertAllSet(t, reflect.ValueOf(want), "Site")
	p := testPaths(t)
	st, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Add(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	again, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := again.Get(want.Name)
	if !ok {
		t.Fatalf("bookmark %q not found after reopening", want.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the site:\n got %#v\nwant %#v", got, want)
	}
}

func TestFileIsPrivate(t *testing.T) {
	p := testPaths(t)
	st, _ := Open(p)
	if err := st.Add(t.Context(), Site{Name: "a", Protocol: protocol.SchemeSFTP, Host: "h"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("bookmarks.toml mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(p.ConfigDir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode %v, want 0700", di.Mode().Perm())
	}
	// A file made world-readable by hand becomes private on the next save.
	if err := os.Chmod(st.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(t.Context(), Site{Name: "b", Protocol: protocol.SchemeFTP, Host: "h"}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(st.Path()); fi.Mode().Perm() != 0o600 {
		t.Errorf("after a save the mode is %v, want 0600", fi.Mode().Perm())
	}
}

func TestTwoWritersLoseNothing(t *testing.T) {
	t.Run("two goroutines with their own stores", func(t *testing.T) {
		p := testPaths(t)
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for _, prefix := range []string{"a", "b"} {
			wg.Go(func() { errs <- addMany(p, prefix, 25) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		assertCount(t, p, 50)
	})
	t.Run("two processes", func(t *testing.T) {
		p := testPaths(t)
		if err := os.MkdirAll(p.ConfigDir, 0o700); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Second)
		defer cancel()
		var cmds []*exec.Cmd
		for _, prefix := range []string{"p", "q"} {
			cmd := exec.CommandContext(ctx, os.Args[0])
			cmd.Env = append(os.Environ(), helperEnv+"="+p.ConfigDir+" "+prefix+" 20")
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("writer process: %v", err)
			}
		}
		assertCount(t, p, 40)
	})
}

func assertCount(t *testing.T, p Paths, want int) {
	t.Helper()
	st, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.Sites()); got != want {
		t.Errorf("%d bookmarks saved, want %d: a write was lost", got, want)
	}
}

func TestCorruptFileIsNeverOverwritten(t *testing.T) {
	p := testPaths(t)
	if err := os.MkdirAll(p.ConfigDir, 0o700); err != nil {
		t.Fatal(err)
	}
	bad := "[[site]]\nname = \"a\"\nprotocol = \"sftp\"\nhost = \"h\n"
	if err := os.WriteFile(p.BookmarksFile(), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(p)
	if st == nil {
		t.Fatal("Open returned no store for a broken file")
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("Open error %v, want a *FileError", err)
	}
	if fe.Line != 4 || fe.Col == 0 {
		t.Errorf("error at line %d column %d, want line 4 with a column", fe.Line, fe.Col)
	}
	if !strings.Contains(err.Error(), "line 4, column") {
		t.Errorf("message %q does not name line and column", err)
	}
	if len(st.Sites()) != 0 {
		t.Errorf("broken store lists %d sites, want none", len(st.Sites()))
	}
	err = st.Add(t.Context(), Site{Name: "new", Protocol: protocol.SchemeSFTP, Host: "h"})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("Add on a broken file: %v, want ErrReadOnly", err)
	}
	got, _ := os.ReadFile(p.BookmarksFile())
	if string(got) != bad {
		t.Errorf("broken file was changed to %q", got)
	}
}

func TestFileBrokenAfterOpenIsNotOverwritten(t *testing.T) {
	p := testPaths(t)
	st, _ := Open(p)
	if err := st.Add(t.Context(), Site{Name: "a", Protocol: protocol.SchemeSFTP, Host: "h"}); err != nil {
		t.Fatal(err)
	}
	bad := "[[site]\n"
	os.WriteFile(p.BookmarksFile(), []byte(bad), 0o600)
	if err := st.Add(t.Context(), Site{Name: "b", Protocol: protocol.SchemeSFTP, Host: "h"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Add after the file broke: %v, want ErrReadOnly", err)
	}
	if got, _ := os.ReadFile(p.BookmarksFile()); string(got) != bad {
		t.Errorf("broken file was changed to %q", got)
	}
}

func TestUnknownKeyKeepsSitesButRefusesWrites(t *testing.T) {
	p := testPaths(t)
	os.MkdirAll(p.ConfigDir, 0o700)
	content := "[[site]]\nname = \"a\"\nprotocol = \"sftp\"\nhost = \"h\"\nprot = \"x\"\n"
	os.WriteFile(p.BookmarksFile(), []byte(content), 0o600)
	st, err := Open(p)
	if err == nil || !strings.Contains(err.Error(), "prot") {
		t.Fatalf("Open error %v, want it to name the unknown key", err)
	}
	if _, ok := st.Get("a"); !ok {
		t.Error("site a is not readable")
	}
	if err := st.Remove(t.Context(), "a"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Remove: %v, want ErrReadOnly", err)
	}
}

func TestStoreOperations(t *testing.T) {
	p := testPaths(t)
	st, _ := Open(p)
	ctx := t.Context()
	a := Site{Name: "a", Protocol: protocol.SchemeSFTP, Host: "h"}
	if err := st.Add(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := st.Add(ctx, a); !errors.Is(err, ErrExists) {
		t.Errorf("second Add: %v, want ErrExists", err)
	}
	if err := st.Add(ctx, Site{Name: "b", Protocol: protocol.SchemeFTP, Host: "h2"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Rename(ctx, "a", "b"); !errors.Is(err, ErrExists) {
		t.Errorf("rename onto an existing name: %v, want ErrExists", err)
	}
	if err := st.Rename(ctx, "a", "c"); err != nil {
		t.Fatal(err)
	}
	if names := siteNames(st.Sites()); names != "c b" {
		t.Errorf("after rename: %q, want %q (order kept)", names, "c b")
	}
	if err := st.Remove(ctx, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove missing: %v, want ErrNotFound", err)
	}
	if err := st.Remove(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if err := st.Add(ctx, Site{Name: "bad:name", Protocol: protocol.SchemeFTP, Host: "h"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid name: %v, want ErrInvalid", err)
	}
	if err := st.Add(ctx, Site{Name: "x", Protocol: "http", Host: "h"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid protocol: %v, want ErrInvalid", err)
	}
	if names := siteNames(st.Sites()); names != "b" {
		t.Errorf("at the end: %q, want %q", names, "b")
	}
}

func siteNames(sites []Site) string {
	var n []string
	for _, s := range sites {
		n = append(n, s.Name)
	}
	return strings.Join(n, " ")
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]int64{"500": 500, "500K": 500 << 10, "2M": 2 << 20, "1.5MiB": 3 << 19, "1G/s": 1 << 30, "0": 0, "10KB": 10 << 10} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fast", "-1K", "NaN", "1T"} {
		if _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
		}
	}
}

func TestMinimalSiteWritesOnlyWhatIsSet(t *testing.T) {
	data, err := Export([]Site{{Name: "b", Protocol: protocol.SchemeSFTP, Host: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	body := string(data[len(fileHeader):])
	want := "[[site]]\nname = \"b\"\nprotocol = \"sftp\"\nhost = \"h\"\n"
	if body != want {
		t.Errorf("a minimal site is written as\n%s\nwant\n%s", body, want)
	}
}
