package protocol

import (
	"path"
	"strings"
	"unicode"
)

// IsBaseName reports whether n, as a listing gave it, is a plain name to
// join onto the directory listed: not empty, not . or .., no slash. A
// hostile listing must not lead a walk, a delete or a chmod out of the
// tree it was asked about.
func IsBaseName(n string) bool {
	return n != "" && n != "." && n != ".." && path.Base(n) == n
}

// SafeName is IsBaseName for a name that may also land on a local disk:
// no backslash (a separator on Windows) and no control character (C0, DEL
// or C1), which could rewrite a terminal or a log as well.
func SafeName(n string) bool {
	if !IsBaseName(n) || strings.ContainsRune(n, '\\') {
		return false
	}
	for _, r := range n {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
