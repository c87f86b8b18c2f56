package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// demoW and demoH are the size of the demo's window: two panes of 60.
const demoW, demoH = 120, 32

// startDemoAsPane runs `ferry --demo` as the tmux pane's own process (exec,
// so the pane's pid is ferry's and a signal reaches ferry alone) and returns
// the tmux server, ferry's pid and the sandbox the banner names.
func startDemoAsPane(t *testing.T) (*tmux, int, string) {
	t.Helper()
	bin := buildFerry(t)
	home := t.TempDir()
	cmd := fmt.Sprintf("exec env HOME=%q TERM=xterm-256color %q --demo 2>%q", home, bin, filepath.Join(home, "stderr"))
	tm := newTmux(t, demoW, demoH, cmd)
	// The banner is drawn below the panes: a screen caught while the
	// first frame is still arriving may show the panes without it, or
	// the path cut short, so the path counts once the text after it came.
	banner := regexp.MustCompile(`sandbox (\S+) · SFTP`)
	var sandbox string
	tm.waitScreen("the demo panes and banner", func(s string) bool {
		m := banner.FindStringSubmatch(s)
		if m != nil {
			sandbox = m[1]
		}
		return m != nil && strings.Contains(s, "todo.txt") && strings.Contains(s, "README.txt")
	})
	if _, err := os.Stat(sandbox); err != nil {
		t.Fatalf("sandbox from the banner: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(tm.run("list-panes", "-t", "e2e", "-F", "#{pane_pid}")))
	if err != nil {
		t.Fatalf("pane pid: %v", err)
	}
	// Should the test fail, take the sandbox along rather than leave it.
	t.Cleanup(func() { os.RemoveAll(sandbox) })
	return tm, pid, sandbox
}

// waitDemoGone waits for ferry to exit and its sandbox to be removed.
func waitDemoGone(t *testing.T, pid int, sandbox, after string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, statErr := os.Stat(sandbox)
		running := processRunning(pid)
		if errors.Is(statErr, os.ErrNotExist) && !running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10s after %s: sandbox %s: %v; ferry (pid %d) still running: %v", after, sandbox, statErr, pid, running)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTmuxDemoRemovesSandboxWhenTerminalCloses kills the tmux session under
// the demo, as closing a terminal window does, while it downloads the
// 200 MB sample: ferry gets SIGHUP and must still stop the transfer and its
// servers and remove the sandbox, without asking as F10 would.
func TestTmuxDemoRemovesSandboxWhenTerminalCloses(t *testing.T) {
	tm, pid, sandbox := startDemoAsPane(t)
	// The cursor starts on the remote pane's first entry; walk down to
	// releases/ and copy it (the dialog for a directory takes Enter). The
	// rows are read from a screen that shows both, not one caught while
	// the pane redraws.
	var docs, releases int
	tm.waitScreen("docs/ and releases/ in the right pane", func(s string) bool {
		docs, releases = rightRowOf(s, "docs/"), rightRowOf(s, "releases/")
		return docs > 0 && releases > docs
	})
	keys := []string{"Tab"}
	for range releases - docs {
		keys = append(keys, "Down")
	}
	tm.keys(keys...)
	tm.keys("F5")
	tm.waitScreen("the copy dialog for releases/", func(s string) bool { return strings.Contains(s, "Copy releases/") })
	tm.keys("Enter")
	// The copy takes about a second here; it may be over by the time the
	// screen is read, and the sandbox must go either way.
	screen := tm.waitScreen("the download", func(s string) bool {
		return strings.Contains(s, "1 active") || strings.Contains(s, "1 done")
	})
	if strings.Contains(screen, "1 active") {
		t.Log("closing the terminal with the download running")
	} else {
		t.Log("closing the terminal after the download")
	}
	tm.run("kill-session", "-t", "e2e")
	waitDemoGone(t, pid, sandbox, "kill-session")
}

// TestTmuxDemoRemovesSandboxOnSIGTERM sends SIGTERM, as kill(1) and
// service managers do, with the terminal still there.
func TestTmuxDemoRemovesSandboxOnSIGTERM(t *testing.T) {
	_, pid, sandbox := startDemoAsPane(t)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitDemoGone(t, pid, sandbox, "SIGTERM")
}

// rightRowOf is the 1-based screen row holding text in the demo's right
// pane, or 0.
func rightRowOf(screen, text string) int {
	for i, line := range strings.Split(screen, "\n") {
		if r := []rune(line); len(r) > demoW/2 && strings.Contains(string(r[demoW/2:]), text) {
			return i + 1
		}
	}
	return 0
}

// processRunning says whether pid is alive. A zombie is not: once the tmux
// server is gone, ferry's parent may be an init that never reaps it.
func processRunning(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		if _, perr := os.Stat("/proc/self/stat"); perr == nil {
			return false // /proc works and has no such process
		}
		return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	}
	// The state follows the command name's closing parenthesis.
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || !strings.HasPrefix(string(stat[i+1:]), " Z")
}
