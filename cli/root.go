// Package cli is ferry's command line: it parses arguments, resolves sites
// (URLs, scp-style host:path, bookmark names), connects through the protocol
// backends and runs one command, or opens the TUI.
//
// Each command lives in its own file and has the signature of command.run.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/ferryhq/ferry/config"
	"golang.org/x/term"
)

// Version is set by main from the linker flag -X main.version.
var defaultVersion = "dev"

// Stdio is where a command reads and writes; tests pass buffers.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
	// Terminal is true when In and Out are a terminal: progress bars and
	// prompts are shown, and host keys are asked about rather than refused.
	Terminal bool
}

// OSStdio is the process's standard streams.
func OSStdio() Stdio {
	return Stdio{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		Terminal: term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// env is what every command gets: the streams, the environment and the
// version. It holds no connection state; commands connect themselves.
type env struct {
	Stdio
	getenv  func(string) string
	version string
	// background is bookkeeping a command leaves to finish on the side
	// (the recent-sites file), so that it does not hold up the work;
	// Run waits for it before ferry exits.
	background sync.WaitGroup

	cfgOnce sync.Once
	cfg     config.Config
}

// config reads config.toml once per run; a broken file is reported and the
// defaults are used, so ferry always starts.
func (e *env) config() config.Config {
	e.cfgOnce.Do(func() {
		cfg, err := config.Load(config.Path(e.getenv))
		if err != nil {
			fmt.Fprintf(e.Err, "ferry: %v (using defaults)\n", err)
			cfg = config.Default()
		}
		e.cfg = cfg
	})
	return e.cfg
}

type command struct {
	name    string
	summary string
	usage   string // after "ferry NAME"
	example string
	run     func(ctx context.Context, e *env, args []string) int
}

// Exit codes, documented in README.md.
const (
	exitOK       = 0 // everything done
	exitFailed   = 1 // at least one file or operation failed
	exitUsage    = 2 // bad arguments
	exitConnect  = 3 // could not connect or log in
	exitTrust    = 4 // host key or certificate refused
	exitCanceled = 130
)

func commands() []command {
	return []command{
		{"ls", "list a remote or local directory", "[-l] [--json] ADDRESS", "ferry ls -l sftp://alice@example.com/var/log", runLs},
		{"get", "download files", "[-r] [options] REMOTE... LOCAL", "ferry get -r example.com:www ./backup", runGet},
		{"put", "upload files", "[-r] [options] LOCAL... REMOTE", "ferry put -r ./site ftpes://bob@example.com/www", runPut},
		{"cp", "copy between any two endpoints", "[-r] [options] SRC... DST", "ferry cp -r sftp://a/data ftp://b/backup", runCp},
		{"mirror", "make DST a copy of SRC (one way)", "[--delete [--delete-excluded]] [--dry-run] [--exclude PATTERN] SRC DST", "ferry mirror ./site mysite:/www --delete", runMirror},
		{"watch", "keep REMOTE up to date with LOCAL as files change", "[--delete] [--dry-run] [--exclude PATTERN] LOCAL REMOTE", "ferry watch ./site mysite:/www --exclude .git", runWatch},
		{"sync", "make two directories equal, both ways", "[--dry-run] [--force] [--checksum] [--exclude PATTERN] A B", "ferry sync ./notes mysite:notes --dry-run", runSync},
		{"mkdir", "create remote directories", "[-p] ADDRESS...", "ferry mkdir -p example.com:backups/2026", runMkdir},
		{"rm", "remove remote files or trees", "[-r] ADDRESS...", "ferry rm -r example.com:old", runRm},
		{"mv", "rename or move on one site", "FROM TO", "ferry mv example.com:a.txt example.com:b.txt", runMv},
		{"chmod", "set permissions, octal or symbolic as chmod(1)", "[-R] [--files-only|--dirs-only] MODE ADDRESS...", "ferry chmod -R u=rwX,go=rX example.com:www", runChmod},
		{"du", "add up the sizes in a tree", "[-s] [--human] [--json] ADDRESS", "ferry du -s example.com:/var/www", runDu},
		{"find", "find entries in a tree by name, type, age or size", "ADDRESS [--name GLOB] [--iname GLOB] [--type f|d] [--newer AGE] [--larger SIZE] [--json]", "ferry find example.com:/var/log --name '*.gz' --newer 7d", runFind},
		{"stat", "describe one file or directory", "[--json] [--checksum] ADDRESS", "ferry stat --checksum ftp://example.com/pub/release.tar.gz", runStat},
		{"touch", "create empty files or set their time to now", "ADDRESS...", "ferry touch example.com:www/.maintenance", runTouch},
		{"ln", "create a symbolic link (SFTP, local)", "-s TARGET LINK", "ferry ln -s releases/v2 example.com:www/current", runLn},
		{"bookmark", "manage saved sites", "add|ls|show|edit|rm|rename|import|export ...", "ferry bookmark add web sftp://deploy@web1.example.com/var/www", runBookmark},
		{"completion", "print a shell completion script", "bash|zsh|fish", "ferry completion bash > /etc/bash_completion.d/ferry", runCompletion},
		{"version", "print the version", "", "ferry version", runVersion},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// Run runs ferry with args (without the program name) and returns the exit
// status. With no command it opens the TUI.
func Run(ctx context.Context, version string, args []string, stdio Stdio) int {
	if version == "" {
		version = defaultVersion
	}
	e := &env{Stdio: stdio, getenv: os.Getenv, version: version}
	defer e.background.Wait()
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "help":
			if len(args) > 1 {
				if c, ok := findCommand(args[1]); ok {
					return c.run(ctx, e, []string{"--help"})
				}
			}
			printHelp(e.Out)
			return exitOK
		case "-v", "--version":
			return runVersion(ctx, e, nil)
		}
		if c, ok := findCommand(args[0]); ok {
			rest := args[1:]
			return c.run(ctx, e, rest)
		}
	}
	return runTUI(ctx, e, args)
}

func runVersion(_ context.Context, e *env, args []string) int {
	if wantsHelp(e, "version", args) {
		return exitOK
	}
	fmt.Fprintf(e.Out, "ferry %s\n", e.version)
	return exitOK
}

// wantsHelp prints a command's help when its only argument is -h or --help,
// for commands that take no flags of their own.
func wantsHelp(e *env, name string, args []string) bool {
	if len(args) != 1 || (args[0] != "-h" && args[0] != "--help") {
		return false
	}
	if c, ok := findCommand(name); ok {
		printCommandHelp(e.Out, c)
	}
	return true
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `ferry — a terminal file-transfer client for SFTP, FTP and FTPS

Usage:
  ferry                       open the dual-pane TUI
  ferry ADDRESS|BOOKMARK      open the TUI connected to a site
  ferry --demo                try ferry against built-in demo servers
  ferry COMMAND [options] ...

Commands:
`)
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Addresses:
  sftp://user@host:port/abs/path    sftp://host/~/relative/to/home
  ftp://host/relative/to/login      ftp://host/%2Fabsolute/path
  ftpes://host (explicit TLS)       ftps://host (implicit TLS)
  user@host:path (scp style, SFTP)  BOOKMARK:path    ./local/path

Run "ferry help COMMAND" for a command's options.
`)
}

func printCommandHelp(w io.Writer, c command) {
	fmt.Fprintf(w, "ferry %s — %s\n\nUsage:\n  ferry %s %s\n\nExample:\n  %s\n", c.name, c.summary, c.name, c.usage, c.example)
}

// errorf prints "ferry: ..." to stderr and returns code.
func (e *env) errorf(code int, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintln(e.Err, "ferry: "+strings.TrimSpace(msg))
	return code
}
