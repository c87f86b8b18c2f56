package sftp

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"golang.org/x/crypto/ssh"
)

// A KRL is OpenSSH's binary Key Revocation List (PROTOCOL.krl), made by
// `ssh-keygen -k`. ferry reads it as OpenSSH's krl.c does, so a list
// that revokes a key for ssh revokes it for ferry too; anything krl.c
// refuses (a section it does not know, a critical extension, data left
// over in a section, a serial 0) ferry refuses as well, and the caller
// then refuses every host: a revocation list only half understood must
// not let a revoked key through.

// krlMagic starts every KRL ("SSHKRL\n\0"); a file without it is read as
// a list of public keys, as OpenSSH's sshkey_check_revoked does.
const krlMagic = "SSHKRL\n\x00"

const krlFormatVersion = 1

// Section types (PROTOCOL.krl §1).
const (
	krlSectionCertificates      = 1
	krlSectionExplicitKey       = 2
	krlSectionFingerprintSHA1   = 3
	krlSectionSignature         = 4
	krlSectionFingerprintSHA256 = 5
	krlSectionExtension         = 255
)

// Certificate sub-section types (PROTOCOL.krl §2).
const (
	krlCertSerialList   = 0x20
	krlCertSerialRange  = 0x21
	krlCertSerialBitmap = 0x22
	krlCertKeyID        = 0x23
	krlCertExtension    = 0x39
)

// krlMaxBitmap is the largest serial bitmap krl.c accepts: an mpint of
// SSHBUF_MAX_BIGNUM (2048) bytes, plus a leading zero byte.
const krlMaxBitmap = 16384 / 8

// errNotKRL says the data does not start with the KRL magic.
var errNotKRL = errors.New("not a KRL")

// krl is a parsed Key Revocation List.
type krl struct {
	version uint64 // krl_version: grows with every change
	comment string
	keys    map[string]bool      // plain key blobs
	sha1s   map[string]bool      // SHA-1 of plain key blobs
	sha256s map[string]bool      // SHA-256 of plain key blobs
	certs   map[string]*krlCerts // by the CA's key blob; "" is any CA
}

// krlCerts are the certificates one CA (or any CA) has revoked.
type krlCerts struct {
	ranges  [][2]uint64 // inclusive serial ranges, from lists and ranges
	bitmaps []krlBitmap
	keyIDs  map[string]bool
}

// krlBitmap revokes serial offset+N for every bit N set in bits, a
// big-endian number without leading zero bytes.
type krlBitmap struct {
	offset uint64
	bits   []byte
}

func (b krlBitmap) has(serial uint64) bool {
	if serial < b.offset {
		return false
	}
	n := serial - b.offset
	if n/8 >= uint64(len(b.bits)) {
		return false
	}
	return b.bits[len(b.bits)-1-int(n/8)]&(1<<(n%8)) != 0
}

// krlBuf reads the SSH wire encoding; the first failure sticks.
type krlBuf struct {
	b   []byte
	err error
}

func (r *krlBuf) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
}

func (r *krlBuf) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.fail("truncated %s", what)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *krlBuf) u8(what string) byte {
	if v := r.take(1, what); v != nil {
		return v[0]
	}
	return 0
}

