package sftp

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// The KRLs here are built byte by byte from PROTOCOL.krl, so the parser
// is checked against the specification rather than against itself;
// TestKRLFromSSHKeygen checks it against KRLs OpenSSH writes.

func wireString(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

func wireU64(v ...uint64) []byte {
	var out []byte
	for _, x := range v {
		out = binary.BigEndian.AppendUint64(out, x)
	}
	return out
}

// krlBytes is a KRL header followed by sections.
func krlBytes(sections ...[]byte) []byte {
	b := []byte(krlMagic)
	b = binary.BigEndian.AppendUint32(b, krlFormatVersion)
	b = append(b, wireU64(7, 1700000000, 0)...)
	b = append(b, wireString(nil)...)
	b = append(b, wireString([]byte("test KRL"))...)
	for _, s := range sections {
		b = append(b, s...)
	}
	return b
}

// krlSection is a section (or certificate sub-section) of type typ
// whose body is the parts, concatenated.
func krlSection(typ byte, parts ...[]byte) []byte {
	return append([]byte{typ}, wireString(bytes.Join(parts, nil))...)
}

func krlStrings(items ...[]byte) []byte {
	var out []byte
	for _, i := range items {
		out = append(out, wireString(i)...)
	}
	return out
}

// krlCertSection revokes certificates of ca (nil: any CA).
func krlCertSection(ca ssh.PublicKey, subs ...[]byte) []byte {
	var caBlob []byte
	if ca != nil {
		caBlob = ca.Marshal()
	}
	return krlSection(krlSectionCertificates, append([][]byte{wireString(caBlob), wireString(nil)}, subs...)...)
}

// certWith certifies key as a host certificate with serial and key ID.
func certWith(t *testing.T, ca ssh.Signer, key ssh.PublicKey, serial uint64, keyID string) *ssh.Certificate {
	t.Helper()
	c := &ssh.Certificate{
		Key: key, CertType: ssh.HostCert, KeyId: keyID, Serial: serial,
		ValidPrincipals: []string{"127.0.0.1"}, ValidBefore: ssh.CertTimeInfinity,
	}
	if err := c.SignCert(rand.Reader, ca); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustKRL(t *testing.T, data []byte) *krl {
	t.Helper()
	k, err := parseKRL(data)
	if err != nil {
		t.Fatalf("parseKRL: %v", err)
	}
	return k
}

func TestKRLSections(t *testing.T) {
	_, key := newKey(t)
	_, other := newKey(t)
	ca, otherCA := newCA(t), newCA(t)
	s1 := sha1.Sum(key.Marshal())
	s256 := sha256.Sum256(key.Marshal())

	plain := []struct {
		name string
		krl  []byte
		how  string
	}{
		{"explicit key", krlBytes(krlSection(krlSectionExplicitKey, krlStrings(key.Marshal()))), "lists the key"},
		{"SHA-1 fingerprint", krlBytes(krlSection(krlSectionFingerprintSHA1, krlStrings(s1[:]))), "SHA-1"},
		{"SHA-256 fingerprint", krlBytes(krlSection(krlSectionFingerprintSHA256, krlStrings(s256[:]))), "SHA-256"},
	}
	for _, tc := range plain {
		t.Run(tc.name+" revokes the key and certificates of it", func(t *testing.T) {
			k := mustKRL(t, tc.krl)
			for _, probe := range []ssh.PublicKey{key, certWith(t, ca, key, 5, "web")} {
				rev := k.revokes(probe)
				if rev == nil || rev.ca || rev.cert || !strings.Contains(rev.how, tc.how) {
					t.Errorf("%s: got %+v, want the key revoked (%s)", probe.Type(), rev, tc.how)
				}
			}
			if rev := k.revokes(other); rev != nil {
				t.Errorf("another key: got %+v, want nil", rev)
			}
			if rev := k.revokes(certWith(t, newCA(t), other, 5, "web")); rev != nil {
				t.Errorf("another key's certificate: got %+v, want nil", rev)
			}
		})
	}

	t.Run("a revoked CA revokes its certificates", func(t *testing.T) {
		k := mustKRL(t, krlBytes(krlSection(krlSectionExplicitKey, krlStrings(ca.PublicKey().Marshal()))))
		if rev := k.revokes(certWith(t, ca, key, 0, "")); rev == nil || !rev.ca {
			t.Errorf("got %+v, want the CA revoked", rev)
		}
		if rev := k.revokes(certWith(t, otherCA, key, 0, "")); rev != nil {
			t.Errorf("another CA's certificate: got %+v, want nil", rev)
		}
	})

	bitmap := []byte{0x01, 0x05} // bits 0, 2 and 8: serials 100, 102, 108
	certCases := []struct {
		name    string
		section []byte
		revoked []uint64
		kept    []uint64
	}{
		{"serial list", krlCertSection(ca.PublicKey(), krlSection(krlCertSerialList, wireU64(3, 9))), []uint64{3, 9}, []uint64{0, 2, 4, 8, 10}},
		{"serial range", krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(10, 20))), []uint64{10, 15, 20}, []uint64{9, 21}},
		{"serial bitmap", krlCertSection(ca.PublicKey(), krlSection(krlCertSerialBitmap, wireU64(100), wireString(bitmap))),
			[]uint64{100, 102, 108}, []uint64{99, 101, 103, 107, 109, 1<<63 + 100}},
		{"serial bitmap with a leading zero byte", krlCertSection(ca.PublicKey(), krlSection(krlCertSerialBitmap, wireU64(1), wireString([]byte{0, 0x80}))),
			[]uint64{8}, []uint64{1, 7, 9}},
	}
	for _, tc := range certCases {
		t.Run(tc.name, func(t *testing.T) {
			k := mustKRL(t, krlBytes(tc.section))
			for _, s := range tc.revoked {
				if rev := k.revokes(certWith(t, ca, key, s, "id")); rev == nil || !rev.cert || !strings.Contains(rev.how, fmt.Sprint("serial ", s)) {
					t.Errorf("serial %d: got %+v, want revoked by serial", s, rev)
				}
				if rev := k.revokes(certWith(t, otherCA, key, s, "id")); rev != nil {
					t.Errorf("serial %d from another CA: got %+v, want nil", s, rev)
				}
			}
			for _, s := range tc.kept {
				if rev := k.revokes(certWith(t, ca, key, s, "id")); rev != nil {
					t.Errorf("serial %d: got %+v, want nil", s, rev)
				}
			}
		})
	}

	t.Run("sections for one CA add up", func(t *testing.T) {
		k := mustKRL(t, krlBytes(
			krlCertSection(ca.PublicKey(), krlSection(krlCertSerialList, wireU64(1))),
			krlCertSection(otherCA.PublicKey(), krlSection(krlCertSerialList, wireU64(2))),
			krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(3, 4)), krlSection(krlCertSerialList, wireU64(6))),
		))
		for s, want := range map[uint64]bool{1: true, 2: false, 3: true, 4: true, 5: false, 6: true} {
			if got := k.revokes(certWith(t, ca, key, s, "")) != nil; got != want {
				t.Errorf("serial %d: revoked %v, want %v", s, got, want)
			}
		}
	})

	t.Run("key IDs, under a CA and under any CA", func(t *testing.T) {
		k := mustKRL(t, krlBytes(
			krlCertSection(ca.PublicKey(), krlSection(krlCertKeyID, krlStrings([]byte("web1"), []byte("web2")))),
			krlCertSection(nil, krlSection(krlCertKeyID, krlStrings([]byte("everywhere")))),
		))
		for _, tc := range []struct {
			ca    ssh.Signer
			id    string
			want  bool
			scope string
		}{
			{ca, "web1", true, "its CA"}, {ca, "web2", true, "its CA"}, {otherCA, "web1", false, ""},
			{ca, "web3", false, ""}, {otherCA, "everywhere", true, "any CA"}, {ca, "everywhere", true, "any CA"},
		} {
			rev := k.revokes(certWith(t, tc.ca, key, 0, tc.id))
			if (rev != nil) != tc.want || (rev != nil && (!rev.cert || !strings.Contains(rev.how, tc.scope))) {
				t.Errorf("key ID %q: got %+v, want revoked %v under %s", tc.id, rev, tc.want, tc.scope)
			}
		}
		if rev := k.revokes(key); rev != nil {
			t.Errorf("a plain key: got %+v, want nil", rev)
		}
	})

	t.Run("serial 0 is never revoked by serial", func(t *testing.T) {
		k := mustKRL(t, krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(1, 1<<64-1)))))
		if rev := k.revokes(certWith(t, ca, key, 0, "")); rev != nil {
			t.Errorf("got %+v, want nil", rev)
		}
		if rev := k.revokes(certWith(t, ca, key, 1<<64-1, "")); rev == nil {
			t.Error("the largest serial is not revoked")
		}
	})

	t.Run("ignored: signatures, non-critical extensions, empty KRL", func(t *testing.T) {
		k := mustKRL(t, krlBytes(
			krlSection(krlSectionExtension, wireString([]byte("x@example.com")), []byte{0}, wireString([]byte("data"))),
			krlCertSection(ca.PublicKey(), krlSection(krlCertExtension, wireString([]byte("y@example.com")), []byte{0}, wireString(nil)),
				krlSection(krlCertSerialList, wireU64(4))),
			krlSection(krlSectionExplicitKey, krlStrings(other.Marshal())),
			// A signature: the signing key as the section, then the
			// signature as a second string.
			append(krlSection(krlSectionSignature, ca.PublicKey().Marshal()), wireString([]byte("signature"))...),
		))
		if k.comment != "test KRL" || k.version != 7 {
			t.Errorf("header: comment %q version %d", k.comment, k.version)
		}
		if k.revokes(other) == nil || k.revokes(certWith(t, ca, key, 4, "")) == nil || k.revokes(key) != nil {
			t.Error("the sections around the ignored ones were not read")
		}
		if k := mustKRL(t, krlBytes()); k.revokes(key) != nil {
			t.Error("an empty KRL revokes a key")
		}
	})
}

