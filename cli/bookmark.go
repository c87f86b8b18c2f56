package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/config"
	"github.com/ferryhq/ferry/protocol"
)

// bookmarkDeps is what `ferry bookmark` works on; tests build their own
// with a temporary directory and an in-memory keyring.
type bookmarkDeps struct {
	paths   bookmarks.Paths
	cfg     config.Config
	secrets bookmarks.Secrets
}

// loadBookmarkDeps finds the user's files and secret store. A broken
// config.toml is reported and its defaults used.
func loadBookmarkDeps(ctx context.Context, e *env) (bookmarkDeps, error) {
	paths, err := bookmarks.DefaultPaths(e.getenv)
	if err != nil {
		return bookmarkDeps{}, err
	}
	cfg, err := config.Load(config.Path(e.getenv))
	if err != nil {
		fmt.Fprintf(e.Err, "ferry: warning: %v\n", err)
	}
	p := newTermPrompter(e)
	sec := &lazySecrets{open: func() bookmarks.Secrets {
		return bookmarks.OpenSecrets(ctx, cfg.Secrets, paths, func(ctx context.Context, create bool) (string, error) {
			return masterPassword(ctx, p, create)
		})
	}}
	return bookmarkDeps{paths: paths, cfg: cfg, secrets: sec}, nil
}

func masterPassword(ctx context.Context, p protocol.Prompter, create bool) (string, error) {
	req := protocol.SecretRequest{Kind: protocol.SecretPassword, Site: "ferry secrets", Prompt: "Master password for ferry's secrets file: "}
	if create {
		req.Prompt = "New master password for ferry's secrets file: "
	}
	pw, err := p.Secret(ctx, req)
	if err != nil || !create {
		return pw, err
	}
	req.Prompt = "Repeat the master password: "
	again, err := p.Secret(ctx, req)
	if err != nil {
		return "", err
	}
	if again != pw {
		return "", errors.New("the two master passwords differ")
	}
	return pw, nil
}

const bookmarkUsage = `Usage:
  ferry bookmark add NAME URL [--folder F] [-i|--key FILE] [--ftp-mode passive|active]
                     [--ftp-type auto|binary|ascii] [--encoding ENC] [--local-dir DIR]
                     [--parallel N] [--rate 2M] [--conflict POLICY] [--auth a,b]
                     [--exclude PATTERN]...
                     [--notes TEXT] [--password-prompt | --password-stdin] [--replace]
  ferry bookmark ls [--json]          bookmarks and ~/.ssh/config hosts
  ferry bookmark show NAME
  ferry bookmark edit                 open bookmarks.toml in $EDITOR, checked on save
  ferry bookmark rm NAME...
  ferry bookmark rename OLD NEW
  ferry bookmark import filezilla|lftp|netrc FILE [--dry-run]
  ferry bookmark export [--format toml|urls] [NAME...]   (never includes secrets)

A bookmark name works wherever an address does: ferry NAME, ferry get NAME:path .
Passwords go to the OS keyring (or ferry asks each time), never to the file.

Example:
  ferry bookmark add web sftp://deploy@web1.example.com/var/www --key ~/.ssh/deploy
  ferry get web:logs/app.log .
`

func runBookmark(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.Out, bookmarkUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	deps, err := loadBookmarkDeps(ctx, e)
	if err != nil {
		return e.errorf(exitFailed, "%v", err)
	}
	return runBookmarkWith(ctx, e, deps, args)
}

func runBookmarkWith(ctx context.Context, e *env, deps bookmarkDeps, args []string) int {
	st, err := bookmarks.Open(deps.paths)
	sub, rest := args[0], args[1:]
	switch sub {
	case "ls", "list", "show", "export", "edit":
		// ferry still works with a broken file: reading commands go on and
		// say why some sites may be missing; every write refuses with the
		// same error until edit fixes the file.
		if err != nil {
			fmt.Fprintf(e.Err, "ferry: %v\n", err)
		}
	}
	b := &bookmarkCmd{e: e, deps: deps, st: st}
	switch sub {
	case "add":
		return b.add(ctx, rest)
	case "ls", "list":
		return b.ls(rest)
	case "show":
		return b.show(ctx, rest)
	case "edit":
		return b.edit(ctx, rest)
	case "rm", "remove":
		return b.rm(ctx, rest)
	case "rename", "mv":
		return b.rename(ctx, rest)
	case "import":
		return b.importSites(ctx, rest)
	case "export":
		return b.export(rest)
	}
	fmt.Fprint(e.Err, bookmarkUsage)
	return e.errorf(exitUsage, "unknown bookmark command %q", sub)
}

