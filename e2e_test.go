package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ferryhq/ferry/demo/ftpd"
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

// appDir is a temporary directory the ferry under test writes in. It is
// removed after the tmux server is killed (cleanups run last first), and
// again for a moment while the exiting ferry may still write its state.
func appDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "ferry-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for os.RemoveAll(d) != nil && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	})
	return d
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

// markCopyDrag runs ferry ARGS in tmux with three local files on the left,
// marks two and copies them with F5, drags the third with the mouse, and
// checks all three arrive in serverDir byte for byte. ready is text the
// right pane shows once it is connected (the security the session
// reports, not the label shown while it connects).
func markCopyDrag(t *testing.T, bin, serverDir, ready string, env, args []string) {
	t.Helper()
	localDir, home := appDir(t), appDir(t)
	files := map[string][]byte{}
	for i, name := range []string{"alpha.txt", "beta.bin", "gamma.txt"} {
		data := bytes.Repeat([]byte{byte('a' + i), 0, 0xff, '\n'}, 50_000+i*777)
		files[name] = data
		if err := os.WriteFile(filepath.Join(localDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	quoted := func(ss []string) string {
		var b strings.Builder
		for _, s := range ss {
			fmt.Fprintf(&b, " %q", s)
		}
		return b.String()
	}
	baseEnv := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "XDG_DATA_HOME=" + filepath.Join(home, "data"), "TERM=xterm-256color"}
	const w, h = 120, 32
	cmd := fmt.Sprintf("cd %q && env%s %q%s 2>%q; sleep 60",
		localDir, quoted(append(baseEnv, env...)), bin, quoted(args), filepath.Join(home, "stderr"))
	tm := newTmux(t, w, h, cmd)
	tm.waitScreen("both panes", func(s string) bool {
		return strings.Contains(s, "gamma.txt") && strings.Contains(s, ready) && !strings.Contains(s, "connecting…")
	})

	// Mark alpha and beta with Insert, then F5 copies both to the server.
	tm.keys("Down", "Insert", "Insert", "F5")
	waitFile(t, filepath.Join(serverDir, "alpha.txt"), files["alpha.txt"])
	waitFile(t, filepath.Join(serverDir, "beta.bin"), files["beta.bin"])
	if _, err := os.Stat(filepath.Join(serverDir, "gamma.txt")); !os.IsNotExist(err) {
		t.Fatalf("gamma.txt was not marked but reached the server: %v", err)
	}

	// Drag gamma.txt from the left pane and drop it on the right one.
	screen := tm.waitScreen("the copy to finish", func(s string) bool { return strings.Contains(s, "2 done") })
	row := rowOf(screen, "gamma.txt", w)
	if row == 0 {
		t.Fatalf("gamma.txt not on screen:\n%s", screen)
	}
	tm.raw(fmt.Sprintf("\x1b[<0;6;%dM", row))
	tm.raw(fmt.Sprintf("\x1b[<0;%d;%dm", w*3/4, row))
	waitFile(t, filepath.Join(serverDir, "gamma.txt"), files["gamma.txt"])
	tm.waitScreen("the drag's copy to finish", func(s string) bool { return strings.Contains(s, "3 done") })
	for name := range files {
		if _, err := os.Stat(filepath.Join(serverDir, name+".ferry-part")); !os.IsNotExist(err) {
			t.Errorf("%s.ferry-part left on the server: %v", name, err)
		}
	}
	tm.keys("F10")
}

func TestTmuxMarkCopyAndDragToSFTP(t *testing.T) {
	bin := buildFerry(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serverDir, keys := t.TempDir(), t.TempDir()
	srv, err := sftpd.Start(ctx, sftpd.Options{Root: serverDir, Users: []sftpd.User{{Name: "e2e", Password: "e2e-secret"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	kh := filepath.Join(keys, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(srv.Addr())}, srv.HostKey())
	if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	markCopyDrag(t, bin, serverDir, "ssh-ed25519", []string{"FERRY_PASSWORD=e2e-secret"},
		[]string{"--ssh-config", "none", "--known-hosts", kh, "sftp://e2e@" + srv.Addr() + "/"})
}

func TestTmuxMarkCopyAndDragToFTPS(t *testing.T) {
	bin := buildFerry(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serverDir := t.TempDir()
	tlsConfig, _, err := ftpd.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsConfig.Certificates[0].Certificate[0]})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := ftpd.Start(ctx, ftpd.Options{Root: serverDir, Users: map[string]string{"e2e": "e2e-secret"}, TLS: tlsConfig, RequireTLS: true, RequireTLSReuse: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	markCopyDrag(t, bin, serverDir, "TLS 1.", []string{"FERRY_PASSWORD=e2e-secret"},
		[]string{"--trust", "strict", "--ca-file", ca, "ftpes://e2e@" + srv.Addr() + "/"})
}

// TestTmuxBookmarkAgainstRealSSHD opens the TUI by a bookmark's name on the
// real OpenSSH server CI starts, and copies into the bookmark's directory.
func TestTmuxBookmarkAgainstRealSSHD(t *testing.T) {
	addr := os.Getenv("FERRY_TEST_SSHD")
	if addr == "" {
		if os.Getenv("FERRY_REQUIRE_REAL_SERVERS") == "1" {
			t.Fatal("FERRY_TEST_SSHD is unset but FERRY_REQUIRE_REAL_SERVERS=1")
		}
		t.Skip("FERRY_TEST_SSHD is unset: no real sshd to test against")
	}
	bin := buildFerry(t)
	base := os.Getenv("FERRY_TEST_SSHD_DIR")
	dir, err := os.MkdirTemp(base, "tui-bookmark-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if st, err := os.Stat(base); err == nil {
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			os.Chown(dir, int(sys.Uid), int(sys.Gid)) // the test user must write here
		}
	}
	cfg := t.TempDir()
	add := exec.Command(bin, "bookmark", "add", "e2e-real",
		"sftp://"+os.Getenv("FERRY_TEST_SSHD_USER")+"@"+addr+dir, "--key", os.Getenv("FERRY_TEST_SSHD_KEY"))
	add.Env = append(os.Environ(), "XDG_CONFIG_HOME="+cfg)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("bookmark add: %v: %s", err, out)
	}
	// The server's long path leaves the frame no room for the key type:
	// the badge says SFTP, and the connection is up once it is not
	// "connecting…".
	markCopyDrag(t, bin, dir, "SFTP", []string{"XDG_CONFIG_HOME=" + cfg},
		[]string{"--ssh-config", "none", "--trust", "strict", "--known-hosts", os.Getenv("FERRY_TEST_SSHD_KNOWN_HOSTS"), "e2e-real"})
}

func TestTmuxDemoCopiesIntoSandbox(t *testing.T) {
	bin := buildFerry(t)
	home := t.TempDir()
	const w, h = 120, 32
	cmd := fmt.Sprintf("env HOME=%q TERM=xterm-256color %q --demo 2>%q; sleep 60", home, bin, filepath.Join(home, "stderr"))
	tm := newTmux(t, w, h, cmd)
	start := time.Now()
	// The banner below the panes names the sandbox; a screen caught while
	// the first frame is half drawn may lack it, so wait for it whole.
	banner := regexp.MustCompile(`sandbox (\S+) · SFTP`)
	var sandbox string
	screen := tm.waitScreen("the demo panes and banner", func(s string) bool {
		m := banner.FindStringSubmatch(s)
		if m == nil || !strings.Contains(s, "todo.txt") || !strings.Contains(s, "README.txt") {
			return false
		}
		sandbox = m[1]
		return true
	})
	t.Logf("demo showed both panes after %v", time.Since(start).Round(time.Millisecond))
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
