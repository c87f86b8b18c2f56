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
// Version 2 adds each side's hash; a state without any hash is written as
// version 1, so that syncs without --checksum write what they always did
// and an older ferry still reads it.
const (
	stateMagic   = "ferry-sync-state 1"
	stateMagicV2 = "ferry-sync-state 2"
)

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

func (r Record) side(s Side) Entry {
	if s == SideB {
		return r.B
	}
	return r.A
}

// State is the memory of the last successful sync of a pair: every path
// (relative to the roots, slash-separated) both sides had then, and the
// digests of those files where a side's server computed them (Hashes[SideA],
// Hashes[SideB]; nil when none).
type State struct {
	Pair    Pair
	Records map[string]Record
	Hashes  [2]Hashes
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
// line per path: kind, A's size and mtime, B's size and mtime, in version
// 2 A's hash and B's hash ("-" for none), then the path. The path comes
// last so that only it may need quoting.
func readState(r io.Reader) (*State, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil, errors.New("empty file")
	}
	head := strings.Split(sc.Text(), "\t")
	if len(head) != 5 || (head[0] != stateMagic && head[0] != stateMagicV2) {
		return nil, errors.New("not a ferry sync state (or a newer format)")
	}
	cols := 6
	if head[0] == stateMagicV2 {
		cols = 8
	}
	st := &State{Pair: Pair{AID: head[1], APath: head[2], BID: head[3], BPath: head[4]}, Records: map[string]Record{}}
	for n := 2; sc.Scan(); n++ {
		f := strings.SplitN(sc.Text(), "\t", cols)
		if len(f) != cols || (f[0] != "f" && f[0] != "d") {
			return nil, fmt.Errorf("line %d is damaged", n)
		}
		var hashes [2]string
		if cols == 8 {
			for i, h := range f[5:7] {
				if h != "-" {
					if hashAlgo(h) == "" {
						return nil, fmt.Errorf("line %d is damaged", n)
					}
					hashes[i] = h
				}
			}
			f = append(f[:5], f[7])
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
		for i, h := range hashes {
			if h == "" {
				continue
			}
			if st.Hashes[i] == nil {
				st.Hashes[i] = Hashes{}
			}
			st.Hashes[i][p] = h
		}
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
	paths := make([]string, 0, len(st.Records))
	for k := range st.Records {
		paths = append(paths, k)
	}
	hashed := false
	for _, hs := range st.Hashes {
		for k, h := range hs {
			if _, ok := st.Records[k]; !ok {
				continue
			}
			hashed = true
			if hashAlgo(h) == "" || strings.ContainsAny(h, "\t\n ") {
				return fmt.Errorf("hash %q of %q is not algorithm:hex", h, k)
			}
		}
	}
	magic := stateMagic
	if hashed {
		magic = stateMagicV2
	}
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", magic, p.AID, p.APath, p.BID, p.BPath)
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
		if hashed {
			for _, h := range [2]string{st.Hashes[SideA][k], st.Hashes[SideB][k]} {
				if h == "" {
					h = "-"
				}
				buf = append(buf, '\t')
				buf = append(buf, h...)
			}
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
