package sftp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"testing"
)

// hashHost writes a HashKnownHosts entry name: salt|hmac-sha1(salt, host).
func hashHost(t *testing.T, host string) string {
	t.Helper()
	salt := make([]byte, 20)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha1.New, salt)
	m.Write([]byte(host))
	return base64.StdEncoding.EncodeToString(salt) + "|" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
