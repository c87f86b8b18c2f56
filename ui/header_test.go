package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestPaneHeaderKeepsTheAddressWhole(t *testing.T) {
	for _, tc := range []struct {
		name, sec string
		// tokens are the words the badge may show, whole.
		tokens []string
	}{
		{"demo@127.0.0.1:44953", "SFTP · ssh-ed25519 · aes128-gcm@openssh.com", []string{"SFTP", "·", "ssh-ed25519", "aes128-gcm@openssh.com", "aes128-gcm"}},
		{"bob@ftp.example.com", "FTPS · TLS 1.3 · explicit · data unencrypted", []string{"FTPS", "·", "TLS", "1.3", "explicit", "data", "unencrypted"}},
		{"ftp.example.com", "FTP · unencrypted", []string{"FTP", "·", "unencrypted"}},
	} {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		p := a.panes[1]
		p.ep.Name, p.ep.Local, p.security = tc.name, false, tc.sec
		for _, w := range []int{8, 20, 21, 22, 26, 30, 40, 60, 100} {
			raw := a.paneLines(1, w, 3)[0]
			if got := ansi.StringWidth(raw); got != w {
				t.Errorf("%s at %d cells: the header is %d cells wide: %q", tc.name, w, got, ansi.Strip(raw))
			}
			hdr := ansi.Strip(raw)
			words := strings.Fields(hdr)
			if len(words) == 0 {
				t.Errorf("%s at %d cells: empty header %q", tc.name, w, hdr)
				continue
			}
			if 1+len(tc.name) <= w {
				if words[0] != tc.name {
					t.Errorf("%s at %d cells: header %q does not start with the whole address", tc.name, w, hdr)
				}
			} else if len(words) != 1 || !strings.HasSuffix(words[0], "…") || !strings.HasPrefix(tc.name, strings.TrimSuffix(words[0], "…")) {
				t.Errorf("%s at %d cells: header %q, want only the address cut with an ellipsis", tc.name, w, hdr)
			}
			for _, word := range words[1:] {
				if !slices.Contains(tc.tokens, word) {
					t.Errorf("%s at %d cells: header %q shows %q, which is not a whole field of %q", tc.name, w, hdr, word, tc.sec)
				}
			}
		}
		if hdr := ansi.Strip(a.paneLines(1, 100, 3)[0]); !strings.Contains(hdr, tc.sec) {
			t.Errorf("at 100 cells header %q lacks the whole label %q", hdr, tc.sec)
		}
	}
}

func TestPaneHeaderDropsDetailsBeforeWarnings(t *testing.T) {
	for _, tc := range []struct {
		sec  string
		w    int
		want string
	}{
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 60, "SFTP · ssh-ed25519 · aes128-gcm "},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 41, "SFTP · ssh-ed25519 "},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 40, "SFTP "},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 30, "SFTP "},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 60, "FTPS · TLS 1.3 · data unencrypted "},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 46, "FTPS · data unencrypted "},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 45, "FTPS "},
		{"FTP · unencrypted", 40, "FTP · unencrypted "},
		{"FTP · unencrypted", 39, "FTP "},
	} {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		p := a.panes[1]
		p.ep.Name, p.ep.Local, p.security = "demo@127.0.0.1:44953", false, tc.sec
		hdr := ansi.Strip(a.paneLines(1, tc.w, 3)[0])
		if !strings.HasSuffix(hdr, " "+tc.want) || strings.Count(hdr, "·") != strings.Count(tc.want, "·") {
			t.Errorf("%q at %d cells: header %q, want it to end in %q", tc.sec, tc.w, hdr, tc.want)
		}
	}
}
