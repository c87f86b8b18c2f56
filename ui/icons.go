package ui

import (
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// Nerd Font glyphs (https://www.nerdfonts.com/cheat-sheet), all in the
// Basic Multilingual Plane's private use area, which terminals and
// ansi.StringWidth count as one cell. lsd and superfile pick much the same.
const (
	iconDir     = "\uf07b" // nf-fa-folder
	iconFile    = "\uf15b" // nf-fa-file
	iconLink    = "\uf481" // nf-oct-file_symlink_file
	iconExec    = "\uf489" // nf-oct-terminal
	iconSpecial = "\uf1e6" // nf-fa-plug: pipes, sockets, devices
	iconArchive = "\uf410" // nf-oct-file_zip
	iconImage   = "\uf1c5" // nf-fa-file_image_o
	iconAudio   = "\uf1c7" // nf-fa-file_audio_o
	iconVideo   = "\uf1c8" // nf-fa-file_video_o
	iconText    = "\uf15c" // nf-fa-file_text
	iconConfig  = "\ue615" // nf-seti-config
	iconKey     = "\uf084" // nf-fa-key
	iconGit     = "\uf1d3" // nf-fa-git
	iconDB      = "\uf1c0" // nf-fa-database
)

// iconCellWidth is the cells an icon takes before a name: the glyph and a
// space.
const iconCellWidth = 2

// iconCell is a glyph as drawn before a name.
func iconCell(g string) string { return g + " " }

// iconSet maps names and suffixes to icon cells, built once per theme so a
// row costs a map lookup.
type iconSet struct {
	exts                           map[string]string // ".go" → cell
	names                          map[string]string // "makefile" → cell (lower case)
	dir, file, link, exec, special string
}

func newIconSet() *iconSet {
	exts := map[string]string{
		".go": "\ue627", ".py": "\ue606", ".js": "\ue74e", ".mjs": "\ue74e",
		".ts": "\ue628", ".tsx": "\ue7ba", ".jsx": "\ue7ba", ".rs": "\ue7a8",
		".c": "\ue61e", ".h": "\ue61e", ".cpp": "\ue61d", ".cc": "\ue61d", ".hpp": "\ue61d",
		".java": "\ue738", ".rb": "\ue739", ".php": "\ue608", ".lua": "\ue620",
		".vim": "\ue62b", ".html": "\ue736", ".htm": "\ue736", ".css": "\ue749",
		".sh": iconExec, ".bash": iconExec, ".zsh": iconExec, ".fish": iconExec,
		".md": "\uf48a", ".txt": iconText, ".log": iconText, ".csv": iconText,
		".json": "\ue60b", ".yaml": iconConfig, ".yml": iconConfig,
		".toml": iconConfig, ".ini": iconConfig, ".conf": iconConfig, ".cfg": iconConfig,
		".pdf": "\uf1c1", ".doc": "\uf1c2", ".docx": "\uf1c2", ".odt": "\uf1c2",
		".xls": "\uf1c3", ".xlsx": "\uf1c3", ".ods": "\uf1c3",
		".ppt": "\uf1c4", ".pptx": "\uf1c4", ".odp": "\uf1c4",
		".pem": iconKey, ".key": iconKey, ".pub": iconKey, ".crt": iconKey,
		".sql": iconDB, ".db": iconDB, ".sqlite": iconDB,
		".iso": "\uf0a0", ".img": "\uf0a0",
		".lock": "\uf023",
	}
	for _, e := range fileGroups()["archive"] {
		exts[e] = iconArchive
	}
	for _, e := range fileGroups()["image"] {
		exts[e] = iconImage
	}
	for _, e := range []string{".mp3", ".flac", ".ogg", ".opus", ".wav", ".m4a"} {
		exts[e] = iconAudio
	}
	for _, e := range []string{".mp4", ".mkv", ".webm", ".avi", ".mov"} {
		exts[e] = iconVideo
	}
	names := map[string]string{
		".gitignore": iconGit, ".gitattributes": iconGit, ".gitmodules": iconGit,
		"makefile": "\uf0ad", "dockerfile": "\uf308", "license": "\uf02d",
		"readme": "\uf02d", "go.mod": "\ue627", "go.sum": "\ue627",
		"authorized_keys": iconKey, "known_hosts": iconKey,
	}
	s := &iconSet{
		exts: make(map[string]string, len(exts)), names: make(map[string]string, len(names)),
		dir: iconCell(iconDir), file: iconCell(iconFile), link: iconCell(iconLink),
		exec: iconCell(iconExec), special: iconCell(iconSpecial),
	}
	for k, g := range exts {
		s.exts[k] = iconCell(g)
	}
	for k, g := range names {
		s.names[k] = iconCell(g)
	}
	return s
}

// cell is the icon cell for an entry; lower is its name in lower case.
func (s *iconSet) cell(e *protocol.Entry, lower string) string {
	switch kindOf(e) {
	case kindDir, kindSticky, kindOtherWritable, kindStickyOtherWritable:
		return s.dir
	case kindLink, kindOrphan:
		return s.link
	case kindPipe, kindSocket, kindBlock, kindChar:
		return s.special
	}
	if c, ok := s.names[lower]; ok {
		return c
	}
	if i := strings.LastIndexByte(lower, '.'); i >= 0 {
		if c, ok := s.exts[lower[i:]]; ok {
			return c
		}
	}
	if e.Mode&0o111 != 0 {
		return s.exec
	}
	return s.file
}