func TestKRLRefused(t *testing.T) {
	_, key := newKey(t)
	ca := newCA(t)
	header := krlBytes()
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"format version 2", append(append([]byte(krlMagic), 0, 0, 0, 2), header[len(krlMagic)+4:]...), "format version 2"},
		{"truncated header", header[:len(krlMagic)+10], "truncated"},
		{"unknown section", krlBytes(krlSection(6, nil)), "type 6, which ferry does not understand"},
		{"critical extension", krlBytes(krlSection(krlSectionExtension, wireString([]byte("new@example.com")), []byte{1}, wireString(nil))), "critical extension"},
		{"critical certificate extension", krlBytes(krlCertSection(ca.PublicKey(),
			krlSection(krlCertExtension, wireString([]byte("new@example.com")), []byte{1}, wireString(nil)))), "critical extension"},
		{"unknown certificate sub-section", krlBytes(krlCertSection(ca.PublicKey(), krlSection(0x24, nil))), "sub-section type 0x24"},
		{"serial 0", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialList, wireU64(0)))), "serial 0"},
		{"range from 0", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(0, 5)))), "bad serial range"},
		{"backwards range", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(9, 5)))), "bad serial range"},
		{"range with extra data", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialRange, wireU64(1, 5, 6)))), "after its last entry"},
		{"half a serial", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialList, wireU64(3)[:5]))), "truncated serial"},
		{"negative bitmap", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialBitmap, wireU64(1), wireString([]byte{0x80})))), "negative"},
		{"bitmap past the largest serial", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialBitmap, wireU64(1<<64-1), wireString([]byte{0x02})))), "wraps"},
		{"bitmap too large", krlBytes(krlCertSection(ca.PublicKey(), krlSection(krlCertSerialBitmap, wireU64(1), wireString(bytes.Repeat([]byte{1}, krlMaxBitmap+1))))), "more than"},
		{"bad CA key", krlBytes(krlSection(krlSectionCertificates, wireString([]byte("junk")), wireString(nil))), "CA key"},
		{"short SHA-256", krlBytes(krlSection(krlSectionFingerprintSHA256, krlStrings(make([]byte, 20)))), "20 bytes, want 32"},
		{"section longer than the file", append(krlBytes(), krlSectionExplicitKey, 0, 0, 1, 0), "truncated section"},
		{"NUL inside a key ID", krlBytes(krlCertSection(nil, krlSection(krlCertKeyID, krlStrings([]byte("a\x00b"))))), "NUL"},
		{"key section with trailing bytes", krlBytes(krlSection(krlSectionExplicitKey, krlStrings(key.Marshal()), []byte{0, 0})), "truncated"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseKRL(tc.data)
			if err == nil || errors.Is(err, errNotKRL) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	t.Run("without the magic it is not a KRL", func(t *testing.T) {
		for _, data := range [][]byte{nil, []byte("SSHKRL\n"), []byte("ssh-ed25519 AAAA")} {
			if _, err := parseKRL(data); !errors.Is(err, errNotKRL) {
				t.Errorf("%q: got %v, want errNotKRL", data, err)
			}
		}
	})
}

