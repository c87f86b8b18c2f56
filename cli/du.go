package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/ferryhq/ferry/treewalk"
)

type duJSON struct {
	Path  string `json:"path"`
	Bytes int64  `json:"bytes"`
	Files int64  `json:"files"`
	Dirs  int64  `json:"dirs"`
	Links int64  `json:"links"`
}

// runDu adds up a tree: one line per directory just below ADDRESS and one
// for ADDRESS itself (only that with -s), in bytes, as du -b prints them.
func runDu(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "du")
	var cf connFlags
	cf.register(fs)
	summary := fs.Bool("s", false, "print only the total")
	human := fs.Bool("human", false, "sizes as 1.5M rather than bytes")
	asJSON := fs.Bool("json", false, "print JSON lines with bytes, files, dirs and links")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 1 {
		return e.errorf(exitUsage, "du takes one address; see ferry help du")
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
	if st, err := c.Stat(ctx, root); err == nil && !st.IsDir() {
		return e.errorf(exitFailed, "du %s: not a directory", root)
	}
	var total treewalk.Usage
	below := map[string]*treewalk.Usage{} // the directories just below root
	status := exitOK
	err = treewalk.Walk(ctx, c, root, walkOptions(conn, site, c), func(it treewalk.Item) error {
		if it.Err != nil {
			total.Errors++
			status = e.errorf(exitFailed, "%v", it.Err)
			return nil
		}
		total.Add(it.Entry)
		if *summary {
			return nil
		}
		rel := strings.TrimPrefix(it.Path, strings.TrimSuffix(root, "/")+"/")
		top, _, nested := strings.Cut(rel, "/")
		if !nested && !(it.Entry.IsDir() && !it.Entry.IsLink()) {
			return nil
		}
		u := below[top]
		if u == nil {
			u = &treewalk.Usage{}
			below[top] = u
		}
		if nested {
			u.Add(it.Entry)
		}
		return nil
	})
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	names := make([]string, 0, len(below))
	for n := range below {
		names = append(names, n)
	}
	sort.Strings(names)
	enc := json.NewEncoder(e.Out)
	print := func(p string, u treewalk.Usage) {
		switch {
		case *asJSON:
			enc.Encode(duJSON{Path: p, Bytes: u.Bytes, Files: u.Files, Dirs: u.Dirs, Links: u.Links})
		case *human:
			fmt.Fprintf(e.Out, "%s\t%s\n", humanBytes(u.Bytes), p)
		default:
			fmt.Fprintf(e.Out, "%d\t%s\n", u.Bytes, p)
		}
	}
	for _, n := range names {
		print(path.Join(root, n), *below[n])
	}
	print(root, total)
	return status
}
