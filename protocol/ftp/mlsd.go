package ftp

import (
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// parseMLSx reads one RFC 3659 fact line, as MLSD sends per entry and MLST
// in its reply: "type=file;size=1234;modify=20240131091500;perm=r; name".
// Times are UTC. It reports the type fact too, so callers can skip the
// "cdir" and "pdir" entries.
func parseMLSx(line string) (e protocol.Entry, typ string, ok bool) {
	facts, name, found := strings.Cut(line, " ")
	if !found || name == "" {
		return protocol.Entry{}, "", false
	}
	e.Name = name
	permKnown := false
	for _, fact := range strings.Split(facts, ";") {
		k, v, ok := strings.Cut(fact, "=")
		if !ok {
			continue
		}
		switch strings.ToLower(k) {
		case "type":
			typ = strings.ToLower(v)
			switch {
			case typ == "dir" || typ == "cdir" || typ == "pdir":
				e.Mode |= fs.ModeDir
			case strings.HasPrefix(typ, "os.unix=slink") || strings.HasPrefix(typ, "os.unix=symlink"):
				e.Mode |= fs.ModeSymlink
				if _, target, ok := strings.Cut(v, ":"); ok {
					e.Target = target
				}
			case strings.HasPrefix(typ, "os.unix=chr") || strings.HasPrefix(typ, "os.unix=blk"):
				e.Mode |= fs.ModeDevice
			}
		case "size", "sizd":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
				e.Size = n
			}
		case "modify":
			if t, ok := parseMLSTime(v); ok {
				e.ModTime = t
			}
		case "unix.owner", "unix.user":
			e.Owner = v
		case "unix.group":
			e.Group = v
		case "unix.uid":
			if e.Owner == "" {
				e.Owner = v
			}
		case "unix.gid":
			if e.Group == "" {
				e.Group = v
			}
		case "unix.mode":
			// Octal; pyftpdlib writes it as Python's oct() does, "0o640".
			v = strings.TrimPrefix(strings.TrimPrefix(v, "0o"), "0O")
			if m, err := strconv.ParseUint(v, 8, 32); err == nil {
				e.Mode = e.Mode&fs.ModeType | fs.FileMode(m)&fs.ModePerm
				permKnown = true
			}
		}
	}
	if typ == "" {
		return protocol.Entry{}, "", false
	}
	if !permKnown {
		if e.IsDir() {
			e.Mode |= 0o755
		} else {
			e.Mode |= 0o644
		}
	}
	if e.IsDir() {
		e.Size = 0
	}
	return e, typ, true
}

// parseMLSTime reads YYYYMMDDHHMMSS[.sss], as MLSD, MLST and MDTM give it.
func parseMLSTime(v string) (time.Time, bool) {
	if len(v) < 14 {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102150405", v[:14])
	if err != nil {
		return time.Time{}, false
	}
	if len(v) > 15 && v[14] == '.' {
		frac := v[15:]
		if len(frac) > 9 {
			frac = frac[:9]
		}
		if n, err := strconv.Atoi(frac); err == nil && n >= 0 {
			for i := len(frac); i < 9; i++ {
				n *= 10
			}
			t = t.Add(time.Duration(n))
		}
	}
	return t, true
}