type bookmarkCmd struct {
	e    *env
	deps bookmarkDeps
	st   *bookmarks.Store
}

func (b *bookmarkCmd) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("ferry bookmark "+name, flag.ContinueOnError)
	fs.SetOutput(b.e.Err)
	fs.Usage = func() { fmt.Fprint(b.e.Out, bookmarkUsage) }
	return fs
}

// parse parses flags anywhere among args; -1 means go on.
func (b *bookmarkCmd) parse(fs *flag.FlagSet, args []string, min, max int) ([]string, int) {
	rest, code := parseOrExit(b.e, fs, args)
	if code >= 0 {
		return nil, code
	}
	if len(rest) < min || (max >= 0 && len(rest) > max) {
		fmt.Fprint(b.e.Err, bookmarkUsage)
		return nil, exitUsage
	}
	return rest, -1
}

func (b *bookmarkCmd) add(ctx context.Context, args []string) int {
	fs := b.flags("add")
	var (
		folder, key, ftpMode, ftpType, encoding, localDir, rate, conflict, auth, notes, proxyURL string
		parallel                                                                                 int
		prompt, stdin, replace                                                                   bool
		exclude                                                                                  stringList
	)
	fs.StringVar(&folder, "folder", "", "folder in the site manager (Clients/Acme)")
	fs.StringVar(&key, "key", "", "SSH private key file")
	// -i and --identity name the key on every other command; here they
	// are --key, so the same habit works.
	fs.StringVar(&key, "i", "", "SSH private key file (same as --key)")
	fs.StringVar(&key, "identity", "", "SSH private key file (same as --key)")
	fs.StringVar(&ftpMode, "ftp-mode", "", "FTP data connections: passive|active")
	fs.StringVar(&ftpType, "ftp-type", "", "FTP transfer type: auto|binary|ascii")
	fs.StringVar(&encoding, "encoding", "", "server file name encoding (latin1, cp1251, ...)")
	fs.StringVar(&localDir, "local-dir", "", "local starting directory")
	fs.IntVar(&parallel, "parallel", 0, "maximum parallel transfers to this site")
	fs.StringVar(&rate, "rate", "", "bandwidth limit per second (500K, 2M)")
	fs.StringVar(&conflict, "conflict", "", "existing targets: "+strings.Join(bookmarks.ConflictPolicies, "|"))
	fs.StringVar(&auth, "auth", "", "SSH auth order, comma separated (agent,publickey,keyboard-interactive,password)")
	fs.StringVar(&notes, "notes", "", "free notes")
	fs.Var(&exclude, "exclude", "leave `PATTERN` out of copies from and to the site (gitignore syntax; repeatable)")
	fs.StringVar(&proxyURL, "proxy", "", "proxy for this site: socks5://, socks5h:// or http://[user@]host:port, or none to ignore ALL_PROXY")
	fs.BoolVar(&prompt, "password-prompt", false, "ask for the password now and save it in the keyring")
	fs.BoolVar(&stdin, "password-stdin", false, "read the password from standard input and save it in the keyring")
	fs.BoolVar(&replace, "replace", false, "replace a bookmark of the same name")
	rest, code := b.parse(fs, args, 2, 2)
	if code >= 0 {
		return code
	}
	site, password, err := bookmarks.FromURL(rest[0], rest[1])
	if err != nil {
		return b.e.errorf(exitUsage, "%v", err)
	}
	if password != "" {
		fmt.Fprintln(b.e.Err, "ferry: warning: a password in an address is visible in shell history and ps; prefer --password-prompt")
	}
	site.Folder, site.KeyFile, site.LocalDir, site.Notes, site.Proxy = folder, key, localDir, notes, proxyURL
	site.FTP.Mode, site.FTP.Type, site.FTP.Encoding = bookmarks.FTPMode(ftpMode), bookmarks.TransferMode(ftpType), encoding
	site.Transfer = bookmarks.TransferOptions{Parallel: parallel, RateLimit: rate, Conflict: conflict}
	site.Exclude = exclude
	if auth != "" {
		for _, m := range strings.Split(auth, ",") {
			site.AuthOrder = append(site.AuthOrder, bookmarks.AuthMethod(strings.TrimSpace(m)))
		}
	}
	if err := site.Validate(); err != nil {
		return b.e.errorf(exitUsage, "%v", err)
	}
	switch {
	case prompt && stdin:
		return b.e.errorf(exitUsage, "--password-prompt and --password-stdin exclude each other")
	case prompt:
		password, err = newTermPrompter(b.e).Secret(ctx, protocol.SecretRequest{Kind: protocol.SecretPassword, Site: site.Name, Prompt: "Password for " + site.Name + ": "})
	case stdin:
		password, err = readLine(b.e.In)
	}
	if err != nil {
		return b.e.errorf(exitFailed, "read password: %v", err)
	}
	if replace {
		err = b.st.Put(ctx, site)
	} else {
		err = b.st.Add(ctx, site)
	}
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	if password != "" {
		if err := b.deps.secrets.Set(ctx, site.SecretKey(), bookmarks.KindPassword, password); err != nil {
			fmt.Fprintf(b.e.Err, "ferry: bookmark saved, password not: %v\n", err)
			return exitFailed
		}
	}
	fmt.Fprintf(b.e.Out, "saved %s: %s\n", site.Name, site.URL())
	return exitOK
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// listing is one line of `ferry bookmark ls --json`.
type listing struct {
	Kind     string `json:"kind"` // "bookmark" or "ssh-config"
	Name     string `json:"name"`
	URL      string `json:"url"`
	Folder   string `json:"folder,omitempty"`
	Shadowed bool   `json:"shadowed,omitempty"`
}

func (b *bookmarkCmd) ls(args []string) int {
	fs := b.flags("ls")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if _, code := b.parse(fs, args, 0, 0); code >= 0 {
		return code
	}
	entries, err := b.st.Entries()
	if err != nil {
		fmt.Fprintf(b.e.Err, "ferry: ssh config: %v\n", err)
	}
	if *asJSON {
		enc := json.NewEncoder(b.e.Out)
		for _, en := range entries {
			enc.Encode(listing{Kind: en.Source.String(), Name: en.Name, URL: en.URL(), Folder: en.Folder, Shadowed: en.Shadowed})
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(b.e.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tURL\tFOLDER")
	for _, en := range entries {
		folder := en.Folder
		if en.Shadowed {
			folder = "(hidden by the bookmark " + en.Name + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", en.Source, en.Name, en.URL(), folder)
	}
	tw.Flush()
	return exitOK
}

func (b *bookmarkCmd) show(ctx context.Context, args []string) int {
	rest, code := b.parse(b.flags("show"), args, 1, 1)
	if code >= 0 {
		return code
	}
	site, ok := b.st.Lookup(rest[0])
	if !ok {
		return b.e.errorf(exitFailed, "%q: %v", rest[0], bookmarks.ErrNotFound)
	}
	data, err := bookmarks.Export([]bookmarks.Site{site})
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	text := string(data)
	if i := strings.Index(text, "[[site]]"); i >= 0 {
		text = text[i:]
	}
	fmt.Fprintf(b.e.Out, "# %s, %s\n%s", site.Source, site.URL(), text)
	for _, k := range bookmarks.Kinds {
		_, err := b.deps.secrets.Get(ctx, site.SecretKey(), k)
		state := "saved"
		switch {
		case errors.Is(err, bookmarks.ErrNoSecret):
			state = "not saved"
		case err != nil:
			state = "unknown (" + err.Error() + ")"
		}
		fmt.Fprintf(b.e.Out, "# %s: %s\n", k, state)
	}
	return exitOK
}

// edit opens a private copy of bookmarks.toml in the editor, checks it
// when the editor exits, and only then replaces the file, so a mistake
// never lands on disk. The copy is kept on error so no work is lost.
func (b *bookmarkCmd) edit(ctx context.Context, args []string) int {
	if _, code := b.parse(b.flags("edit"), args, 0, 0); code >= 0 {
		return code
	}
	old, err := b.st.Raw()
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	content := old
	if content == nil {
		content, _ = bookmarks.Export(nil)
	}
	dir := b.deps.paths.ConfigDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	tmp, err := os.CreateTemp(dir, "bookmarks-edit-*.toml")
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	tmpName := tmp.Name()
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmpName)
		return b.e.errorf(exitFailed, "write %s: %v", tmpName, err)
	}
	editor := strings.Fields(b.deps.cfg.EditorCommand(b.e.getenv))
	cmd := exec.CommandContext(ctx, editor[0], append(editor[1:], tmpName)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = b.e.In, b.e.Out, b.e.Err
	if err := cmd.Run(); err != nil {
		os.Remove(tmpName)
		return b.e.errorf(exitFailed, "editor %s: %v; bookmarks unchanged", editor[0], err)
	}
	edited, err := os.ReadFile(tmpName)
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	if string(edited) == string(content) {
		os.Remove(tmpName)
		fmt.Fprintln(b.e.Out, "no changes")
		return exitOK
	}
	if err := b.st.Replace(ctx, old, edited); err != nil {
		return b.e.errorf(exitFailed, "%v\nthe old file is kept; your edit is in %s", err, tmpName)
	}
	os.Remove(tmpName)
	fmt.Fprintf(b.e.Out, "saved %s (%d sites)\n", b.st.Path(), len(b.st.Sites()))
	return exitOK
}

func (b *bookmarkCmd) rm(ctx context.Context, args []string) int {
	fs := b.flags("rm")
	keep := fs.Bool("keep-secrets", false, "leave the saved password in the keyring")
	rest, code := b.parse(fs, args, 1, -1)
	if code >= 0 {
		return code
	}
	status := exitOK
	for _, name := range rest {
		if err := b.st.Remove(ctx, name); err != nil {
			if _, ok := b.st.Lookup(name); ok && errors.Is(err, bookmarks.ErrNotFound) {
				err = fmt.Errorf("%q comes from ~/.ssh/config; edit that file to remove it", name)
			}
			status = b.e.errorf(exitFailed, "%v", err)
			continue
		}
		if !*keep {
			if err := bookmarks.DeleteSecrets(ctx, b.deps.secrets, name); err != nil {
				fmt.Fprintf(b.e.Err, "ferry: %v\n", err)
			}
		}
		fmt.Fprintf(b.e.Out, "removed %s\n", name)
	}
	return status
}

func (b *bookmarkCmd) rename(ctx context.Context, args []string) int {
	rest, code := b.parse(b.flags("rename"), args, 2, 2)
	if code >= 0 {
		return code
	}
	if err := b.st.Rename(ctx, rest[0], rest[1]); err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	if err := bookmarks.MoveSecrets(ctx, b.deps.secrets, rest[0], rest[1]); err != nil {
		return b.e.errorf(exitFailed, "renamed, but the saved password did not follow: %v", err)
	}
	fmt.Fprintf(b.e.Out, "renamed %s to %s\n", rest[0], rest[1])
	return exitOK
}

func (b *bookmarkCmd) importSites(ctx context.Context, args []string) int {
	fs := b.flags("import")
	dry := fs.Bool("dry-run", false, "show what would be imported")
	rest, code := b.parse(fs, args, 2, 2)
	if code >= 0 {
		return code
	}
	var parse func([]byte) ([]bookmarks.Imported, []string, error)
	switch rest[0] {
	case "filezilla":
		parse = bookmarks.ImportFileZilla
	case "lftp":
		parse = bookmarks.ImportLftp
	case "netrc":
		parse = bookmarks.ImportNetrc
	default:
		return b.e.errorf(exitUsage, "import: unknown format %q (filezilla, lftp or netrc)", rest[0])
	}
	data, err := os.ReadFile(rest[1])
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	items, warnings, err := parse(data)
	for _, w := range warnings {
		fmt.Fprintf(b.e.Err, "ferry: %s: %s\n", filepath.Base(rest[1]), w)
	}
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	if *dry {
		for _, it := range items {
			pw := ""
			if it.Password != "" {
				pw = "  (password to keyring)"
			}
			fmt.Fprintf(b.e.Out, "%s\t%s%s\n", it.Site.Name, it.Site.URL(), pw)
		}
		return exitOK
	}
	res, err := bookmarks.Import(ctx, b.st, b.deps.secrets, items)
	fmt.Fprintf(b.e.Out, "imported %d sites, %d passwords to the keyring\n", len(res.Added), res.Secrets)
	if err != nil {
		return b.e.errorf(exitFailed, "%v", err)
	}
	return exitOK
}

func (b *bookmarkCmd) export(args []string) int {
	fs := b.flags("export")
	format := fs.String("format", "toml", "toml (bookmarks.toml) or urls (NAME URL lines, lftp style)")
	rest, code := b.parse(fs, args, 0, -1)
	if code >= 0 {
		return code
	}
	sites := b.st.Sites()
	if len(rest) > 0 {
		var picked []bookmarks.Site
		for _, name := range rest {
			s, ok := b.st.Get(name)
			if !ok {
				return b.e.errorf(exitFailed, "%q: %v", name, bookmarks.ErrNotFound)
			}
			picked = append(picked, s)
		}
		sites = picked
	}
	switch *format {
	case "toml":
		data, err := bookmarks.Export(sites)
		if err != nil {
			return b.e.errorf(exitFailed, "%v", err)
		}
		b.e.Out.Write(data)
	case "urls":
		for _, s := range sites {
			fmt.Fprintf(b.e.Out, "%s\t%s\n", strings.ReplaceAll(s.Name, " ", `\ `), s.URL())
		}
	default:
		return b.e.errorf(exitUsage, "export: unknown format %q (toml or urls)", *format)
	}
	return exitOK
}

// addressResolver turns command-line addresses into sites to dial: a
// bookmark name or ssh config alias works wherever a URL does. The root
// command and the TUI's connect function use it in place of protocol.Parse.
type addressResolver struct {
	store   *bookmarks.Store
	secrets bookmarks.Secrets
}

// newAddressResolver opens the user's bookmarks. A broken bookmarks file is
// reported on stderr and resolution goes on without it (ssh aliases and
// URLs still work).
func newAddressResolver(ctx context.Context, e *env) (*addressResolver, error) {
	deps, err := loadBookmarkDeps(ctx, e)
	if err != nil {
		return nil, err
	}
	st, err := bookmarks.Open(deps.paths)
	if err != nil {
		fmt.Fprintf(e.Err, "ferry: warning: %v\n", err)
	}
	return &addressResolver{store: st, secrets: deps.secrets}, nil
}

// resolve reads arg. connect is true for `ferry ADDR` (a bare NAME is
// allowed); false for path arguments, where scp's rules hold. bm is the
// bookmark or alias behind the site, nil for a plain URL or host.
func (r *addressResolver) resolve(arg string, connect bool) (protocol.Site, *bookmarks.Site, error) {
	if connect {
		return r.store.ResolveConnect(arg)
	}
	return r.store.Resolve(arg)
}

// credentials are the user and password to log in with before asking; see
// bookmarks.Store.Credentials.
func (r *addressResolver) credentials(ctx context.Context, ps protocol.Site, bm *bookmarks.Site) (user, password string) {
	return r.store.Credentials(ctx, r.secrets, ps, bm)
}

// record remembers a successful connection for the connect dialog.
func (r *addressResolver) record(ctx context.Context, ps protocol.Site, bm *bookmarks.Site) error {
	return r.store.AddRecent(ctx, bookmarks.RecentFor(ps, bm, time.Now()))
}
