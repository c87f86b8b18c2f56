package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferryhq/ferry/treewalk"
)

// runFind walks ADDRESS and prints each entry that matches, as it is
// found (one path per line, or JSON lines). It exits 0 when something
// matched and 1 when nothing did, as grep does.
func runFind(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "find")
	var cf connFlags
	cf.register(fs)
	name := fs.String("name", "", "base name matches this `GLOB` (*, ?, [a-z])")
	iname := fs.String("iname", "", "like --name, ignoring case")
	typ := fs.String("type", "", "`f` for files, d for directories")
	newer := fs.String("newer", "", "modified within this `AGE` (30m, 12h, 7d, 2w)")
	larger := fs.String("larger", "", "larger than `SIZE` bytes (10k, 1.5M, 2G)")
	asJSON := fs.Bool("json", false, "print JSON lines with path, size, type, mode and time")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 1 {
		return e.errorf(exitUsage, "find takes one address; see ferry help find")
	}
	m := treewalk.Match{Name: *name, Larger: -1}
	if *iname != "" {
		if *name != "" {
			return e.errorf(exitUsage, "find takes --name or --iname, not both")
		}
		m.Name, m.Fold = *iname, true
	}
	if err := m.Validate(); err != nil {
		return e.errorf(exitUsage, "--name: %v", err)
	}
	switch *typ {
	case "":
	case "f", "d":
		m.Type = (*typ)[0]
	default:
		return e.errorf(exitUsage, "--type must be f or d, not %q", *typ)
	}
	if *newer != "" {
		age, err := treewalk.ParseAge(*newer)
		if err != nil {
			return e.errorf(exitUsage, "--newer: %v", err)
		}
		m.Since = time.Now().Add(-age)
	}
	if *larger != "" {
		n, err := treewalk.ParseSize(*larger)
		if err != nil {
			return e.errorf(exitUsage, "--larger: %v", err)
		}
		m.Larger = n
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	site, c, root, err := openSite(ctx, conn, rest[0])
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	defer c.Close()
	enc := json.NewEncoder(e.Out)
	found := false
	err = treewalk.Walk(ctx, c, root, walkOptions(conn, site, c), func(it treewalk.Item) error {
		if it.Err != nil {
			e.errorf(exitFailed, "%v", it.Err)
			return nil
		}
		if !m.Matches(it.Entry) {
			return nil
		}
		found = true
		if *asJSON {
			j := jsonEntry(it.Entry)
			return enc.Encode(struct {
				Path string `json:"path"`
				entryJSON
			}{it.Path, j})
		}
		_, err := fmt.Fprintln(e.Out, it.Path)
		return err
	})
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if !found {
		return exitFailed
	}
	return exitOK
}
