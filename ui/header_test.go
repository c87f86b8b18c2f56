package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// rightLabel is the label at the right of a pane's top border: what lies
// between the rule and the corner.
func rightLabel(top string) string {
	s := strings.TrimSuffix(top, " "+frameH+frameTR)
	if s == top {
		return ""
	}
	i := strings.LastIndex(s, frameH+" ")
	if i == len(frameTL) { // the rule after the corner: a left label only
		return ""
	}
	return s[i+len(frameH+" "):]
}

func TestPaneTopBorderKeepsTheAddressWhole(t *testing.T) {
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
		p.ep.Name, p.ep.Local, p.security, p.dir = tc.name, false, tc.sec, "/srv"
		for _, w := range []int{8, 20, 21, 22, 26, 30, 40, 60, 100} {
			raw := a.topBorder(1, w, false, false)
			if got := ansi.StringWidth(raw); got != w {
				t.Errorf("%s at %d cells: the border is %d cells wide: %q", tc.name, w, got, ansi.Strip(raw))
			}
			top := ansi.Strip(raw)
			if !strings.HasPrefix(top, frameTL) || !strings.HasSuffix(top, frameTR) {
				t.Errorf("%s at %d cells: border %q lacks its corners", tc.name, w, top)
			}
			words := strings.Fields(rightLabel(top))
			// Room for the address beside a 4-cell path: corners, rules, spaces.
			if len(tc.name)+4+9 <= w {
				if len(words) == 0 || words[0] != tc.name {
					t.Errorf("%s at %d cells: border %q does not show the whole address", tc.name, w, top)
				}
			} else if len(words) > 1 || len(words) == 1 && (!strings.HasSuffix(words[0], "…") || !strings.HasPrefix(tc.name, strings.TrimSuffix(words[0], "…"))) {
				t.Errorf("%s at %d cells: border %q, want only the address cut with an ellipsis", tc.name, w, top)
			}
			for _, word := range words[min(1, len(words)):] {
				if !slices.Contains(tc.tokens, word) {
					t.Errorf("%s at %d cells: border %q shows %q, which is not a whole field of %q", tc.name, w, top, word, tc.sec)
				}
			}
		}
		if top := ansi.Strip(a.topBorder(1, 100, false, false)); !strings.Contains(top, tc.sec) {
			t.Errorf("at 100 cells border %q lacks the whole label %q", top, tc.sec)
		}
	}
}

func TestPaneTopBorderDropsDetailsBeforeWarnings(t *testing.T) {
	for _, tc := range []struct {
		sec  string
		w    int
		want string // the badge; "" for none
	}{
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 77, "SFTP · ssh-ed25519 · aes128-gcm@openssh.com"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 76, "SFTP · ssh-ed25519 · aes128-gcm"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 65, "SFTP · ssh-ed25519 · aes128-gcm"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 64, "SFTP · ssh-ed25519"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 52, "SFTP · ssh-ed25519"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 51, "SFTP"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 38, "SFTP"},
		{"SFTP · ssh-ed25519 · aes128-gcm@openssh.com", 37, ""},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 78, "FTPS · TLS 1.3 · explicit · data unencrypted"},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 77, "FTPS · TLS 1.3 · data unencrypted"},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 67, "FTPS · TLS 1.3 · data unencrypted"},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 66, "FTPS · data unencrypted"},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 57, "FTPS · data unencrypted"},
		{"FTPS · TLS 1.3 · explicit · data unencrypted", 56, "FTPS"},
		{"FTP · unencrypted", 51, "FTP · unencrypted"},
		{"FTP · unencrypted", 50, "FTP"},
	} {
		a := newTestApp(t, t.TempDir(), t.TempDir(), nil)
		p := a.panes[1]
		p.ep.Name, p.ep.Local, p.security, p.dir = "demo@127.0.0.1:44953", false, tc.sec, "/srv"
		top := ansi.Strip(a.topBorder(1, tc.w, false, false))
		want := "demo@127.0.0.1:44953"
		if tc.want != "" {
			want += " " + tc.want
		}
		if got := rightLabel(top); got != want {
			t.Errorf("%q at %d cells: border %q, right label %q, want %q", tc.sec, tc.w, top, got, want)
		}
	}
}