func (r *krlBuf) u32(what string) uint32 {
	if v := r.take(4, what); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (r *krlBuf) u64(what string) uint64 {
	if v := r.take(8, what); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *krlBuf) str(what string) []byte {
	n := r.u32(what)
	if r.err != nil {
		return nil
	}
	if uint64(n) > uint64(len(r.b)) {
		r.fail("truncated %s", what)
		return nil
	}
	return r.take(int(n), what)
}

// cstr is sshbuf_get_cstring: a string that may hold a NUL only as its
// last byte, which C then drops.
func (r *krlBuf) cstr(what string) string {
	s := r.str(what)
	if i := bytes.IndexByte(s, 0); i >= 0 {
		if i != len(s)-1 {
			r.fail("%s holds a NUL byte", what)
			return ""
		}
		s = s[:i]
	}
	return string(s)
}

func (r *krlBuf) empty() bool { return len(r.b) == 0 }

// parseKRL reads a KRL; errNotKRL when data lacks the magic.
func parseKRL(data []byte) (*krl, error) {
	if !bytes.HasPrefix(data, []byte(krlMagic)) {
		return nil, errNotKRL
	}
	r := &krlBuf{b: data[len(krlMagic):]}
	if v := r.u32("header"); r.err == nil && v != krlFormatVersion {
		return nil, fmt.Errorf("KRL format version %d; ferry reads version %d", v, krlFormatVersion)
	}
	k := &krl{
		keys: map[string]bool{}, sha1s: map[string]bool{}, sha256s: map[string]bool{},
		certs: map[string]*krlCerts{},
	}
	k.version = r.u64("header")
	r.u64("header") // generated_date
	r.u64("header") // flags: none defined
	r.str("header") // reserved
	k.comment = r.cstr("header comment")
	if r.err != nil {
		return nil, fmt.Errorf("KRL: %w", r.err)
	}
	for n := 1; !r.empty(); n++ {
		typ := r.u8("section type")
		sect := &krlBuf{b: r.str("section")}
		if r.err != nil {
			return nil, fmt.Errorf("KRL section %d: %w", n, r.err)
		}
		var err error
		switch typ {
		case krlSectionCertificates:
			err = k.parseCerts(sect)
		case krlSectionExplicitKey:
			err = blobSection(sect, k.keys, 0, "revoked key")
		case krlSectionFingerprintSHA1:
			err = blobSection(sect, k.sha1s, sha1.Size, "SHA-1 fingerprint")
		case krlSectionFingerprintSHA256:
			err = blobSection(sect, k.sha256s, sha256.Size, "SHA-256 fingerprint")
		case krlSectionExtension:
			err = krlExtension(sect, "section")
		case krlSectionSignature:
			// krl.c skips signatures since OpenSSH 9.4 (it never
			// verified them): the signing key was the section's
			// body, the signature follows as a second string.
			// Ignoring one cannot let a key through; every
			// revocation still holds.
			r.str("signature")
			sect.b = nil
			err = r.err
		default:
			return nil, fmt.Errorf("KRL section %d has type %d, which ferry does not understand "+
				"(PROTOCOL.krl defines 1 certificates, 2 keys, 3 SHA-1 and 5 SHA-256 fingerprints, 4 signature, 255 extension)", n, typ)
		}
		if err == nil && !sect.empty() {
			err = errors.New("data after its last entry")
		}
		if err != nil {
			return nil, fmt.Errorf("KRL section %d (type %d): %w", n, typ, err)
		}
	}
	return k, nil
}

// blobSection reads strings into set; each must be size bytes when size
// is not 0. An empty section is allowed, as krl.c allows it.
func blobSection(r *krlBuf, set map[string]bool, size int, what string) error {
	for !r.empty() {
		b := r.str(what)
		if r.err != nil {
			return r.err
		}
		if size != 0 && len(b) != size {
			return fmt.Errorf("%s of %d bytes, want %d", what, len(b), size)
		}
		set[string(b)] = true
	}
	return nil
}

// krlExtension reads an extension (section or certificate sub-section):
// none is defined, so a critical one is refused and the rest ignored.
func krlExtension(r *krlBuf, where string) error {
	name := r.cstr("extension name")
	critical := r.u8("extension")
	r.str("extension contents")
	switch {
	case r.err != nil:
		return r.err
	case !r.empty():
		return errors.New("data after the extension")
	case critical != 0:
		return fmt.Errorf("critical extension %s %q, which ferry does not understand", where, name)
	}
	return nil
}

// parseCerts reads a certificates section: the CA key (empty for any
// CA), a reserved string, then sub-sections.
func (k *krl) parseCerts(r *krlBuf) error {
	caBlob := r.str("CA key")
	r.str("reserved field")
	if r.err != nil {
		return r.err
	}
	ca := ""
	if len(caBlob) > 0 {
		key, err := ssh.ParsePublicKey(caBlob)
		if err != nil {
			return fmt.Errorf("CA key: %w", err)
		}
		ca = string(key.Marshal())
	}
	rc := k.certs[ca]
	if rc == nil {
		rc = &krlCerts{keyIDs: map[string]bool{}}
		k.certs[ca] = rc
	}
	for !r.empty() {
		typ := r.u8("sub-section type")
		sub := &krlBuf{b: r.str("sub-section")}
		if r.err != nil {
			return r.err
		}
		switch typ {
		case krlCertSerialList:
			for !sub.empty() && sub.err == nil {
				s := sub.u64("serial")
				if sub.err == nil && s == 0 {
					return errors.New("serial 0 in a serial list")
				}
				rc.ranges = append(rc.ranges, [2]uint64{s, s})
			}
		case krlCertSerialRange:
			lo, hi := sub.u64("serial range"), sub.u64("serial range")
			if sub.err == nil && (lo == 0 || lo > hi) {
				return fmt.Errorf("bad serial range %d-%d", lo, hi)
			}
			rc.ranges = append(rc.ranges, [2]uint64{lo, hi})
		case krlCertSerialBitmap:
			off := sub.u64("serial bitmap")
			b := sub.str("serial bitmap")
			if sub.err != nil {
				break
			}
			if len(b) > 0 && b[0]&0x80 != 0 {
				return errors.New("negative serial bitmap")
			}
			if len(b) > krlMaxBitmap+1 || (len(b) == krlMaxBitmap+1 && b[0] != 0) {
				return fmt.Errorf("serial bitmap of %d bytes, more than %d", len(b), krlMaxBitmap)
			}
			b = bytes.TrimLeft(b, "\x00")
			if len(b) > 0 {
				top := uint64(len(b)-1)*8 + uint64(7-bits.LeadingZeros8(b[0]))
				if top > math.MaxUint64-off {
					return errors.New("serial bitmap wraps past the largest serial")
				}
				rc.bitmaps = append(rc.bitmaps, krlBitmap{offset: off, bits: b})
			}
		case krlCertKeyID:
			for !sub.empty() && sub.err == nil {
				id := sub.cstr("key ID")
				if sub.err == nil {
					rc.keyIDs[id] = true
				}
			}
		case krlCertExtension:
			if err := krlExtension(sub, "certificate sub-section"); err != nil {
				return err
			}
		default:
			return fmt.Errorf("certificate sub-section type %#x, which ferry does not understand", typ)
		}
		if sub.err != nil {
			return sub.err
		}
		if !sub.empty() {
			return fmt.Errorf("certificate sub-section type %#x: data after its last entry", typ)
		}
	}
	return nil
}

// revokes says what of key the list revokes, nil when nothing: the key
// itself (by blob or fingerprint, a certificate by its plain key), a
// certificate by serial or key ID under its CA or under any CA, or the
// CA that signed it. The order is ssh_krl_check_key's.
func (k *krl) revokes(key ssh.PublicKey) *revocation {
	if how := k.revokesPlain(key); how != "" {
		return &revocation{how: how}
	}
	cert, ok := key.(*ssh.Certificate)
	if !ok {
		return nil
	}
	for _, ca := range []string{string(cert.SignatureKey.Marshal()), ""} {
		rc := k.certs[ca]
		if rc == nil {
			continue
		}
		scope := "any CA"
		if ca != "" {
			scope = "its CA"
		}
		if rc.keyIDs[cert.KeyId] {
			return &revocation{cert: true, how: fmt.Sprintf("the KRL revokes key ID %q under %s", cert.KeyId, scope)}
		}
		// Serial 0 means the CA set none: never revoked by serial.
		if cert.Serial != 0 && rc.hasSerial(cert.Serial) {
			return &revocation{cert: true, how: fmt.Sprintf("the KRL revokes serial %d under %s", cert.Serial, scope)}
		}
	}
	if how := k.revokesPlain(cert.SignatureKey); how != "" {
		return &revocation{ca: true, how: how}
	}
	return nil
}

// revokesPlain checks a key's plain form against the key and
// fingerprint sections.
func (k *krl) revokesPlain(key ssh.PublicKey) string {
	blob := plainBlob(key)
	s1 := sha1.Sum(blob)
	s256 := sha256.Sum256(blob)
	switch {
	case k.sha1s[string(s1[:])]:
		return "the KRL lists its SHA-1 fingerprint"
	case k.sha256s[string(s256[:])]:
		return "the KRL lists its SHA-256 fingerprint"
	case k.keys[string(blob)]:
		return "the KRL lists the key"
	}
	return ""
}

func (rc *krlCerts) hasSerial(s uint64) bool {
	for _, r := range rc.ranges {
		if r[0] <= s && s <= r[1] {
			return true
		}
	}
	for _, b := range rc.bitmaps {
		if b.has(s) {
			return true
		}
	}
	return false
}
