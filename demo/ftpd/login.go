package ftpd

import (
	"crypto/subtle"
	"crypto/tls"
	"strings"
)

// Login, TLS negotiation and the session settings (FEAT, OPTS, TYPE, ...).

func (s *session) isAnonymous(name string) bool {
	n := strings.ToLower(name)
	return s.srv.opts.Anonymous && (n == "anonymous" || n == "ftp")
}

func (s *session) cmdUSER(arg string) error {
	if s.srv.opts.RequireTLS && !s.tlsOn {
		return s.reply(530, "Non-anonymous sessions must use encryption.")
	}
	s.user, s.loggedIn = arg, false
	if s.isAnonymous(arg) {
		return s.reply(331, "Please specify the password (your e-mail address).")
	}
	// Unknown users get 331 as well, so the reply does not reveal who exists.
	return s.reply(331, "Please specify the password.")
}

func (s *session) cmdPASS(arg string) error {
	if s.user == "" {
		return s.reply(503, "Login with USER first.")
	}
	if s.loggedIn {
		return s.reply(230, "Already logged in.")
	}
	ok := s.isAnonymous(s.user)
	if want, found := s.srv.opts.Users[s.user]; found && !ok {
		ok = subtle.ConstantTimeCompare([]byte(want), []byte(arg)) == 1
	}
	if !ok {
		s.user = ""
		return s.reply(530, "Login incorrect.")
	}
	s.loggedIn = true
	s.cwd = "/"
	return s.reply(230, "Login successful.")
}

func (s *session) cmdACCT(string) error {
	if !s.loggedIn {
		return s.reply(503, "Login with USER first.")
	}
	return s.reply(202, "ACCT not needed.")
}

func (s *session) cmdAUTH(arg string) error {
	if s.srv.opts.TLS == nil {
		return s.reply(502, "AUTH not supported.")
	}
	switch strings.ToUpper(arg) {
	case "TLS", "TLS-C", "SSL":
	default:
		return s.reply(504, "Unknown AUTH type.")
	}
	if s.tlsOn {
		return s.reply(503, "Already using TLS.")
	}
	if err := s.reply(234, "Proceed with negotiation."); err != nil {
		return err
	}
	tc := tls.Server(s.conn, s.srv.opts.TLS)
	if err := s.handshake(tc); err != nil {
		s.quit = true
		s.logf("TLS handshake: %v", err)
		return nil
	}
	s.setConn(tc)
	s.tlsOn = true
	// RFC 4217: AUTH resets the login state.
	s.user, s.loggedIn, s.pbsz, s.protP = "", false, false, false
	return nil
}

func (s *session) cmdPBSZ(string) error {
	if !s.tlsOn {
		return s.reply(503, "PBSZ needs a secure control connection.")
	}
	s.pbsz = true
	return s.reply(200, "PBSZ=0")
}

func (s *session) cmdPROT(arg string) error {
	if !s.tlsOn {
		return s.reply(503, "PROT needs a secure control connection.")
	}
	if !s.pbsz {
		return s.reply(503, "PROT needs PBSZ first.")
	}
	switch strings.ToUpper(arg) {
	case "C":
		if s.srv.opts.RequireTLS {
			return s.reply(534, "PROT C refused: data connections must be encrypted.")
		}
		s.protP = false
		return s.reply(200, "PROT now Clear.")
	case "P":
		s.protP = true
		return s.reply(200, "PROT now Private.")
	case "S", "E":
		return s.reply(536, "PROT level not supported.")
	}
	return s.reply(504, "Unknown PROT level.")
}

func (s *session) cmdFEAT(string) error {
	feats := []string{"EPRT", "EPSV", "MDTM", "MFMT", "PASV", "REST STREAM", "SIZE", "UTF8", "TVFS",
		"MLST type*;size*;modify*;perm*;unix.mode*;unique*;",
		"HASH SHA-256*",
	}
	if s.srv.opts.TLS != nil {
		feats = append(feats, "AUTH TLS", "PBSZ", "PROT")
	}
	var lines []string
	for _, f := range feats {
		name, _, _ := strings.Cut(f, " ")
		if !s.srv.disabled[name] {
			lines = append(lines, f)
		}
	}
	return s.replyLines(211, "Features:", lines, "End")
}

func (s *session) cmdOPTS(arg string) error {
	name, val, _ := strings.Cut(arg, " ")
	switch strings.ToUpper(name) {
	case "UTF8", "UTF-8":
		if strings.EqualFold(strings.TrimSpace(val), "ON") {
			return s.reply(200, "Always in UTF8 mode.")
		}
		return s.reply(501, "Only OPTS UTF8 ON is supported.")
	case "HASH":
		switch strings.ToUpper(strings.TrimSpace(val)) {
		case "":
			return s.reply(200, "SHA-256")
		case "SHA-256":
			return s.reply(200, "SHA-256")
		}
		return s.reply(501, "Unknown hash algorithm.")
	case "MLST":
		return s.reply(200, "MLST OPTS type;size;modify;perm;unix.mode;unique;")
	}
	return s.reply(501, "Option not understood.")
}

func (s *session) cmdSYST(string) error { return s.reply(215, "UNIX Type: L8") }
func (s *session) cmdNOOP(string) error { return s.reply(200, "NOOP ok.") }
func (s *session) cmdALLO(string) error { return s.reply(202, "ALLO command ignored.") }

func (s *session) cmdQUIT(string) error {
	s.quit = true
	return s.reply(221, "Goodbye.")
}

func (s *session) cmdHELP(string) error {
	return s.replyLines(214, "The following commands are recognized.",
		[]string{"ABOR ACCT APPE AUTH CDUP CWD DELE EPRT EPSV FEAT HASH HELP LIST MDTM MFMT",
			"MKD MLSD MLST MODE NLST NOOP OPTS PASS PASV PBSZ PORT PROT PWD QUIT REST",
			"RETR RMD RNFR RNTO SITE SIZE STAT STOR STRU SYST TYPE USER"}, "Help OK.")
}

func (s *session) cmdSTAT(arg string) error {
	if arg != "" {
		return s.reply(502, "STAT with a path is not implemented; use LIST.")
	}
	typ := "BINARY"
	if s.ascii {
		typ = "ASCII"
	}
	return s.replyLines(211, "FTP server status:", []string{
		"Connected to " + s.peer,
		"Logged in as " + s.user,
		"TYPE: " + typ,
	}, "End of status")
}

func (s *session) cmdTYPE(arg string) error {
	switch strings.ToUpper(strings.Join(strings.Fields(arg), " ")) {
	case "A", "A N":
		s.ascii = true
		return s.reply(200, "Switching to ASCII mode.")
	case "I", "L 8":
		s.ascii = false
		return s.reply(200, "Switching to Binary mode.")
	}
	return s.reply(504, "Unrecognised TYPE command.")
}

func (s *session) cmdMODE(arg string) error {
	if strings.EqualFold(arg, "S") {
		return s.reply(200, "Mode set to S.")
	}
	return s.reply(504, "Bad MODE command.")
}

func (s *session) cmdSTRU(arg string) error {
	if strings.EqualFold(arg, "F") {
		return s.reply(200, "Structure set to F.")
	}
	return s.reply(504, "Bad STRU command.")
}
