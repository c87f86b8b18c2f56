package ui

import (
	"slices"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/ferryhq/ferry/protocol"
)

// style is a precomputed SGR prefix. Rows are styled by string concatenation
// rather than lipgloss rendering, so a frame of a huge directory stays cheap.
type style string

const reset = "\x1b[m"

// render wraps s in the style; an empty style leaves s as it is.
func (s style) render(str string) string {
	if s == "" || str == "" {
		return str
	}
	return string(s) + str + reset
}

// theme holds every style the UI draws with. With NoColor it keeps only
// attributes (bold, reverse, underline), which NO_COLOR allows.
type theme struct {
	header, headerFocus  style
	path                 style
	colHeader            style
	dir, link            style
	marked               style
	cursor, cursorDim    style
	newer, missing, diff style
	warn, errStyle, ok   style
	dim                  style
	dialogTitle          style
	dialogBorder         style
	alarm                style
	key                  style
	secure, insecure     style
	// frameFocus and frameDim draw the focused and the other pane's
	// border; frameTitle is the connection's name in it.
	frameFocus, frameDim, frameTitle style
	noColor                          bool

	// kinds is the file name style per entry type; files colours plain
	// files by suffix (LS_COLORS, or the theme's own groups).
	kinds [kindCount]style
	files *lsColors
	// icons, when set, puts Nerd Font glyphs before names.
	icons *iconSet

	// opts is what the theme was built from, to build it again when the
	// terminal reports its background.
	opts themeOptions
}

// themeOptions choose a theme: its name ("default", "light",
// "high-contrast", "no-color"), the terminal's background, overrides from
// config.toml's [theme] table, LS_COLORS and icons.
type themeOptions struct {
	name     string
	dark     bool
	noColor  bool
	colors   map[string]string
	lsColors string
	icons    bool
	// ls is LS_COLORS parsed, kept across rebuilds.
	ls *lsColors
}

// themeFor builds the App's theme from its options; dark is the assumed
// background until the terminal says otherwise.
func themeFor(o Options, dark bool) theme {
	return newTheme(themeOptions{
		name:     o.Theme,
		dark:     dark,
		noColor:  o.NoColor || o.Theme == "no-color",
		colors:   o.ThemeColors,
		lsColors: o.LSColors,
		icons:    o.Icons,
	})
}

// withBackground is the theme rebuilt for a dark or light background.
func (t *theme) withBackground(dark bool) theme {
	o := t.opts
	o.dark = dark
	return newTheme(o)
}

// nameStyle is the style of an entry's row by its type and, for plain
// files, its suffix; lower is its name in lower case.
func (t *theme) nameStyle(e *protocol.Entry, lower string) style {
	k := kindOf(e)
	if k == kindFile && t.files != nil {
		if st, ok := t.files.extStyle(lower); ok {
			return st
		}
	}
	return t.kinds[k]
}

// icon is the cell before a name: a glyph and a space when icons are on.
func (t *theme) icon(e *protocol.Entry, lower string) string {
	if t.icons == nil {
		return ""
	}
	return t.icons.cell(e, lower)
}

// parentIcon is the icon cell of the ".." row.
func (t *theme) parentIcon() string {
	if t.icons == nil {
		return ""
	}
	return t.icons.dir
}

// spec is one style in a palette: colours as lipgloss reads them ("#7D56F4",
// "75") and attributes.
type spec struct {
	fg, bg                   string
	bold, underline, reverse bool
	faint, italic            bool
}

func (s spec) style(noColor bool) style {
	st := ansi.NewStyle()
	if s.bold {
		st = st.Bold()
	}
	if s.faint {
		st = st.Faint()
	}
	if s.italic {
		st = st.Italic(true)
	}
	if s.underline {
		st = st.Underline(true)
	}
	if s.reverse {
		st = st.Reverse(true)
	}
	if !noColor {
		if s.fg != "" {
			st = st.ForegroundColor(lipgloss.Color(s.fg))
		}
		if s.bg != "" {
			st = st.BackgroundColor(lipgloss.Color(s.bg))
		}
	}
	if len(st) == 0 {
		return ""
	}
	return style(st.String())
}

// themeColorKeys are the names config.toml's [theme] table may set, each a
// colour; a "_bg" key sets a background. config.ThemeColorKeys lists the
// same names (a test checks).
var themeColorKeys = []string{
	"header", "header_bg", "header_focus", "header_focus_bg", "path",
	"col_header", "marked", "cursor", "cursor_bg", "cursor_dim", "cursor_dim_bg",
	"newer", "missing", "diff", "warn", "error", "ok", "dim", "dialog_title", "dialog_border",
	"alarm", "alarm_bg", "key", "secure", "insecure",
	"frame_focus", "frame_dim", "frame_title",
	"dir", "link", "exec", "special", "archive", "image", "media", "document",
}

// palette is a theme's styles by key (the [theme] keys without "_bg").
type palette map[string]spec

