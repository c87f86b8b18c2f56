package sftp

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// algoList is one algorithm keyword from ssh config: a list that replaces
// the default, or OpenSSH's +list (append), -patterns (remove) or ^list
// (prepend) relative to it. The zero value keeps the default.
type algoList struct {
	spec  string
	where string // file and line, for messages
}

// algorithms are the lists ssh config sets for one host.
type algorithms struct {
	ciphers, kex, macs, hostKeys, pubkeys algoList
	// caSigs is CASignatureAlgorithms (revoked.go).
	caSigs algoList
}

// algoKind describes one algorithm keyword: what ferry can use and what
// OpenSSH also knows, so a name OpenSSH takes but ferry lacks is skipped
// with a warning while a misspelt one is an error.
type algoKind struct {
	keyword string
	ferry   func() []string
	openssh []string
}

var (
	opensshCiphers = []string{"3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr", "aes192-ctr",
		"aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"}
	opensshMACs = []string{"hmac-sha1", "hmac-sha1-96", "hmac-sha2-256", "hmac-sha2-512", "hmac-md5", "hmac-md5-96",
		"umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha1-etm@openssh.com", "hmac-sha1-96-etm@openssh.com",
		"hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-md5-etm@openssh.com",
		"hmac-md5-96-etm@openssh.com", "umac-64-etm@openssh.com", "umac-128-etm@openssh.com"}
	opensshKex = []string{"diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group14-sha256",
		"diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha1",
		"diffie-hellman-group-exchange-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
		"curve25519-sha256", "curve25519-sha256@libssh.org", "sntrup761x25519-sha512",
		"sntrup761x25519-sha512@openssh.com", "mlkem768x25519-sha256"}
	opensshKeys = []string{"ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com",
		"sk-ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
		"ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
		"ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
		"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
		"rsa-sha2-256", "rsa-sha2-512", "ssh-rsa", "rsa-sha2-256-cert-v01@openssh.com",
		"rsa-sha2-512-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", "ssh-dss", "ssh-dss-cert-v01@openssh.com"}
)

var (
	cipherKind = algoKind{"Ciphers", func() []string {
		return slices.Concat(ssh.SupportedAlgorithms().Ciphers, ssh.InsecureAlgorithms().Ciphers)
	}, opensshCiphers}
	macKind = algoKind{"MACs", func() []string {
		return slices.Concat(ssh.SupportedAlgorithms().MACs, ssh.InsecureAlgorithms().MACs)
	}, opensshMACs}
	kexKind = algoKind{"KexAlgorithms", func() []string {
		return slices.Concat(ssh.SupportedAlgorithms().KeyExchanges, ssh.InsecureAlgorithms().KeyExchanges,
			[]string{"curve25519-sha256@libssh.org"})
	}, opensshKex}
	hostKeyKind = algoKind{"HostKeyAlgorithms", func() []string {
		return slices.Concat(ssh.SupportedAlgorithms().HostKeys, ssh.InsecureAlgorithms().HostKeys)
	}, opensshKeys}
	pubkeyKind = algoKind{"PubkeyAcceptedAlgorithms", func() []string {
		return slices.Concat(ssh.SupportedAlgorithms().PublicKeyAuths, ssh.InsecureAlgorithms().PublicKeyAuths)
	}, opensshKeys}
)

// algorithms reads and checks the algorithm keywords.
func (r *resolution) algorithms() (algorithms, error) {
	var a algorithms
	for _, k := range []struct {
		key  string
		kind algoKind
		dst  *algoList
	}{
		{"ciphers", cipherKind, &a.ciphers},
		{"macs", macKind, &a.macs},
		{"kexalgorithms", kexKind, &a.kex},
		{"hostkeyalgorithms", hostKeyKind, &a.hostKeys},
		{"pubkeyacceptedalgorithms", pubkeyKind, &a.pubkeys},
		{"casignaturealgorithms", caSigKind, &a.caSigs},
	} {
		s, ok := r.vals[k.key]
		if !ok {
			continue
		}
		l := algoList{spec: s.first(), where: s.line.where()}
		warn, err := l.check(k.kind)
		if err != nil {
			return a, err
		}
		if warn != "" {
			r.warn(warn)
		}
		*k.dst = l
	}
	return a, nil
}

