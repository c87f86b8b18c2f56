package ftp

import (
	"fmt"
	"path"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// AutoType chooses the transfer type for `--ftp-type auto`: ASCII for
// names whose extension marks them as text, binary for everything else.
// Binary is the safe default: ASCII mode corrupts binary files, while text
// sent in binary merely keeps its line endings.
func AutoType(name string) protocol.TransferType {
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".text", ".htm", ".html", ".css", ".js", ".json", ".xml", ".csv", ".tsv",
		".md", ".rst", ".tex", ".ini", ".cfg", ".conf", ".sh", ".bat", ".cmd", ".php",
		".pl", ".py", ".rb", ".c", ".h", ".cc", ".cpp", ".hpp", ".go", ".java", ".sql",
		".log", ".svg", ".yml", ".yaml", ".toml", ".asp", ".jsp", ".nfo", ".diz":
		return protocol.TypeASCII
	}
	return protocol.TypeBinary
}

// ParseTransferType reads the `--ftp-type` value: "binary", "ascii" or
// "auto"; auto reports fixed=false, and the caller uses AutoType per file.
func ParseTransferType(s string) (t protocol.TransferType, fixed bool, err error) {
	switch s {
	case "binary", "i", "I":
		return protocol.TypeBinary, true, nil
	case "ascii", "a", "A":
		return protocol.TypeASCII, true, nil
	case "auto", "":
		return protocol.TypeBinary, false, nil
	}
	return protocol.TypeBinary, false, fmt.Errorf(`FTP type must be "binary", "ascii" or "auto", not %q`, s)
}