func darkPalette() palette {
	return palette{
		"header":        {fg: "252", bg: "238"},
		"header_focus":  {fg: "231", bg: "25", bold: true},
		"path":          {fg: "75", bold: true},
		"col_header":    {fg: "245", underline: true},
		"marked":        {fg: "220", bold: true},
		"cursor":        {fg: "16", bg: "116"},
		"cursor_dim":    {bg: "237"},
		"newer":         {fg: "114", bold: true},
		"missing":       {fg: "213"},
		"diff":          {fg: "209"},
		"warn":          {fg: "214", bold: true},
		"error":         {fg: "203", bold: true},
		"ok":            {fg: "114"},
		"dim":           {fg: "244"},
		"dialog_title":  {fg: "117", bold: true},
		"dialog_border": {fg: "117"},
		"alarm":         {fg: "231", bg: "160", bold: true},
		"key":           {fg: "117", bold: true},
		"secure":        {fg: "114"},
		"insecure":      {fg: "214", bold: true},
		"frame_focus":   {fg: "75"},
		"frame_dim":     {fg: "240"},
		"frame_title":   {fg: "252", bold: true},
		"dir":           {fg: "75", bold: true},
		"link":          {fg: "80"},
		"exec":          {fg: "114"},
		"special":       {fg: "179"},
		"archive":       {fg: "209"},
		"image":         {fg: "176"},
		"media":         {fg: "141"},
		"document":      {fg: "223"},
	}
}

// lightPalette keeps the dark one's meaning with darker inks for a light
// background.
func lightPalette() palette {
	return palette{
		"header":        {fg: "236", bg: "252"},
		"header_focus":  {fg: "231", bg: "25", bold: true},
		"path":          {fg: "25", bold: true},
		"col_header":    {fg: "242", underline: true},
		"marked":        {fg: "130", bold: true},
		"cursor":        {fg: "231", bg: "31"},
		"cursor_dim":    {bg: "253"},
		"newer":         {fg: "28", bold: true},
		"missing":       {fg: "127"},
		"diff":          {fg: "166"},
		"warn":          {fg: "130", bold: true},
		"error":         {fg: "160", bold: true},
		"ok":            {fg: "28"},
		"dim":           {fg: "244"},
		"dialog_title":  {fg: "25", bold: true},
		"dialog_border": {fg: "25"},
		"alarm":         {fg: "231", bg: "160", bold: true},
		"key":           {fg: "25", bold: true},
		"secure":        {fg: "28"},
		"insecure":      {fg: "130", bold: true},
		"frame_focus":   {fg: "25"},
		"frame_dim":     {fg: "249"},
		"frame_title":   {fg: "236", bold: true},
		"dir":           {fg: "25", bold: true},
		"link":          {fg: "30"},
		"exec":          {fg: "28"},
		"special":       {fg: "94"},
		"archive":       {fg: "124"},
		"image":         {fg: "90"},
		"media":         {fg: "55"},
		"document":      {fg: "94"},
	}
}

// highContrastPalette uses the brightest of the 16 base colours, on black
// and white, for low vision and washed-out screens.
func highContrastPalette() palette {
	return palette{
		"header":        {fg: "16", bg: "231"},
		"header_focus":  {fg: "16", bg: "11", bold: true},
		"path":          {fg: "15", bold: true},
		"col_header":    {fg: "15", underline: true, bold: true},
		"marked":        {fg: "11", bold: true},
		"cursor":        {fg: "16", bg: "14", bold: true},
		"cursor_dim":    {fg: "16", bg: "250"},
		"newer":         {fg: "10", bold: true},
		"missing":       {fg: "13", bold: true},
		"diff":          {fg: "11"},
		"warn":          {fg: "11", bold: true},
		"error":         {fg: "9", bold: true},
		"ok":            {fg: "10"},
		"dim":           {fg: "250"},
		"dialog_title":  {fg: "15", bold: true},
		"dialog_border": {fg: "11"},
		"alarm":         {fg: "231", bg: "196", bold: true},
		"key":           {fg: "11", bold: true},
		"secure":        {fg: "10", bold: true},
		"insecure":      {fg: "11", bold: true},
		"frame_focus":   {fg: "11", bold: true},
		"frame_dim":     {fg: "250"},
		"frame_title":   {fg: "15", bold: true},
		"dir":           {fg: "12", bold: true},
		"link":          {fg: "14", bold: true},
		"exec":          {fg: "10", bold: true},
		"special":       {fg: "11", bold: true},
		"archive":       {fg: "9", bold: true},
		"image":         {fg: "13", bold: true},
		"media":         {fg: "13", bold: true},
		"document":      {fg: "15"},
	}
}