// TestKRLFromSSHKeygen reads KRLs that OpenSSH's ssh-keygen writes and
// checks every verdict against ssh-keygen -Q on the same KRL.
func TestKRLFromSSHKeygen(t *testing.T) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not installed")
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pubFile := func(name string, k ssh.PublicKey) string { return write(name, ssh.MarshalAuthorizedKey(k)) }
	run := func(args ...string) error {
		out, err := exec.Command(keygen, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ssh-keygen %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}

	ca, otherCA := newCA(t), newCA(t)
	caFile := pubFile("ca.pub", ca.PublicKey())
	var plain []ssh.PublicKey
	for range 5 {
		_, k := newKey(t)
		plain = append(plain, k)
	}
	spec := "serial: 1-3\nserial: 10\nserial: 12\nserial: 14\nserial: 17\nserial: 19\nserial: 1000\nid: web-old\n" +
		"key: " + string(ssh.MarshalAuthorizedKey(plain[0])) +
		"sha1: " + string(ssh.MarshalAuthorizedKey(plain[1])) +
		"sha256: " + string(ssh.MarshalAuthorizedKey(plain[2])) +
		"hash: " + ssh.FingerprintSHA256(plain[3]) + "\n"
	krlFile := filepath.Join(dir, "revoked.krl")
	if err := run("-k", "-f", krlFile, "-s", caFile, write("spec", []byte(spec))); err != nil {
		t.Fatal(err)
	}
	// A second KRL revokes a CA by its public key file.
	caKRL := filepath.Join(dir, "ca.krl")
	if err := run("-k", "-f", caKRL, pubFile("otherca.pub", otherCA.PublicKey())); err != nil {
		t.Fatal(err)
	}

	type probe struct {
		name string
		key  ssh.PublicKey
	}
	var probes []probe
	for i, k := range plain {
		probes = append(probes, probe{fmt.Sprintf("plain key %d", i), k})
	}
	for _, s := range []uint64{0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 999, 1000, 1001} {
		probes = append(probes, probe{fmt.Sprintf("serial %d", s), certWith(t, ca, plain[4], s, "web")})
		probes = append(probes, probe{fmt.Sprintf("serial %d of another CA", s), certWith(t, otherCA, plain[4], s, "web")})
	}
	probes = append(probes,
		probe{"revoked key ID", certWith(t, ca, plain[4], 0, "web-old")},
		probe{"revoked key ID from another CA", certWith(t, otherCA, plain[4], 0, "web-old")},
		probe{"certificate of a revoked key", certWith(t, newCA(t), plain[1], 0, "x")},
	)

	sawBitmap := false
	for _, file := range []string{krlFile, caKRL} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		k := mustKRL(t, data)
		for _, rc := range k.certs {
			sawBitmap = sawBitmap || len(rc.bitmaps) > 0
		}
		revoked := 0
		for i, p := range probes {
			kf := pubFile(fmt.Sprintf("probe%d.pub", i), p.key)
			want := run("-Q", "-f", file, kf) != nil // exit status 1: revoked
			if got := k.revokes(p.key) != nil; got != want {
				t.Errorf("%s, %s: ferry says revoked %v, ssh-keygen -Q says %v", filepath.Base(file), p.name, got, want)
			}
			if want {
				revoked++
			}
		}
		// Both lists revoke some probes and keep others.
		if revoked == 0 || revoked == len(probes) {
			t.Errorf("%s: ssh-keygen -Q revokes %d of %d probes", filepath.Base(file), revoked, len(probes))
		}
	}
	if !sawBitmap {
		t.Log("ssh-keygen wrote no serial bitmap for this spec")
	}
}
