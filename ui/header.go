package ui

import (
	"slices"
	"strings"
)

// headerParts lays out a pane header in w cells: the address (user, host
// and port) on the left and the security badge on the right, followed by
// one space. The address matters most, so the badge gives way first: it
// sheds details (badgeForms), then goes. Only an address that alone does
// not fit is cut, with an ellipsis. At least one space always separates
// the two, so they never read as one word.
func headerParts(name, sec string, w int) (left, badge string) {
	if w <= 0 {
		return "", ""
	}
	name = " " + name
	nameW := visibleWidth(name)
	if sec != "" {
		for _, b := range badgeForms(sec) {
			badgeW := visibleWidth(b) + 1
			if nameW+1+badgeW <= w {
				return fit(name, w-badgeW), b + " "
			}
		}
	}
	return fit(name, w), ""
}

// badgeForms lists a security label ("SFTP · ssh-ed25519 ·
// aes128-gcm@openssh.com") from its full form to the protocol alone. First
// the vendor suffixes go (aes128-gcm), then details from the last (the
// cipher, then the host key type); a warning ("data unencrypted") is the
// last detail to go.
func badgeForms(sec string) []string {
	fields := strings.Split(sec, " · ")
	forms := []string{sec}
	add := func(f []string) {
		if s := strings.Join(f, " · "); s != forms[len(forms)-1] {
			forms = append(forms, s)
		}
	}
	for i, f := range fields[1:] {
		if at := strings.IndexByte(f, '@'); at > 0 {
			fields[1+i] = f[:at]
		}
	}
	add(fields)
	for len(fields) > 1 {
		drop := len(fields) - 1
		for i := len(fields) - 1; i > 0; i-- {
			if !strings.Contains(fields[i], "unencrypted") {
				drop = i
				break
			}
		}
		fields = slices.Delete(fields, drop, drop+1)
		add(fields)
	}
	return forms
}
