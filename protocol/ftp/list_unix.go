package ftp

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

var months = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// parseUnix reads one line of `ls -l` output as Unix servers send it:
//
//	drwxr-xr-x   2 user group  4096 Jan 31 09:15 name with spaces
//	-rw-r--r--   1 1000 1000   1234 Jan 31  2020 old file
//	lrwxrwxrwx   1 root root      7 Jan 31 09:15 link -> target
//	crw-rw-rw-   1 root root   1,   3 Jan 31 09:15 null
//	-rw-r--r--   1 owner       1234 2024-01-31 09:15 no group, ISO date
//
// The date is the anchor: the size is the field before it and the name is
// everything after it, so owners, groups and names may hold anything.
// "Mon DD HH:MM" dates lack the year; ls prints them for the last six
// months, so a date in the future belongs to last year. LIST times are in
// the server's zone, which the client cannot know; they are read as UTC.
func parseUnix(line string, now time.Time) (protocol.Entry, bool) {
	if len(line) < 11 {
		return protocol.Entry{}, false
	}
	mode, ok := unixMode(line[:10])
	if !ok {
		return protocol.Entry{}, false
	}
	f := fieldsWithPos(line)
	for i := 2; i+2 < len(f); i++ {
		t, dateEnd, ok := unixDate(line, f, i, now)
		if !ok {
			continue
		}
		size := int64(0)
		if mode.IsRegular() || mode&fs.ModeSymlink != 0 || mode.IsDir() {
			n, err := strconv.ParseInt(f[i-1].s, 10, 64)
			if err != nil || n < 0 {
				continue
			}
			size = n
		}
		// One space separates the date from the name; more are part of it.
		if dateEnd >= len(line) || line[dateEnd] != ' ' {
			return protocol.Entry{}, false
		}
		name := line[dateEnd+1:]
		e := protocol.Entry{Name: name, Size: size, Mode: mode, ModTime: t}
		// mode, links, owner, group, size (a device's "major, minor"
		// takes two fields); a server that leaves out the group has one
		// field fewer.
		switch sizeAt := i - 1; {
		case sizeAt >= 4:
			e.Owner, e.Group = f[2].s, f[3].s
		case sizeAt == 3:
			e.Owner = f[2].s
		}
		if mode&fs.ModeSymlink != 0 {
			if k := strings.Index(name, " -> "); k >= 0 {
				e.Name, e.Target = name[:k], name[k+4:]
			}
		}
		if mode.IsDir() {
			e.Size = 0
		}
		return e, e.Name != ""
	}
	return protocol.Entry{}, false
}

type field struct {
	s          string
	start, end int
}

func fieldsWithPos(line string) []field {
	var out []field
	i := 0
	for i < len(line) {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if i >= len(line) {
			break
		}
		j := i
		for j < len(line) && line[j] != ' ' {
			j++
		}
		out = append(out, field{line[i:j], i, j})
		i = j
	}
	return out
}

// unixDate reads the date starting at field i, returning its end offset.
func unixDate(line string, f []field, i int, now time.Time) (time.Time, int, bool) {
	if d, err := time.Parse("2006-01-02", f[i].s); err == nil {
		if tm, err := time.Parse("15:04", f[i+1].s); err == nil {
			return d.Add(time.Duration(tm.Hour())*time.Hour + time.Duration(tm.Minute())*time.Minute), f[i+1].end, true
		}
		return time.Time{}, 0, false
	}
	mon, ok := months[strings.ToLower(f[i].s)]
	if !ok || len(f[i].s) != 3 {
		return time.Time{}, 0, false
	}
	day, err := strconv.Atoi(f[i+1].s)
	if err != nil || day < 1 || day > 31 {
		return time.Time{}, 0, false
	}
	last := f[i+2].s
	if h, m, ok := strings.Cut(last, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh > 23 || mm > 59 || len(m) != 2 {
			return time.Time{}, 0, false
		}
		now = now.UTC()
		t := time.Date(now.Year(), mon, day, hh, mm, 0, 0, time.UTC)
		if t.After(now.Add(24 * time.Hour)) {
			t = t.AddDate(-1, 0, 0)
		}
		return t, f[i+2].end, true
	}
	year, err := strconv.Atoi(last)
	if err != nil || len(last) != 4 {
		return time.Time{}, 0, false
	}
	return time.Date(year, mon, day, 0, 0, 0, 0, time.UTC), f[i+2].end, true
}

// unixMode reads "drwxr-sr-t" into a FileMode.
func unixMode(s string) (fs.FileMode, bool) {
	var m fs.FileMode
	switch s[0] {
	case '-':
	case 'd':
		m = fs.ModeDir
	case 'l':
		m = fs.ModeSymlink
	case 'c':
		m = fs.ModeDevice | fs.ModeCharDevice
	case 'b':
		m = fs.ModeDevice
	case 'p':
		m = fs.ModeNamedPipe
	case 's':
		m = fs.ModeSocket
	default:
		return 0, false
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		c := s[1+i]
		switch {
		case c == rwx[i]:
			m |= 1 << (8 - i)
		case c == '-':
		case i%3 == 2 && (c == 's' || c == 't'):
			m |= 1 << (8 - i)
			m |= special(i)
		case i%3 == 2 && (c == 'S' || c == 'T'):
			m |= special(i)
		default:
			return 0, false
		}
	}
	return m, true
}

func special(i int) fs.FileMode {
	switch i {
	case 2:
		return fs.ModeSetuid
	case 5:
		return fs.ModeSetgid
	}
	return fs.ModeSticky
}
