package ftpd

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// lsLine formats one entry the way `ls -l` (and so vsftpd, proftpd and
// pure-ftpd) does: recent files show "Mon DD HH:MM", older or future ones
// "Mon DD  YYYY"; symlinks end in " -> target".
func lsLine(fi fs.FileInfo, name, target string, now time.Time) string {
	mt := fi.ModTime().UTC()
	var when string
	if age := now.Sub(mt); age >= 0 && age < 182*24*time.Hour {
		when = mt.Format("Jan _2 15:04")
	} else {
		when = mt.Format("Jan _2  2006")
	}
	nlink := 1
	if fi.IsDir() {
		nlink = 2
	}
	line := fmt.Sprintf("%s %3d %-8s %-8s %12d %s %s", protocol.ModeString(fi.Mode()), nlink, "ftp", "ftp", fi.Size(), when, name)
	if fi.Mode()&fs.ModeSymlink != 0 && target != "" {
		line += " -> " + target
	}
	return line
}

// mlsxFacts formats RFC 3659 facts ending in ';'. kind overrides the type
// fact ("cdir", "pdir").
func mlsxFacts(fi fs.FileInfo, kind string) string {
	var b strings.Builder
	typ, perm := "file", "adfrw"
	switch {
	case fi.IsDir():
		typ, perm = "dir", "flcdmpe"
	case !fi.Mode().IsRegular():
		typ, perm = "OS.unix=special", ""
	}
	if kind != "" {
		typ = kind
	}
	b.WriteString("type=" + typ + ";")
	if !fi.IsDir() {
		b.WriteString("size=" + strconv.FormatInt(fi.Size(), 10) + ";")
	}
	b.WriteString("modify=" + fi.ModTime().UTC().Format(mdtmLayout) + ";")
	if perm != "" {
		b.WriteString("perm=" + perm + ";")
	}
	b.WriteString(fmt.Sprintf("unix.mode=0%o;", fi.Mode().Perm()))
	if u := uniqueFact(fi); u != "" {
		b.WriteString("unique=" + u + ";")
	}
	return b.String()
}

// listable reports whether a name can be sent on a line-based listing; a
// name with CR or LF would forge a second entry.
func listable(name string) bool {
	return !strings.ContainsAny(name, "\r\n")
}
