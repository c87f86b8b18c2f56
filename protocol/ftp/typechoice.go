package ftp

import (
	"path"
	"slices"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// partSuffix is how the transfer engine names a file being written; the
// type of "notes.txt.ferry-part" is the type of "notes.txt".
const partSuffix = ".ferry-part"

// typeFor picks the transfer type for p: SetTransferType wins, then
// Config.Type, where "auto" decides by the file's extension.
func (c *Client) typeFor(p string) protocol.TransferType {
	if c.xferSet {
		return c.xfer
	}
	switch strings.ToLower(c.cfg.Type) {
	case "ascii", "a":
		return protocol.TypeASCII
	case "auto":
		name := strings.TrimSuffix(path.Base(p), partSuffix)
		if len(c.cfg.ASCIIExtensions) == 0 {
			return AutoType(name)
		}
		ext := strings.TrimPrefix(strings.ToLower(path.Ext(name)), ".")
		if ext != "" && slices.ContainsFunc(c.cfg.ASCIIExtensions, func(e string) bool {
			return strings.EqualFold(strings.TrimPrefix(e, "."), ext)
		}) {
			return protocol.TypeASCII
		}
	}
	return protocol.TypeBinary
}
