package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Theme is the theme setting: either a name (theme = "light") or a table
// ([theme]) whose "name" picks the built-in theme and whose other keys
// override its colours.
type Theme struct {
	// Name is "default", "light", "high-contrast" or "no-color".
	Name string
	// Colors are the [theme] table's colours by key (see ThemeColorKeys):
	// "#rrggbb", "#rgb" or an ANSI colour number 0-255.
	Colors map[string]string
}

// Themes are the accepted values of Theme.Name.
var Themes = []string{"default", "light", "high-contrast", "no-color"}

// ThemeColorKeys are the colours a [theme] table may set. A key ending in
// "_bg" is a background; the others are text colours.
var ThemeColorKeys = []string{
	"header", "header_bg", "header_focus", "header_focus_bg", "path",
	"col_header", "marked", "cursor", "cursor_bg", "cursor_dim", "cursor_dim_bg",
	"newer", "missing", "diff", "warn", "error", "ok", "dim", "dialog_title", "dialog_border",
	"alarm", "alarm_bg", "key", "secure", "insecure",
	"frame_focus", "frame_dim", "frame_title",
	"dir", "link", "exec", "special", "archive", "image", "media", "document",
}

// IconSets are the accepted values of Config.Icons.
var IconSets = []string{"none", "nerd"}

// UnmarshalTOML reads theme = "name" or a [theme] table.
func (t *Theme) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		t.Name = v
		return nil
	case map[string]any:
		var bad []string
		for k, val := range v {
			s, ok := val.(string)
			if !ok {
				bad = append(bad, fmt.Sprintf("[theme] %s: must be a string, not %T", k, val))
				continue
			}
			if k == "name" {
				t.Name = s
				continue
			}
			if t.Colors == nil {
				t.Colors = map[string]string{}
			}
			t.Colors[k] = s
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			return fmt.Errorf("%s", strings.Join(bad, "; "))
		}
		return nil
	}
	return fmt.Errorf("theme: must be a name or a table, not %T", v)
}

// validate names each bad key of the theme.
func (t Theme) validate() []error {
	var errs []error
	if !slices.Contains(Themes, t.Name) {
		errs = append(errs, fmt.Errorf("theme = %q: must be one of %s", t.Name, strings.Join(Themes, ", ")))
	}
	keys := make([]string, 0, len(t.Colors))
	for k := range t.Colors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := t.Colors[k]
		switch {
		case !slices.Contains(ThemeColorKeys, k):
			errs = append(errs, fmt.Errorf("[theme] %s: unknown colour (known: name, %s)", k, strings.Join(ThemeColorKeys, ", ")))
		case !IsColor(v):
			errs = append(errs, fmt.Errorf("[theme] %s = %q: not a colour (\"#rrggbb\", \"#rgb\" or 0-255)", k, v))
		}
	}
	return errs
}

// IsColor says whether v is a colour a [theme] table may hold: "#rgb",
// "#rrggbb" or an ANSI colour number 0-255.
func IsColor(v string) bool {
	if strings.HasPrefix(v, "#") {
		if len(v) != 4 && len(v) != 7 {
			return false
		}
		for _, c := range v[1:] {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
		return true
	}
	if v == "" || len(v) > 3 {
		return false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 255
}
