package bookmarks

import (
	"context"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// OpenSecrets returns the secret store config.toml's `secrets` setting
// names: "keyring", "file" (the encrypted file at paths.SecretsFile(), its
// master password from ask), "ask" (nothing stored), or "auto"/"" (the OS
// keyring when it answers within a few seconds, else ask). The CLI and the
// TUI both use it so they agree on where a password went.
func OpenSecrets(ctx context.Context, mode string, paths Paths, ask MasterPasswordFunc) Secrets {
	switch mode {
	case "ask":
		return AskSecrets{}
	case "keyring":
		return Keyring{}
	case "file":
		return NewSecretFile(paths.SecretsFile(), ask, DefaultKDF)
	}
	probe, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if (Keyring{}).Available(probe) {
		return Keyring{}
	}
	return AskSecrets{}
}

// Credentials are the user and password to log in to ps with before
// asking anyone: the address's own password, else the bookmark's saved one
// (bm from Resolve, may be nil), else for FTP the .netrc entry for the host
// when its login fits. Empty strings mean "ask" or "the backend's default".
func (s *Store) Credentials(ctx context.Context, sec Secrets, ps protocol.Site, bm *Site) (user, password string) {
	user, password = ps.User, ps.Password
	if password == "" && bm != nil && sec != nil {
		if pw, err := sec.Get(ctx, bm.SecretKey(), KindPassword); err == nil {
			password = pw
		}
	}
	if password == "" && ps.Scheme.IsFTP() {
		if login, pw, ok := s.NetrcLogin(ps); ok && (user == "" || user == login) {
			user, password = login, pw
		}
	}
	return user, password
}
