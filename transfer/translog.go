package transfer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
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
type transferLog struct {
	mu sync.Mutex
	f  *os.File
	w  *bufio.Writer
}

func openTransferLog(dir string) (*transferLog, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("transfer log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, logFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("transfer log: %w", err)
	}
	return &transferLog{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (l *transferLog) write(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.WriteString(line) //nolint:errcheck // the log must never fail a transfer
}

// flush sends the gathered lines to the file.
func (l *transferLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Flush() //nolint:errcheck // as write
}

func (l *transferLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.w.Flush()
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

// recordRefused logs an entry a walk refused; callers hold e.mu.
func (e *engine) recordRefused(d *job, p string, err error) {
	if e.tlog == nil {
		return
	}
	e.tlog.write(logLine(e.clock.Now(), d.srcID, d.dstID, p, d.dstPath, 0, 0, "refused", err))
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