// plainPalette is NO_COLOR's: attributes only.
func plainPalette() palette {
	return palette{
		"header":        {reverse: true},
		"header_focus":  {reverse: true, bold: true},
		"path":          {bold: true},
		"col_header":    {underline: true},
		"marked":        {bold: true, underline: true},
		"cursor":        {reverse: true},
		"cursor_dim":    {underline: true},
		"newer":         {bold: true},
		"missing":       {italic: true},
		"diff":          {underline: true},
		"warn":          {bold: true},
		"error":         {bold: true},
		"dim":           {faint: true},
		"dialog_title":  {bold: true},
		"dialog_border": {bold: true},
		"alarm":         {bold: true, reverse: true},
		"key":           {bold: true},
		"insecure":      {bold: true},
		"frame_focus":   {bold: true},
		"frame_dim":     {faint: true},
		"frame_title":   {bold: true},
		"dir":           {bold: true},
	}
}

// fileGroups are the suffixes the built-in themes colour when LS_COLORS is
// not set, by palette key.
func fileGroups() map[string][]string {
	return map[string][]string{
		"archive":  {".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip", ".7z", ".rar", ".deb", ".rpm", ".jar", ".iso"},
		"image":    {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".ico", ".tif", ".tiff", ".heic"},
		"media":    {".mp3", ".flac", ".ogg", ".opus", ".wav", ".m4a", ".mp4", ".mkv", ".webm", ".avi", ".mov"},
		"document": {".pdf", ".epub", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".md", ".txt"},
	}
}

func newTheme(o themeOptions) theme {
	var p palette
	switch {
	case o.noColor:
		p = plainPalette()
	case o.name == "light":
		p = lightPalette()
	case o.name == "high-contrast":
		p = highContrastPalette()
	case o.dark:
		p = darkPalette()
	default:
		p = lightPalette()
	}
	// [theme] overrides; config.Validate has named any bad key or colour,
	// so what is left unknown here is ignored.
	user := map[string]bool{}
	if !o.noColor {
		for k, v := range o.colors {
			if !validColor(v) || !slices.Contains(themeColorKeys, k) {
				continue
			}
			key, bg := k, false
			if n := len(k) - len("_bg"); n > 0 && k[n:] == "_bg" {
				key, bg = k[:n], true
			}
			s := p[key]
			if bg {
				s.bg = v
			} else {
				s.fg = v
				user[key] = true
			}
			p[key] = s
		}
	}
	st := func(k string) style { return p[k].style(o.noColor) }
	t := theme{
		header:       st("header"),
		headerFocus:  st("header_focus"),
		path:         st("path"),
		colHeader:    st("col_header"),
		dir:          st("dir"),
		link:         st("link"),
		marked:       st("marked"),
		cursor:       st("cursor"),
		cursorDim:    st("cursor_dim"),
		newer:        st("newer"),
		missing:      st("missing"),
		diff:         st("diff"),
		warn:         st("warn"),
		errStyle:     st("error"),
		ok:           st("ok"),
		dim:          st("dim"),
		dialogTitle:  st("dialog_title"),
		dialogBorder: st("dialog_border"),
		alarm:        st("alarm"),
		key:          st("key"),
		secure:       st("secure"),
		insecure:     st("insecure"),
		frameFocus:   st("frame_focus"),
		frameDim:     st("frame_dim"),
		frameTitle:   st("frame_title"),
		noColor:      o.noColor,
	}
	if o.icons {
		t.icons = newIconSet()
	}
	byKey := map[fileKind]string{
		kindDir: "dir", kindStickyOtherWritable: "dir", kindOtherWritable: "dir", kindSticky: "dir",
		kindLink: "link", kindOrphan: "link", kindExec: "exec", kindSetuid: "exec", kindSetgid: "exec",
		kindPipe: "special", kindSocket: "special", kindBlock: "special", kindChar: "special",
	}
	for k, key := range byKey {
		t.kinds[k] = st(key)
	}
	if o.noColor {
		t.opts = o
		return t
	}
	if o.ls == nil && o.lsColors != "" {
		o.ls = parseLSColors(o.lsColors)
	}
	if ls := o.ls; ls != nil {
		// LS_COLORS colours names as ls does; a kind it does not name
		// keeps the theme's, and a kind [theme] sets wins over it.
		for k := range t.kinds {
			if user[byKey[fileKind(k)]] {
				continue
			}
			if st, ok := ls.kindStyle(fileKind(k)); ok {
				t.kinds[k] = st
			}
		}
		t.files = ls
	} else {
		files := &lsColors{exts: map[string]style{}}
		for key, exts := range fileGroups() {
			for _, e := range exts {
				files.exts[e] = st(key)
			}
		}
		t.files = files
	}
	t.opts = o
	return t
}

// validColor accepts what the [theme] table may hold: "#rgb", "#rrggbb" or
// an ANSI colour number 0-255 (config.Validate applies the same rule).
func validColor(v string) bool {
	if len(v) > 0 && v[0] == '#' {
		if len(v) != 4 && len(v) != 7 {
			return false
		}
		for i := 1; i < len(v); i++ {
			c := v[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		return true
	}
	if len(v) == 0 || len(v) > 3 {
		return false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
		n = n*10 + int(v[i]-'0')
	}
	return n <= 255
}
