package ftp

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// parseDOS reads the listing of IIS and other Windows servers:
//
//	01-31-24  09:15PM       <DIR>          name
//	01-31-2024  09:15AM             1234 file name
//
// Times are the server's local time, read as UTC.
func parseDOS(line string, _ time.Time) (protocol.Entry, bool) {
	f := fieldsWithPos(line)
	if len(f) < 4 {
		return protocol.Entry{}, false
	}
	var d time.Time
	var err error
	for _, layout := range []string{"01-02-06", "01-02-2006", "2006-01-02"} {
		if d, err = time.Parse(layout, f[0].s); err == nil {
			break
		}
	}
	if err != nil {
		return protocol.Entry{}, false
	}
	var tm time.Time
	for _, layout := range []string{"03:04PM", "3:04PM", "15:04"} {
		if tm, err = time.Parse(layout, strings.ToUpper(f[1].s)); err == nil {
			break
		}
	}
	if err != nil {
		return protocol.Entry{}, false
	}
	e := protocol.Entry{ModTime: d.Add(time.Duration(tm.Hour())*time.Hour + time.Duration(tm.Minute())*time.Minute), Mode: 0o644}
	if strings.EqualFold(f[2].s, "<DIR>") {
		e.Mode = fs.ModeDir | 0o755
	} else {
		n, err := strconv.ParseInt(strings.ReplaceAll(f[2].s, ",", ""), 10, 64)
		if err != nil || n < 0 {
			return protocol.Entry{}, false
		}
		e.Size = n
	}
	e.Name = line[f[3].start:]
	return e, true
}
