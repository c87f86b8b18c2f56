package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/ui"
)

// siteSetting is one bookmark field the site manager edits as text, the
// same ones `ferry bookmark add` takes as flags.
type siteSetting struct {
	key, label string
	get        func(s *bookmarks.Site) string
	set        func(s *bookmarks.Site, v string) error
}

var siteSettings = []siteSetting{
	{"key_file", "SSH key file", func(s *bookmarks.Site) string { return s.KeyFile },
		func(s *bookmarks.Site, v string) error { s.KeyFile = v; return nil }},
	{"auth", "SSH auth order", func(s *bookmarks.Site) string {
		var m []string
		for _, a := range s.AuthOrder {
			m = append(m, string(a))
		}
		return strings.Join(m, ",")
	}, func(s *bookmarks.Site, v string) error {
		s.AuthOrder = nil
		for _, m := range strings.Split(v, ",") {
			if m = strings.TrimSpace(m); m != "" {
				s.AuthOrder = append(s.AuthOrder, bookmarks.AuthMethod(m))
			}
		}
		return nil
	}},
	{"local_dir", "Local directory", func(s *bookmarks.Site) string { return s.LocalDir },
		func(s *bookmarks.Site, v string) error { s.LocalDir = v; return nil }},
	{"ftp_mode", "FTP mode (passive|active)", func(s *bookmarks.Site) string { return string(s.FTP.Mode) },
		func(s *bookmarks.Site, v string) error { s.FTP.Mode = bookmarks.FTPMode(v); return nil }},
	{"ftp_type", "FTP type (auto|binary|ascii)", func(s *bookmarks.Site) string { return string(s.FTP.Type) },
		func(s *bookmarks.Site, v string) error { s.FTP.Type = bookmarks.TransferMode(v); return nil }},
	{"encoding", "Name encoding", func(s *bookmarks.Site) string { return s.FTP.Encoding },
		func(s *bookmarks.Site, v string) error { s.FTP.Encoding = v; return nil }},
	{"parallel", "Parallel transfers", func(s *bookmarks.Site) string {
		if s.Transfer.Parallel == 0 {
			return ""
		}
		return strconv.Itoa(s.Transfer.Parallel)
	}, func(s *bookmarks.Site, v string) error {
		if v == "" {
			s.Transfer.Parallel = 0
			return nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("parallel transfers: %q is not a number of 0 or more", v)
		}
		s.Transfer.Parallel = n
		return nil
	}},
	{"rate", "Rate limit (500K, 2M)", func(s *bookmarks.Site) string { return s.Transfer.RateLimit },
		func(s *bookmarks.Site, v string) error { s.Transfer.RateLimit = v; return nil }},
	{"conflict", "On conflict (overwrite, skip…)", func(s *bookmarks.Site) string { return s.Transfer.Conflict },
		func(s *bookmarks.Site, v string) error { s.Transfer.Conflict = v; return nil }},
	{"proxy", "Proxy (socks5://h:1080, none)", func(s *bookmarks.Site) string { return s.Proxy },
		func(s *bookmarks.Site, v string) error { s.Proxy = v; return nil }},
	{"exclude", "Exclude (.git node_modules)", func(s *bookmarks.Site) string { return strings.Join(s.Exclude, " ") },
		func(s *bookmarks.Site, v string) error { s.Exclude = strings.Fields(v); return nil }},
}

// settingsOf lists a saved bookmark's settings for the site manager.
func settingsOf(s *bookmarks.Site) []ui.Setting {
	out := make([]ui.Setting, len(siteSettings))
	for i, st := range siteSettings {
		out[i] = ui.Setting{Key: st.key, Label: st.label, Value: st.get(s)}
	}
	return out
}

// applySettings sets what the site manager sent back on s; keys it does
// not know are an error, so a typo never passes for a saved setting.
func applySettings(s *bookmarks.Site, settings []ui.Setting) error {
	for _, in := range settings {
		found := false
		for _, st := range siteSettings {
			if st.key == in.Key {
				if err := st.set(s, strings.TrimSpace(in.Value)); err != nil {
					return err
				}
				found = true
			}
		}
		if !found {
			return fmt.Errorf("unknown bookmark setting %q", in.Key)
		}
	}
	return nil
}
