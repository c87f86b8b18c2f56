package ui

import (
	"slices"
	"strings"
)

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
