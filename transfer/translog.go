package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// logFile is the transfer log's name in the state dir.
const logFile = "transfer.log"

// transferLog appends one tab-separated line per finished file:
//
//	time  direction  site  remote-path  local-path  bytes  seconds  bytes/s  result  error
//
// direction is get, put or copy (local to local, or site to site, where
// site reads "from>to" and the paths are source and target). Paths and the
// error are quoted Go strings, so a hostile name cannot forge a line.
//
// Lines gather in memory and reach the file on every event tick and on
// close: finish runs under the engine's lock, and a write there per file
// held every worker up behind the disk.
//
// The log rotates: past maxLogSize the file becomes transfer.log.1
// (replacing the one before) and a new one starts, so two files bound it.
// Without that it grew by some 190 bytes a file for good: 440 MB after
// two days of benchmark trees on one machine.
type transferLog struct {
	mu    sync.Mutex
	name  string
	limit int64
	f     *os.File
	size  int64  // of the file
	buf   []byte // lines not yet written
}

// maxLogSize is the size past which the transfer log rotates: some 90,000
// lines.
const maxLogSize = 16 << 20

func openTransferLog(dir string) (*transferLog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("transfer log: %w", err)
	}
	l := &transferLog{name: filepath.Join(dir, logFile), limit: maxLogSize}
	rotateLog(l.name, l.limit)
	f, size, err := openLog(l.name)
	if err != nil {
		return nil, fmt.Errorf("transfer log: %w", err)
	}
	l.f, l.size = f, size
	return l, nil
}

func openLog(name string) (*os.File, int64, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// rotateLog moves name to name.1 once it has grown past limit. Of two
// ferries that find it so at once, the lock beside it lets one rotate;
// the other follows to the new file before it writes again.
func rotateLog(name string, limit int64) {
	if st, err := os.Stat(name); err != nil || st.Size() < limit {
		return
	}
	lock := flock.New(name+".lock", flock.SetPermissions(0o600))
	if ok, err := lock.TryLock(); err != nil || !ok {
		return
	}
	defer lock.Unlock()
	if st, err := os.Stat(name); err != nil || st.Size() < limit {
		return // rotated meanwhile
	}
	os.Rename(name, name+".1") //nolint:errcheck // the log must never fail a transfer
}

func (l *transferLog) write(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, line...)
}

// flush sends the gathered lines to the file.
func (l *transferLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked() //nolint:errcheck // the log must never fail a transfer
}

// flushLocked writes the gathered lines to the log as it now is: rotated
// first if it has grown too big, reopened if another ferry rotated it.
func (l *transferLog) flushLocked() error {
	if len(l.buf) == 0 {
		return nil
	}
	if l.size >= l.limit {
		rotateLog(l.name, l.limit)
	}
	cur, err1 := l.f.Stat()
	now, err2 := os.Stat(l.name)
	if err1 != nil || err2 != nil || !os.SameFile(cur, now) {
		// Keep appending where we were if the new file will not open:
		// lines in the rotated log are better than lost ones.
		if f, size, err := openLog(l.name); err == nil {
			l.f.Close()
			l.f, l.size = f, size
		}
	}
	n, err := l.f.Write(l.buf)
	l.size += int64(n)
	l.buf = l.buf[:0]
	return err
}

func (l *transferLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.flushLocked()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// record logs a finished file job; callers hold e.mu.
func (e *engine) record(j *job, took time.Duration) {
	if e.tlog == nil || j.dir {
		return
	}
	e.tlog.write(logLine(e.clock.Now(), j.srcID, j.dstID, j.srcPath, j.dstPath, j.bytes.Load(), took, j.state.String(), j.err))
}

// recordSkipped logs an entry a walk refused or failed to expand; callers
// hold e.mu.
func (e *engine) recordSkipped(d *job, p, result string, err error) {
	if e.tlog == nil {
		return
	}
	e.tlog.write(logLine(e.clock.Now(), d.srcID, d.dstID, p, d.dstPath, 0, 0, result, err))
}

func logLine(now time.Time, srcID, dstID, srcPath, dstPath string, bytes int64, took time.Duration, result string, err error) string {
	dir, site, remote, local := "copy", srcID+">"+dstID, srcPath, dstPath
	switch {
	case srcID == "local" && dstID != "local":
		dir, site, remote, local = "put", dstID, dstPath, srcPath
	case srcID != "local" && dstID == "local":
		dir, site, remote, local = "get", srcID, srcPath, dstPath
	}
	rate := 0.0
	if took > 0 {
		rate = float64(bytes) / took.Seconds()
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	return strings.Join([]string{
		now.UTC().Format(time.RFC3339), dir, site, strconv.Quote(remote), strconv.Quote(local),
		strconv.FormatInt(bytes, 10), strconv.FormatFloat(took.Seconds(), 'f', 3, 64),
		strconv.FormatFloat(rate, 'f', 0, 64), result, strconv.Quote(msg),
	}, "\t") + "\n"
}
