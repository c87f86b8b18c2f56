package sftp

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"

	"golang.org/x/crypto/ssh"
)

// fuzzSigner is an ed25519 signer from a fixed seed, so fuzz inputs can
// name its key.
func fuzzSigner(seed byte) ssh.Signer {
	key := make([]byte, ed25519.SeedSize)
	key[0] = seed
	signer, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(key))
	if err != nil {
		panic(err)
	}
	return signer
}

// FuzzKRL feeds arbitrary bytes to the KRL parser. Nothing may panic;
// a KRL that parses must answer for keys and certificates, and a KRL
// that revokes a key must revoke every certificate of it too.
func FuzzKRL(f *testing.F) {
	ca, host := fuzzSigner(1), fuzzSigner(2)
	fp := sha256.Sum256(host.PublicKey().Marshal())
	f.Add(krlBytes(), uint64(0), "")
	f.Add(krlBytes(krlSection(krlSectionExplicitKey, krlStrings(host.PublicKey().Marshal()))), uint64(1), "web")
	f.Add(krlBytes(krlSection(krlSectionFingerprintSHA256, krlStrings(fp[:]))), uint64(1), "web")
	f.Add(krlBytes(krlCertSection(ca.PublicKey(),
		krlSection(krlCertSerialList, wireU64(3, 9)),
		krlSection(krlCertSerialRange, wireU64(10, 20)),
		krlSection(krlCertSerialBitmap, wireU64(100), wireString([]byte{0x01, 0x05})),
		krlSection(krlCertKeyID, krlStrings([]byte("web"))))), uint64(102), "web")
	f.Add(krlBytes(krlCertSection(nil, krlSection(krlCertKeyID, krlStrings([]byte("any"))))), uint64(5), "any")
	f.Add(krlBytes(krlSection(krlSectionExtension, wireString([]byte("x@example.com")), []byte{0}, wireString(nil)),
		append(krlSection(krlSectionSignature, ca.PublicKey().Marshal()), wireString([]byte("sig"))...)), uint64(1), "")
	f.Add([]byte(krlMagic), uint64(1), "")
	f.Fuzz(func(t *testing.T, data []byte, serial uint64, keyID string) {
		k, err := parseKRL(data)
		if err != nil {
			if k != nil {
				t.Fatal("a KRL and an error")
			}
			if errors.Is(err, errNotKRL) != (len(data) < len(krlMagic) || string(data[:len(krlMagic)]) != krlMagic) {
				t.Fatalf("errNotKRL is %v for data starting %q", errors.Is(err, errNotKRL), data[:min(len(data), 8)])
			}
			return
		}
		cert := &ssh.Certificate{
			Key: host.PublicKey(), CertType: ssh.HostCert, Serial: serial, KeyId: keyID,
			ValidPrincipals: []string{"h"}, ValidBefore: ssh.CertTimeInfinity,
		}
		// Zero nonces keep the certificate the same for an input.
		if err := cert.SignCert(zeroReader{}, ca); err != nil {
			t.Fatal(err)
		}
		plain := k.revokes(host.PublicKey())
		certRev := k.revokes(cert)
		if plain != nil && certRev == nil {
			t.Fatalf("the key is revoked (%s) but its certificate is not", plain.how)
		}
		if k.revokes(ca.PublicKey()) != nil && (certRev == nil || (plain == nil && !certRev.ca && !certRev.cert)) {
			t.Fatalf("the CA is revoked but its certificate passes: %+v", certRev)
		}
		idRevoked := func(ca string) bool { rc := k.certs[ca]; return rc != nil && rc.keyIDs[keyID] }
		if certRev != nil && certRev.cert && serial == 0 && !idRevoked("") && !idRevoked(string(ca.PublicKey().Marshal())) {
			t.Fatalf("serial 0 revoked by serial: %+v", certRev)
		}
	})
}
