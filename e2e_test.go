package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/sftpd"
	"golang.org/x/crypto/ssh/knownhosts"
)

// The end-to-end tests run the real ferry binary inside tmux, press keys and
// mouse buttons the way a terminal sends them, and check the files that
// arrive on the server byte for byte.

// tmux drives one detached tmux server on its own socket.
type tmux struct {
	t      *testing.T
	socket string
}

func newTmux(t *testing.T, width, height int, command string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("tmux is not installed, and FERRY_REQUIRE_REAL_SERVERS=1 requires this test")
		}
		t.Skip("tmux is not installed")
	}
	tm := &tmux{t: t, socket: fmt.Sprintf("ferry-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	tm.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), command)
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (tm *tmux) keys(keys ...string) {
	tm.t.Helper()
	tm.run(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// raw sends bytes as typed, for mouse escape sequences.
func (tm *tmux) raw(s string) { tm.t.Helper(); tm.run("send-keys", "-t", "e2e", "-l", s) }

func (tm *tmux) screen() string { tm.t.Helper(); return tm.run("capture-pane", "-p", "-t", "e2e") }

// waitScreen polls the screen until it matches or the time is up.
func (tm *tmux) waitScreen(what string, ok func(string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := tm.screen()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rowOf is the 1-based screen row holding text in the left half.
func rowOf(screen, text string, width int) int {
	for i, line := range strings.Split(screen, "\n") {
		r := []rune(line)
		if len(r) > width/2 {
			r = r[:width/2]
		}
		if strings.Contains(string(r), text) {
			return i + 1
		}
	}
	return 0
}

func buildFerry(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ferry")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitFile(t *testing.T, p string, want []byte) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := os.ReadFile(p)
		if err == nil && bytes.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: got %d bytes (%v), want %d bytes", p, len(got), err, len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTmuxMarkCopyAndDragToSFTP(t *testing.T) {
	bin := buildFerry(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serverDir, localDir, home := t.TempDir(), t.TempDir(), t.TempDir()
	srv, err := sftpd.Start(ctx, sftpd.Options{Root: serverDir, Users: []sftpd.User{{Name: "e2e", Password: "e2e-secret"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	kh := filepath.Join(home, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(srv.Addr())}, srv.HostKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for i, name := range []string{"alpha.txt", "beta.bin", "gamma.txt"} {
		data := bytes.Repeat([]byte{byte('a' + i), 0, 0xff, '\n'}, 50_000+i*777)
		files[name] = data
		if err := os.WriteFile(filepath.Join(localDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const w, h = 120, 32
	cmd := fmt.Sprintf("cd %q && env HOME=%q XDG_CONFIG_HOME=%q XDG_STATE_HOME=%q FERRY_PASSWORD=e2e-secret TERM=xterm-256color %q --ssh-config none --known-hosts %q sftp://e2e@%s/ 2>%q; sleep 60",
		localDir, home, filepath.Join(home, "config"), filepath.Join(home, "state"), bin, kh, srv.Addr(), filepath.Join(home, "stderr"))
	tm := newTmux(t, w, h, cmd)
	tm.waitScreen("both panes", func(s string) bool {
		return strings.Contains(s, "gamma.txt") && strings.Contains(s, "ssh-ed25519")
	})

	// Mark alpha and beta with Insert, then F5 copies both to the server.
	tm.keys("Down", "Insert", "Insert", "F5")
	waitFile(t, filepath.Join(serverDir, "alpha.txt"), files["alpha.txt"])
	waitFile(t, filepath.Join(serverDir, "beta.bin"), files["beta.bin"])
	if _, err := os.Stat(filepath.Join(serverDir, "gamma.txt")); !os.IsNotExist(err) {
		t.Fatalf("gamma.txt was not marked but reached the server: %v", err)
	}

	// Drag gamma.txt from the left pane and drop it on the right one.
	screen := tm.waitScreen("the copy to finish", func(s string) bool { return strings.Contains(s, "2 done") || strings.Contains(s, "beta.bin") })
	row := rowOf(screen, "gamma.txt", w)
	if row == 0 {
		t.Fatalf("gamma.txt not on screen:\n%s", screen)
	}
	tm.raw(fmt.Sprintf("\x1b[<0;6;%dM", row))
	tm.raw(fmt.Sprintf("\x1b[<0;%d;%dm", w*3/4, row))
	waitFile(t, filepath.Join(serverDir, "gamma.txt"), files["gamma.txt"])
	for name := range files {
		if _, err := os.Stat(filepath.Join(serverDir, name+".ferry-part")); !os.IsNotExist(err) {
			t.Errorf("%s.ferry-part left on the server: %v", name, err)
		}
	}
	tm.keys("F10")
}

func TestTmuxDemoCopiesIntoSandbox(t *testing.T) {
	bin := buildFerry(t)
	home := t.TempDir()
	const w, h = 120, 32
	cmd := fmt.Sprintf("env HOME=%q TERM=xterm-256color %q --demo 2>%q; sleep 60", home, bin, filepath.Join(home, "stderr"))
	tm := newTmux(t, w, h, cmd)
	start := time.Now()
	screen := tm.waitScreen("the demo panes", func(s string) bool {
		return strings.Contains(s, "todo.txt") && strings.Contains(s, "README.txt")
	})
	t.Logf("demo showed both panes after %v", time.Since(start).Round(time.Millisecond))
	m := regexp.MustCompile(`sandbox (\S+)`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no sandbox path in the banner:\n%s", screen)
	}
	sandbox := m[1]
	want, err := os.ReadFile(filepath.Join(sandbox, "local", "todo.txt"))
	if err != nil {
		t.Fatal(err)
	}
	row := rowOf(screen, "todo.txt", w)
	up := rowOf(screen, "..", w)
	if row == 0 || up == 0 {
		t.Fatalf("cannot find rows on screen:\n%s", screen)
	}
	keys := []string{}
	for i := up; i < row; i++ {
		keys = append(keys, "Down")
	}
	tm.keys(append(keys, "F5")...)
	waitFile(t, filepath.Join(sandbox, "server", "todo.txt"), want)
	// Quitting with a transfer still running asks first; wait for the queue.
	tm.waitScreen("the queue to finish", func(s string) bool { return strings.Contains(s, "1 done") })
	tm.keys("F10")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sandbox); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox %s still exists after quitting the demo; screen:\n%s", sandbox, tm.screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
}
