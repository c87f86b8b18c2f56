package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs ferry with args and returns the exit status and both streams.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runWith(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func runWith(ctx context.Context, args []string, out, errw *bytes.Buffer, getenv func(string) string) int {
	e := &env{Stdio: Stdio{In: strings.NewReader(""), Out: out, Err: errw}, getenv: getenv, version: "test"}
	// As Run does: the recent-sites file is written on the side, and a
	// test's temporary state directory must not be removed under it.
	defer e.background.Wait()
	if c, ok := findCommand(args[0]); ok {
		return c.run(ctx, e, args[1:])
	}
	return Run(ctx, "test", args, e.Stdio)
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, nil, "version")
	if code != 0 || out != "ferry test\n" {
		t.Fatalf("version: got %d %q", code, out)
	}
}

func TestLocalCopyAndListing(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(src, []byte("payload"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "into"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A destination directory receives the file inside it, flags may follow.
	if code, _, errs := run(t, nil, "cp", src, filepath.Join(dir, "into"), "--quiet"); code != 0 {
		t.Fatalf("cp: exit %d: %s", code, errs)
	}
	got, err := os.ReadFile(filepath.Join(dir, "into", "a.txt"))
	if err != nil || string(got) != "payload" {
		t.Fatalf("copied file: got %q, %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "into", "a.txt.ferry-part")); !os.IsNotExist(err) {
		t.Fatalf("a .ferry-part was left behind: %v", err)
	}
	code, out, _ := run(t, nil, "ls", "--json", filepath.Join(dir, "into"))
	if code != 0 || !strings.Contains(out, `"name":"a.txt"`) || !strings.Contains(out, `"size":7`) {
		t.Fatalf("ls --json: exit %d, %q", code, out)
	}
}

func TestMkdirRmMv(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "x", "y", "z")
	if code, _, errs := run(t, nil, "mkdir", "-p", deep); code != 0 {
		t.Fatalf("mkdir -p: exit %d: %s", code, errs)
	}
	if err := os.WriteFile(filepath.Join(deep, "f"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, nil, "mv", filepath.Join(dir, "x"), filepath.Join(dir, "w")); code != 0 {
		t.Fatalf("mv: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, nil, "rm", filepath.Join(dir, "w")); code != 1 || !strings.Contains(errs, "use -r") {
		t.Fatalf("rm of a directory without -r: exit %d, %q", code, errs)
	}
	if code, _, errs := run(t, nil, "rm", "-r", filepath.Join(dir, "w")); code != 0 {
		t.Fatalf("rm -r: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "w")); !os.IsNotExist(err) {
		t.Fatalf("tree still there after rm -r: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"ls"},
		{"get", "only-one"},
		{"ls", "--trust", "sometimes", "."},
		{"ls", "gopher://host/"},
		{"completion", "tcsh"},
	} {
		code, _, errs := run(t, nil, args...)
		if code != exitUsage || !strings.HasPrefix(errs, "ferry") {
			t.Errorf("%v: got exit %d and %q, want exit %d with a message", args, code, errs, exitUsage)
		}
	}
}

func TestMissingFileFails(t *testing.T) {
	code, _, errs := run(t, nil, "ls", filepath.Join(t.TempDir(), "nope"))
	if code != exitFailed || !strings.Contains(errs, "no such file") {
		t.Fatalf("ls of a missing path: exit %d, %q", code, errs)
	}
}

func TestConnectRefusedIsAnError(t *testing.T) {
	code, _, errs := run(t, nil, "ls", "--timeout", "2s", "sftp://127.0.0.1:1/")
	if code == 0 || !strings.Contains(errs, "127.0.0.1:1") {
		t.Fatalf("ls of a closed port: exit %d, %q", code, errs)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish"} {
		code, out, _ := run(t, nil, "completion", sh)
		if code != 0 || !strings.Contains(out, "mirror") {
			t.Errorf("completion %s: exit %d, %q", sh, code, out)
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	e := &env{Stdio: Stdio{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}}
	fs := newFlagSet(e, "get")
	r := fs.Bool("r", false, "")
	rest, err := parseInterleaved(fs, []string{"a", "-r", "b", "--", "-c"})
	if err != nil || !*r || strings.Join(rest, " ") != "a b -c" {
		t.Fatalf("got %v %v %v", rest, *r, err)
	}
}

func TestEveryCommandHasHelpWithAnExample(t *testing.T) {
	for _, c := range commands() {
		code, out, errs := run(t, nil, c.name, "--help")
		if code != exitOK || !strings.Contains(out, "Example") || !strings.Contains(out, "ferry "+c.name) {
			t.Errorf("ferry %s --help: exit %d, out %q, err %q", c.name, code, out, errs)
		}
	}
}