// check reports names ferry does not know: an error for a name OpenSSH
// does not know either, a warning for one only ferry lacks. A -list may
// hold patterns, as in OpenSSH.
func (l algoList) check(k algoKind) (warning string, err error) {
	if l.spec == "" {
		return "", nil
	}
	names := strings.TrimLeft(l.spec[:1], "+-^") + l.spec[1:]
	if l.spec[0] == '-' {
		return "", nil
	}
	ferry := k.ferry()
	var missing []string
	usable := 0
	for _, n := range strings.Split(names, ",") {
		switch {
		case slices.Contains(ferry, n):
			usable++
		case slices.Contains(k.openssh, n):
			missing = append(missing, n)
		default:
			return "", fmt.Errorf("ssh config %s: %s: unknown algorithm %q; ferry knows %s",
				l.where, k.keyword, n, strings.Join(ferry, ","))
		}
	}
	if usable == 0 && l.spec[0] != '+' && l.spec[0] != '^' {
		return "", fmt.Errorf("ssh config %s: %s: ferry supports none of %s; it knows %s",
			l.where, k.keyword, names, strings.Join(ferry, ","))
	}
	if len(missing) > 0 {
		return fmt.Sprintf("ssh config %s: %s: ferry does not support %s; skipped",
			l.where, k.keyword, strings.Join(missing, ",")), nil
	}
	return "", nil
}

// apply returns the list to offer given the default, or def when the
// config sets nothing. Names ferry lacks are dropped.
func (l algoList) apply(def []string, k algoKind) []string {
	if l.spec == "" {
		return def
	}
	ferry := k.ferry()
	known := func(names []string) []string {
		return slices.DeleteFunc(names, func(n string) bool { return !slices.Contains(ferry, n) })
	}
	rest := strings.Split(l.spec[1:], ",")
	var out []string
	switch l.spec[0] {
	case '+':
		out = slices.Concat(def, known(rest))
	case '^':
		out = slices.Concat(known(rest), def)
	case '-':
		out = slices.DeleteFunc(slices.Clone(def), func(n string) bool {
			return matchPatternList(n, l.spec[1:], false)
		})
	default:
		out = known(strings.Split(l.spec, ","))
	}
	// Keep the first of repeated names, as kex_assemble_names does.
	var uniq []string
	for _, n := range out {
		if !slices.Contains(uniq, n) {
			uniq = append(uniq, n)
		}
	}
	return uniq
}

// restrictSigners limits each key to the signature algorithms
// PubkeyAcceptedAlgorithms allows, dropping keys left with none.
// Certificates pass unchanged: ssh.NewSignerWithAlgorithms takes no
// certificate algorithms.
func (a algorithms) restrictSigners(signers []ssh.Signer, logf func(string)) []ssh.Signer {
	if a.pubkeys.spec == "" {
		return signers
	}
	allowed := a.pubkeys.apply(ssh.SupportedAlgorithms().PublicKeyAuths, pubkeyKind)
	var out []ssh.Signer
	for _, s := range signers {
		typ := s.PublicKey().Type()
		if _, ok := s.PublicKey().(*ssh.Certificate); ok {
			out = append(out, s)
			continue
		}
		var algos []string
		for _, al := range allowed {
			if slices.Contains(signatureAlgorithms(typ), al) {
				algos = append(algos, al)
			}
		}
		as, ok := s.(ssh.AlgorithmSigner)
		if len(algos) == 0 || !ok {
			logf(fmt.Sprintf("* key %s %s skipped: PubkeyAcceptedAlgorithms (%s) does not allow it",
				typ, ssh.FingerprintSHA256(s.PublicKey()), a.pubkeys.where))
			continue
		}
		ms, err := ssh.NewSignerWithAlgorithms(as, algos)
		if err != nil {
			logf("* key " + typ + ": " + err.Error())
			continue
		}
		out = append(out, ms)
	}
	return out
}

// signatureAlgorithms lists the signature algorithms a key type signs with.
func signatureAlgorithms(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// config returns base with the cipher, MAC and key exchange lists the
// ssh config sets. Without KexAlgorithms the ssh package's default stays.
func (a algorithms) config(base ssh.Config) ssh.Config {
	base.Ciphers = a.ciphers.apply(base.Ciphers, cipherKind)
	base.MACs = a.macs.apply(base.MACs, macKind)
	if a.kex.spec != "" {
		base.KeyExchanges = a.kex.apply(ssh.SupportedAlgorithms().KeyExchanges, kexKind)
	}
	return base
}

// hostKeyAlgorithms applies HostKeyAlgorithms to known, the algorithms
// of the keys known_hosts holds for the host (nil: the ssh package's
// default, or its secure list as the base of a +, - or ^ form).
func (a algorithms) hostKeyAlgorithms(known []string) []string {
	if a.hostKeys.spec == "" {
		return known
	}
	if known == nil {
		known = ssh.SupportedAlgorithms().HostKeys
	}
	return a.hostKeys.apply(known, hostKeyKind)
}
