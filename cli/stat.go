package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

type statJSON struct {
	Path string `json:"path"`
	entryJSON
	Checksum  string `json:"checksum,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
}

// runStat describes one entry: what the server says of it and, with
// --checksum, its digest (computed by the server where it can).
func runStat(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "stat")
	var cf connFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	sum := fs.Bool("checksum", false, "also print the file's checksum (server-side HASH/XCRC where offered, else sha256 of its bytes)")
	rest, code := parseOrExit(e, fs, args)
	if code >= 0 {
		return code
	}
	if len(rest) != 1 {
		return e.errorf(exitUsage, "stat takes one address; see ferry help stat")
	}
	conn, err := newConnector(e, cf)
	if err != nil {
		return e.errorf(exitUsage, "%v", err)
	}
	_, c, p, err := openSite(ctx, conn, rest[0])
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	defer c.Close()
	en, err := c.Stat(ctx, p)
	if err != nil {
		return e.errorf(exitFor(err), "%v", err)
	}
	if en.Owner == "" && en.Group == "" && p != "/" {
		en = withListedMode(ctx, c, p, en)
	}
	en.Name = path.Base(p)
	var ck protocol.Checksum
	if *sum && !en.IsDir() {
		if ck, err = protocol.Sum(ctx, c, p, nil); err != nil {
			return e.errorf(exitFor(err), "checksum %s: %v", p, err)
		}
	}
	if *asJSON {
		json.NewEncoder(e.Out).Encode(statJSON{Path: p, entryJSON: jsonEntry(en), Checksum: ck.Sum, Algorithm: ck.Algorithm})
		return exitOK
	}
	j := jsonEntry(en)
	fmt.Fprintf(e.Out, "Name:      %s\nPath:      %s\nType:      %s\n", displayName(en), p, j.Type)
	if !en.IsDir() {
		fmt.Fprintf(e.Out, "Size:      %d (%s)\n", en.Size, humanBytes(en.Size))
	}
	fmt.Fprintf(e.Out, "Mode:      %s (%04o)\n", en.Mode, en.Mode.Perm())
	if !en.ModTime.IsZero() {
		fmt.Fprintf(e.Out, "Modified:  %s\n", en.ModTime.Local().Format(time.RFC3339))
	}
	if en.Owner != "" || en.Group != "" {
		fmt.Fprintf(e.Out, "Owner:     %s\n", strings.TrimSuffix(en.Owner+":"+en.Group, ":"))
	}
	if en.Target != "" {
		fmt.Fprintf(e.Out, "Target:    %s\n", en.Target)
	}
	if ck.Sum != "" {
		where := "read back"
		if ck.Server {
			where = "by the server"
		}
		fmt.Fprintf(e.Out, "Checksum:  %s %s (%s)\n", ck.Algorithm, ck.Sum, where)
	}
	return exitOK
}

// withListedMode fills in the mode, owner and group of en, p's entry as
// Stat gave it, from p's line in its parent's listing. An FTP server
// without MLST is asked SIZE and MDTM, which tell no permissions: Stat
// then gives 0644, and "ferry stat" after "ferry chmod 600" showed 0644.
// An entry without owner or group is the sign; SFTP and local entries
// always carry them, so only such FTP servers pay for the listing. Stat's
// size and time stand, being exact where a listing may round the time
// to the minute; a listing that fails or lacks p changes nothing.
func withListedMode(ctx context.Context, c protocol.Client, p string, en protocol.Entry) protocol.Entry {
	entries, err := c.List(ctx, path.Dir(p))
	if err != nil {
		return en
	}
	for _, le := range entries {
		if le.Name != path.Base(p) || le.IsDir() != en.IsDir() {
			continue
		}
		en.Mode, en.Owner, en.Group = le.Mode, le.Owner, le.Group
		if en.Target == "" {
			en.Target = le.Target
		}
		if en.ModTime.IsZero() {
			en.ModTime = le.ModTime
		}
		break
	}
	return en
}
