package sftp

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/protocol"
	"golang.org/x/crypto/ssh"
)

// TestOpenSSHRevokedHostKeys checks RevokedHostKeys and
// CASignatureAlgorithms against the certificate sshd of .ci/sshd_cert.sh,
// with KRLs ssh-keygen writes.
func TestOpenSSHRevokedHostKeys(t *testing.T) {
	e := realCertSSHD(t)
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not installed")
	}
	caFile := os.Getenv("FERRY_TEST_SSHD_CERT_HOST_CA")
	withConfig := func(t *testing.T, lines string) Config {
		cfg := e.config(t, e.key)
		cfg.SSHConfigFile = filepath.Join(t.TempDir(), "ssh_config")
		writeFile(t, cfg.SSHConfigFile, []byte("Host *\n"+lines))
		return cfg
	}
	krl := func(t *testing.T, spec string, ca bool) string {
		dir := t.TempDir()
		out, specFile := filepath.Join(dir, "revoked.krl"), filepath.Join(dir, "spec")
		writeFile(t, specFile, []byte(spec))
		args := []string{"-k", "-f", out}
		if ca {
			args = append(args, "-s", caFile)
		}
		if b, err := exec.Command(keygen, append(args, specFile)...).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen -k: %v: %s", err, b)
		}
		return out
	}

	t.Run("a KRL that revokes other certificates lets the server in", func(t *testing.T) {
		e.login(t, withConfig(t, "RevokedHostKeys "+krl(t, "id: someone-else\nserial: 7\n", true)+"\n"))
	})
	t.Run("the host certificate's key ID, revoked by ssh-keygen -k -s CA", func(t *testing.T) {
		f := krl(t, "id: ferry-test-host\n", true)
		e.refused(t, withConfig(t, "RevokedHostKeys "+f+"\n"), protocol.ErrHostKey,
			`key ID "ferry-test-host"`, "is revoked by "+f+" (RevokedHostKeys)")
	})
	t.Run("the host key, revoked by its SHA-256 hash", func(t *testing.T) {
		f := krl(t, "hash: "+ssh.FingerprintSHA256(e.hostKey)+"\n", false)
		e.refused(t, withConfig(t, "RevokedHostKeys "+f+"\n"), protocol.ErrHostKey,
			"host key "+ssh.FingerprintSHA256(e.hostKey), "is revoked by "+f)
	})
	t.Run("the host CA, listed in a text file", func(t *testing.T) {
		e.refused(t, withConfig(t, "RevokedHostKeys "+caFile+"\n"), protocol.ErrHostKey,
			"certificate authority", "is revoked by "+caFile)
	})
	t.Run("CASignatureAlgorithms without the CA's algorithm refuses the certificate", func(t *testing.T) {
		e.refused(t, withConfig(t, "CASignatureAlgorithms -ssh-ed25519\n"), protocol.ErrHostKey,
			"its CA signed it with ssh-ed25519")
	})
}
