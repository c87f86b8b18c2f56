package cli

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
)

// connFlags are the connection options every command and the TUI accept.
type connFlags struct {
	identities stringList
	knownHosts string
	sshConfig  string
	trust      string
	ftpMode    string
	ftpType    string
	tls        string
	caFile     string
	proxy      string
	timeout    time.Duration
	debug      bool
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.identities, "i", "SSH private key `FILE` (repeatable)")
	fs.Var(&c.identities, "identity", "SSH private key `FILE` (repeatable)")
	fs.StringVar(&c.knownHosts, "known-hosts", "", "known_hosts `FILE` (default ~/.ssh/known_hosts)")
	fs.StringVar(&c.sshConfig, "ssh-config", "", "ssh config `FILE` (default ~/.ssh/config; \"none\" to ignore)")
	fs.StringVar(&c.trust, "trust", "", "unknown host keys and certificates: `ask|accept-new|strict` (default: ask on a terminal, strict otherwise)")
	fs.StringVar(&c.ftpMode, "ftp-mode", "", "FTP data connections: `passive|active` (default passive, or the bookmark's)")
	fs.StringVar(&c.ftpType, "ftp-type", "", "FTP transfer type: `binary|ascii|auto` (default binary, or the bookmark's or config's)")
	fs.StringVar(&c.tls, "tls", "", "FTP TLS: `explicit|implicit|none` (default from the scheme: ftpes://, ftps://, ftp://)")
	fs.StringVar(&c.caFile, "ca-file", "", "extra trusted CA certificates for FTPS, PEM `FILE`")
	fs.StringVar(&c.proxy, "proxy", "", "connect through a proxy: socks5://, socks5h:// or http://[user:pass@]host:port, or `none` to ignore ALL_PROXY (default ALL_PROXY, or the bookmark's)")
	fs.DurationVar(&c.timeout, "timeout", 0, "connect and reply `timeout` (default 15s, or ConnectTimeout from ssh config)")
	fs.BoolVar(&c.debug, "debug", false, "print the protocol conversation (passwords masked) to stderr")
}

func (c *connFlags) trustMode(terminal bool) (protocol.TrustMode, error) {
	if c.trust == "" {
		if terminal {
			return protocol.TrustAsk, nil
		}
		return protocol.TrustStrict, nil
	}
	return protocol.ParseTrustMode(c.trust)
}

func (c *connFlags) validate() error {
	switch c.ftpMode {
	case "", "passive", "active":
	default:
		return fmt.Errorf("--ftp-mode must be passive or active, not %q", c.ftpMode)
	}
	switch c.ftpType {
	case "", "binary", "ascii", "auto":
	default:
		return fmt.Errorf("--ftp-type must be binary, ascii or auto, not %q", c.ftpType)
	}
	switch c.tls {
	case "", "explicit", "implicit", "none":
	default:
		return fmt.Errorf("--tls must be explicit, implicit or none, not %q", c.tls)
	}
	if c.proxy != "" && c.proxy != "none" {
		if _, err := proxy.Parse(c.proxy); err != nil {
			return fmt.Errorf("--proxy: %w", err)
		}
	}
	if c.trust != "" {
		if _, err := protocol.ParseTrustMode(c.trust); err != nil {
			return fmt.Errorf("--trust: %w", err)
		}
	}
	return nil
}

// errHelp means -h was given and usage has been printed.
var errHelp = flag.ErrHelp

// newFlagSet makes a flag set for one command that prints its help on -h.
func newFlagSet(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("ferry "+name, flag.ContinueOnError)
	fs.SetOutput(e.Err)
	fs.Usage = func() {
		if c, ok := findCommand(name); ok {
			printCommandHelp(e.Out, c)
		}
		fmt.Fprintln(e.Out, "\nOptions:")
		fs.SetOutput(e.Out)
		fs.PrintDefaults()
		fs.SetOutput(e.Err)
	}
	return fs
}

// parseInterleaved parses flags found anywhere among args (ferry get URL
// . -r works like ferry get -r URL .); "--" ends flag parsing.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(positional, tail...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseOrExit parses args and turns errors into exit codes: -1 to go on.
func parseOrExit(e *env, fs *flag.FlagSet, args []string) ([]string, int) {
	rest, err := parseInterleaved(fs, args)
	if errors.Is(err, errHelp) {
		return nil, exitOK
	}
	if err != nil {
		return nil, exitUsage
	}
	return rest, -1
}
