package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

func runLs(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ls")
	var cf connFlags
	cf.register(fs)
	long := fs.Bool("l", false, "long listing: mode, size, time, name")
	asJSON := fs.Bool("json", false, "print entries as JSON lines")
	all := fs.Bool("a", false, "include names starting with a dot")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 1 {
		return e.errorf(exitUsage, "ls takes one address; see ferry help ls")
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	site, err := conn.site(rest[0])
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	c, err := conn.dial(ctx, site)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	defer c.Close()
	dir, err := absPath(ctx, c, site)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	entries, err := c.List(ctx, dir)
	if err != nil {
		if st, serr := c.Stat(ctx, dir); serr == nil && !st.IsDir() {
			st.Name = path.Base(dir)
			entries, err = []protocol.Entry{st}, nil
		}
	}
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	enc := json.NewEncoder(e.Out)
	for _, en := range entries {
		if !*all && strings.HasPrefix(en.Name, ".") {
			continue
		}
		switch {
		case *asJSON:
			enc.Encode(jsonEntry(en))
		case *long:
			fmt.Fprintln(e.Out, longLine(en))
		default:
			fmt.Fprintln(e.Out, displayName(en))
		}
	}
	return exitOK
}

// absPath resolves a site's path against the session's home directory.
func absPath(ctx context.Context, c protocol.Client, s protocol.Site) (string, error) {
	if s.IsLocal() {
		if s.Path == "" {
			return c.Home(ctx)
		}
		return localAbs(s.Path), nil
	}
	if strings.HasPrefix(s.Path, "/") {
		return path.Clean(s.Path), nil
	}
	home, err := c.Home(ctx)
	if err != nil {
		return "", err
	}
	return protocol.Resolve(home, s.Path), nil
}

type entryJSON struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	Type    string    `json:"type"`
	Mode    string    `json:"mode"`
	ModTime time.Time `json:"mtime,omitzero"`
	Target  string    `json:"target,omitempty"`
	Owner   string    `json:"owner,omitempty"`
	Group   string    `json:"group,omitempty"`
	Raw     string    `json:"raw,omitempty"`
}

func jsonEntry(en protocol.Entry) entryJSON {
	t := "file"
	switch {
	case en.IsLink():
		t = "symlink"
	case en.IsDir():
		t = "dir"
	case en.Raw != "":
		t = "unknown"
	}
	return entryJSON{Name: en.Name, Size: en.Size, Type: t, Mode: en.Mode.String(), ModTime: en.ModTime, Target: en.Target, Owner: en.Owner, Group: en.Group, Raw: en.Raw}
}

func displayName(en protocol.Entry) string {
	name := en.Name
	if name == "" {
		name = en.Raw
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, name)
	if en.IsDir() {
		name += "/"
	}
	return name
}

func longLine(en protocol.Entry) string {
	when := "               -"
	if !en.ModTime.IsZero() {
		when = en.ModTime.Local().Format("2006-01-02 15:04")
	}
	name := displayName(en)
	if en.Target != "" {
		name += " -> " + en.Target
	}
	return fmt.Sprintf("%s %12d %s %s", protocol.ModeString(en.Mode), en.Size, when, name)
}
