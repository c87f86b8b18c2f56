package syncer

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// stateMagic opens every state file; the number is the format's version.
const stateMagic = "ferry-sync-state 1"

// Pair names the two sides of a sync for its state file: each side's site
// ID (protocol.Site.ID) and absolute root.
type Pair struct {
	AID, APath string
	BID, BPath string
}

// Key is the state file's name: a hash of both endpoints, so one pair of
// directories always finds its own memory and no other pair's.
func (p Pair) Key() string {
	h := sha256.Sum256([]byte(p.AID + "\x00" + p.APath + "\x00" + p.BID + "\x00" + p.BPath))
	return hex.EncodeToString(h[:12])
}

// StatePath is where the state of pair lives under stateDir (normally
// transfer.DefaultStateDir).
func StatePath(stateDir string, p Pair) string {
	return filepath.Join(stateDir, "sync", p.Key()+".state")
}

// Record is one path as both sides had it at the last successful sync.
type Record struct {
	Dir  bool
	A, B Entry
}

// State is the memory of the last successful sync of a pair: every path
// (relative to the roots, slash-separated) both sides had then.
type State struct {
	Pair    Pair
	Records map[string]Record
}

// LoadState reads the state at file. A missing file is no error: it returns
// nil, and the sync is a first run.
func LoadState(file string) (*State, error) {
	f, err := os.Open(file)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync state: %w", err)
	}
	defer f.Close()
	st, err := readState(f)
	if err != nil {
		return nil, fmt.Errorf("sync state %s: %w", file, err)
	}
	return st, nil
}

// readState parses the format writeState writes: a header line, then one
// line per path: kind, A's size and mtime, B's size and mtime, the path.
// The path comes last so that only it may need quoting.
func readState(r io.Reader) (*State, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil, errors.New("empty file")
	}
	head := strings.Split(sc.Text(), "\t")
	if len(head) != 5 || head[0] != stateMagic {
		return nil, errors.New("not a ferry sync state (or a newer format)")
	}
	st := &State{Pair: Pair{AID: head[1], APath: head[2], BID: head[3], BPath: head[4]}, Records: map[string]Record{}}
	for n := 2; sc.Scan(); n++ {
		f := strings.SplitN(sc.Text(), "\t", 6)
		if len(f) != 6 || (f[0] != "f" && f[0] != "d") {
			return nil, fmt.Errorf("line %d is damaged", n)
		}
		var v [4]int64
		for i := range v {
			x, err := strconv.ParseInt(f[i+1], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d is damaged", n)
			}
			v[i] = x
		}
		p := f[5]
		if strings.HasPrefix(p, `"`) {
			q, err := strconv.Unquote(p)
			if err != nil {
				return nil, fmt.Errorf("line %d is damaged", n)
			}
			p = q
		}
		st.Records[p] = Record{Dir: f[0] == "d", A: Entry{Size: v[0], MTime: v[1]}, B: Entry{Size: v[2], MTime: v[3]}}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return st, nil
}

// SaveState writes st to file atomically: a temporary file beside it,
// flushed to disk, then renamed over the old one. A crash leaves the old
// state or the new one, never half of either.
func SaveState(file string, st *State) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("sync state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".state-*")
	if err != nil {
		return fmt.Errorf("sync state: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	w := bufio.NewWriterSize(tmp, 256<<10)
	err = writeState(w, st)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("sync state: %w", err)
	}
	return nil
}

func writeState(w *bufio.Writer, st *State) error {
	p := st.Pair
	for _, s := range []string{p.AID, p.APath, p.BID, p.BPath} {
		if strings.ContainsAny(s, "\t\n") {
			return fmt.Errorf("endpoint %q has a tab or newline", s)
		}
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", stateMagic, p.AID, p.APath, p.BID, p.BPath)
	paths := make([]string, 0, len(st.Records))
	for k := range st.Records {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	var buf []byte
	for _, k := range paths {
		r := st.Records[k]
		buf = buf[:0]
		if r.Dir {
			buf = append(buf, 'd')
		} else {
			buf = append(buf, 'f')
		}
		for _, v := range [4]int64{r.A.Size, r.A.MTime, r.B.Size, r.B.MTime} {
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, v, 10)
		}
		buf = append(buf, '\t')
		if strings.ContainsAny(k, "\t\n\r\"\\") || !strconv.IsPrint(firstRune(k)) {
			buf = strconv.AppendQuote(buf, k)
		} else {
			buf = append(buf, k...)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return ' '
}
