package ftpd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Commands that act on one path without a data connection.

func (s *session) cmdPWD(string) error {
	return s.reply(257, quote(s.cwd)+" is the current directory")
}

func (s *session) cmdCWD(arg string) error {
	virtual, rel := s.resolve(arg)
	fi, err := s.srv.root.Stat(rel)
	if err != nil {
		return s.replyErr(err)
	}
	if !fi.IsDir() {
		return s.reply(550, "Failed to change directory: not a directory.")
	}
	s.cwd = virtual
	return s.reply(250, "Directory successfully changed.")
}

func (s *session) cmdCDUP(string) error { return s.cmdCWD("..") }

func (s *session) cmdMKD(arg string) error {
	virtual, rel := s.resolve(arg)
	if rel == "." {
		return s.reply(550, "File exists.")
	}
	if err := s.srv.root.Mkdir(rel, 0o755); err != nil {
		return s.replyErr(err)
	}
	return s.reply(257, quote(virtual)+" created")
}

func (s *session) cmdRMD(arg string) error {
	_, rel := s.resolve(arg)
	if rel == "." {
		return s.reply(550, "Permission denied.")
	}
	fi, err := s.srv.root.Lstat(rel)
	if err != nil {
		return s.replyErr(err)
	}
	if !fi.IsDir() {
		return s.reply(550, "Not a directory.")
	}
	if err := s.srv.root.Remove(rel); err != nil {
		return s.replyErr(err)
	}
	return s.reply(250, "Remove directory operation successful.")
}

func (s *session) cmdDELE(arg string) error {
	_, rel := s.resolve(arg)
	fi, err := s.srv.root.Lstat(rel)
	if err != nil {
		return s.replyErr(err)
	}
	if fi.IsDir() {
		return s.reply(550, "Is a directory.")
	}
	if err := s.srv.root.Remove(rel); err != nil {
		return s.replyErr(err)
	}
	return s.reply(250, "Delete operation successful.")
}

func (s *session) cmdRNFR(arg string) error {
	_, rel := s.resolve(arg)
	if rel == "." {
		return s.reply(550, "Permission denied.")
	}
	if _, err := s.srv.root.Lstat(rel); err != nil {
		return s.replyErr(err)
	}
	s.renameFrom = rel
	return s.reply(350, "Ready for RNTO.")
}

func (s *session) cmdRNTO(arg string) error {
	from := s.renameFrom
	s.renameFrom = ""
	if from == "" {
		return s.reply(503, "RNFR required first.")
	}
	_, rel := s.resolve(arg)
	if rel == "." {
		return s.reply(550, "Permission denied.")
	}
	if err := s.srv.root.Rename(from, rel); err != nil {
		return s.replyErr(err)
	}
	return s.reply(250, "Rename successful.")
}

func (s *session) cmdREST(arg string) error {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n < 0 {
		return s.reply(501, "Bad REST offset.")
	}
	s.rest = n
	return s.reply(350, fmt.Sprintf("Restart position accepted (%d).", n))
}

// regularFile stats p (following symlinks inside Root) and insists on a
// regular file, as SIZE, MDTM and HASH do on real servers.
func (s *session) regularFile(arg string) (fs.FileInfo, string, error) {
	_, rel := s.resolve(arg)
	fi, err := s.srv.root.Stat(rel)
	if err != nil {
		return nil, rel, err
	}
	if !fi.Mode().IsRegular() {
		return nil, rel, fmt.Errorf("%s: %w", rel, fs.ErrNotExist)
	}
	return fi, rel, nil
}

func (s *session) cmdSIZE(arg string) error {
	fi, _, err := s.regularFile(arg)
	if err != nil {
		return s.reply(550, "Could not get file size.")
	}
	return s.reply(213, strconv.FormatInt(fi.Size(), 10))
}

const mdtmLayout = "20060102150405"

func (s *session) cmdMDTM(arg string) error {
	fi, _, err := s.regularFile(arg)
	if err != nil {
		return s.reply(550, "Could not get file modification time.")
	}
	return s.reply(213, fi.ModTime().UTC().Format(mdtmLayout))
}

// cmdMFMT sets a modification time: "MFMT YYYYMMDDHHMMSS path" (UTC).
func (s *session) cmdMFMT(arg string) error {
	stamp, name, ok := strings.Cut(arg, " ")
	if !ok || name == "" {
		return s.reply(501, "Syntax: MFMT YYYYMMDDHHMMSS path")
	}
	stamp, _, _ = strings.Cut(stamp, ".") // fractional seconds are allowed
	t, err := time.ParseInLocation(mdtmLayout, stamp, time.UTC)
	if err != nil {
		return s.reply(501, "Bad time value.")
	}
	_, rel := s.resolve(name)
	if err := s.srv.root.Chtimes(rel, t, t); err != nil {
		return s.replyErr(err)
	}
	return s.reply(213, "Modify="+t.Format(mdtmLayout)+"; "+name)
}

// cmdHASH answers draft-bryan-ftpext-hash: "213 SHA-256 0-SIZE HEX name".
func (s *session) cmdHASH(arg string) error {
	fi, rel, err := s.regularFile(arg)
	if err != nil {
		return s.reply(550, "No such file or directory.")
	}
	f, err := s.srv.root.Open(rel)
	if err != nil {
		return s.replyErr(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return s.replyErr(err)
	}
	return s.reply(213, fmt.Sprintf("SHA-256 0-%d %s %s", fi.Size(), hex.EncodeToString(h.Sum(nil)), arg))
}

// cmdSITE supports SITE CHMOD, which clients use to set permissions.
func (s *session) cmdSITE(arg string) error {
	fields := strings.SplitN(arg, " ", 3)
	if strings.ToUpper(fields[0]) != "CHMOD" {
		return s.reply(500, "Unknown SITE command.")
	}
	if s.srv.opts.ReadOnly {
		return s.reply(550, "Permission denied.")
	}
	if len(fields) != 3 {
		return s.reply(501, "Syntax: SITE CHMOD mode path")
	}
	mode, err := strconv.ParseUint(fields[1], 8, 32)
	if err != nil || mode > 0o777 {
		return s.reply(501, "Bad mode.")
	}
	_, rel := s.resolve(fields[2])
	if err := s.srv.root.Chmod(rel, fs.FileMode(mode)); err != nil {
		return s.replyErr(err)
	}
	return s.reply(200, "SITE CHMOD command ok.")
}

// cmdMLST describes one path on the control connection (RFC 3659 7).
func (s *session) cmdMLST(arg string) error {
	virtual, rel := s.resolve(arg)
	fi, err := s.srv.root.Stat(rel)
	if err != nil {
		return s.replyErr(err)
	}
	facts := mlsxFacts(fi, "")
	return s.replyLines(250, "Listing "+virtual, []string{facts + " " + virtual}, "End")
}
