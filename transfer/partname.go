package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
	"unicode/utf8"
)

// partSuffix marks a file still being written; it is renamed over the target
// once complete and verified.
const partSuffix = ".ferry-part"

// nameMax is the longest name, in bytes, that every filesystem and server
// ferry meets takes (NAME_MAX on Linux, the BSDs and macOS; OpenSSH,
// vsftpd, proftpd and pure-ftpd pass names to the filesystem as they are).
const nameMax = 255

// partName is where a copy to target is written until it is complete:
// "NAME.ferry-part" beside it when that name, and the segment record
// "NAME.ferry-part.segs" beside it, fit in nameMax bytes. A longer name is
// shortened to a prefix on a UTF-8 boundary, a "~" and 12 hex digits of the
// SHA-256 of the whole name, keeping the extension when it is short (FTP
// picks the transfer type by it): "averylongname~1a2b3c4d5e6f.txt.ferry-part".
// The name depends on the target alone, so a later run (resume, conflict
// check, mirror) finds the same part again.
func partName(target string) string {
	dir, base := path.Split(target)
	if len(base)+len(partSuffix)+len(segsSuffix) <= nameMax {
		return target + partSuffix
	}
	sum := sha256.Sum256([]byte(base))
	tag := "~" + hex.EncodeToString(sum[:6])
	ext := path.Ext(base)
	if len(ext) > 16 || ext == base {
		ext = ""
	}
	keep := nameMax - len(partSuffix) - len(segsSuffix) - len(tag) - len(ext)
	prefix := strings.TrimSuffix(base, ext)
	if len(prefix) > keep {
		prefix = prefix[:keep]
		for len(prefix) > 0 && !utf8.ValidString(prefix) {
			prefix = prefix[:len(prefix)-1] // do not split a character
		}
	}
	return dir + prefix + tag + ext + partSuffix
}

// PartName is the name a copy to target writes to until it is complete
// (see partName); callers that plan copies use it to find parts to resume.
func PartName(target string) string { return partName(target) }

// IsPartName reports whether name (a base name) is one of ferry's parts or
// a segment record beside one, which copies and mirrors never treat as
// files of the tree.
func IsPartName(name string) bool {
	return strings.HasSuffix(name, partSuffix) || strings.HasSuffix(name, partSuffix+segsSuffix)
}
