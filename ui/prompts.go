package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ferryhq/ferry/protocol"
)

// errDeclined is what a dismissed secret dialog answers.
var errDeclined = errors.New("canceled by the user")

// promptDialog turns a backend's question into a dialog whose answer goes
// back on the request's reply channel (buffered, so this never blocks).
func (a *App) promptDialog(r promptReq) dialog {
	if r.trust != nil {
		return a.trustDialog(r)
	}
	return a.secretDialog(r)
}

func (a *App) secretDialog(r promptReq) dialog {
	req := r.secret
	heading := "Password"
	switch req.Kind {
	case protocol.SecretPassphrase:
		heading = "Key passphrase"
	case protocol.SecretChallenge:
		heading = "Login question"
	}
	prompt := req.Prompt
	if prompt == "" {
		prompt = "password:"
	}
	d := newInputDialog(heading+" — "+req.Site, sanitize(strings.TrimRight(prompt, " "))+" ", "", !req.Echo, func(a *App, v string) tea.Cmd {
		r.reply <- promptAnswer{secret: v}
		return nil
	})
	if req.Instruction != "" {
		d.lines = append(d.lines, sanitize(req.Instruction))
	}
	d.onCancel = func(a *App) tea.Cmd {
		r.reply <- promptAnswer{err: errDeclined}
		return nil
	}
	return d
}

func (a *App) trustDialog(r promptReq) dialog {
	req := r.trust
	changed := req.Problem != "" && (containsFold(req.Problem, "changed") || containsFold(req.Problem, "mismatch"))
	var lines []string
	heading := "Unknown host key"
	if req.Kind == protocol.TrustCertificate {
		heading = "Untrusted certificate"
	}
	lines = append(lines, "Host: "+sanitize(req.Host))
	if req.KeyType != "" {
		lines = append(lines, "Key type: "+sanitize(req.KeyType))
	}
	lines = append(lines, "Fingerprint: "+sanitize(req.Fingerprint))
	if req.CertAuthority != "" {
		lines = append(lines, hostCertLines(req, a.now())...)
	}
	if req.Kind == protocol.TrustCertificate {
		lines = append(lines,
			"Subject: "+sanitize(req.Subject),
			"Issuer: "+sanitize(req.Issuer),
			"Valid: "+fmtDate(req.NotBefore)+" to "+fmtDate(req.NotAfter))
		if !req.NotAfter.IsZero() && a.now().After(req.NotAfter) {
			lines = append(lines, "The certificate has EXPIRED.")
		}
	}
	if req.Problem != "" {
		lines = append(lines, "Problem: "+sanitize(req.Problem))
	}
	if changed {
		// A changed key is refused: the only answer is to close the dialog.
		lines = append(lines, "",
			"WARNING: THE KEY HAS CHANGED. Someone may be intercepting the connection,",
			"or the server was reinstalled. ferry refuses to connect. Check the new",
			"fingerprint with the server's administrator, then remove the old entry.")
		return &choiceDialog{
			heading: "HOST KEY CHANGED — " + sanitize(req.Host),
			isAlarm: true,
			lines:   lines,
			choices: []choice{{"esc", "Refuse"}},
			onChoose: func(a *App, _ int, _ bool) tea.Cmd {
				r.reply <- promptAnswer{decision: protocol.TrustNo}
				a.setErr(fmt.Errorf("refused changed key of %s", req.Host))
				return nil
			},
		}
	}
	lines = append(lines, "", "Check the fingerprint with the server's administrator before trusting it.")
	return &choiceDialog{
		heading: heading + " — " + sanitize(req.Host),
		lines:   lines,
		choices: []choice{{"o", "Trust once"}, {"a", "Always trust"}, {"n", "No"}},
		sel:     2,
		onChoose: func(a *App, idx int, _ bool) tea.Cmd {
			dec := protocol.TrustNo
			switch idx {
			case 0:
				dec = protocol.TrustOnce
			case 1:
				dec = protocol.TrustAlways
			}
			r.reply <- promptAnswer{decision: dec}
			return nil
		},
	}
}

// hostCertLines describe the SSH host certificate a trust question carries.
func hostCertLines(req *protocol.TrustRequest, now time.Time) []string {
	from, to := "always", "forever"
	if !req.NotBefore.IsZero() {
		from = fmtDate(req.NotBefore)
	}
	if !req.NotAfter.IsZero() {
		to = fmtDate(req.NotAfter)
	}
	principals := "any host"
	if len(req.Principals) > 0 {
		principals = strings.Join(req.Principals, ", ")
	}
	lines := []string{
		"Certificate signed by CA: " + sanitize(req.CertAuthority),
		"Certificate for: " + sanitize(principals),
		"Certificate valid: " + from + " to " + to,
	}
	if !req.NotAfter.IsZero() && now.After(req.NotAfter) {
		lines = append(lines, "The certificate has EXPIRED.")
	}
	return lines
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02")
}

func containsFold(s, sub string) bool {
	return len(s) >= len(sub) && (indexFold(s, sub) >= 0)
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			c, d := s[i+j], sub[j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != d {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}
