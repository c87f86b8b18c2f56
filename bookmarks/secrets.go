package bookmarks

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Kind says which secret of a site is meant.
type Kind string

const (
	KindPassword   Kind = "password"   // login password
	KindPassphrase Kind = "passphrase" // private key passphrase
)

var (
	// ErrNoSecret: nothing is stored for that site and kind; ask the user.
	ErrNoSecret = errors.New("no saved secret")
	// ErrNoSecretStore: secrets cannot be saved here (no keyring, and the
	// encrypted file is not enabled); ferry asks each time instead.
	ErrNoSecretStore = errors.New("no keyring available to save secrets; ferry will ask each time (or enable the encrypted secrets file)")
)

// Secrets keeps passwords and passphrases away from bookmarks.toml. site is
// Site.SecretKey(). Implementations never write a secret in plaintext and
// never log one; they are safe for concurrent use.
type Secrets interface {
	// Get returns the secret, or an error wrapping ErrNoSecret.
	Get(ctx context.Context, site string, kind Kind) (string, error)
	// Set stores the secret, replacing any earlier one.
	Set(ctx context.Context, site string, kind Kind, secret string) error
	// Delete forgets the secret; deleting a missing one is not an error.
	Delete(ctx context.Context, site string, kind Kind) error
}

// Kinds is every Kind, for moving or deleting all of a site's secrets.
var Kinds = []Kind{KindPassword, KindPassphrase}

// MoveSecrets moves every secret of site from to site to, for a rename.
func MoveSecrets(ctx context.Context, sec Secrets, from, to string) error {
	for _, k := range Kinds {
		v, err := sec.Get(ctx, from, k)
		if errors.Is(err, ErrNoSecret) {
			continue
		}
		if err != nil {
			return fmt.Errorf("move %s of %q: %w", k, from, err)
		}
		if err := sec.Set(ctx, to, k, v); err != nil {
			return fmt.Errorf("move %s of %q: %w", k, from, err)
		}
		if err := sec.Delete(ctx, from, k); err != nil {
			return fmt.Errorf("move %s of %q: %w", k, from, err)
		}
	}
	return nil
}

// DeleteSecrets forgets every secret of site.
func DeleteSecrets(ctx context.Context, sec Secrets, site string) error {
	var errs []error
	for _, k := range Kinds {
		if err := sec.Delete(ctx, site, k); err != nil {
			errs = append(errs, fmt.Errorf("delete %s of %q: %w", k, site, err))
		}
	}
	return errors.Join(errs...)
}

// AskSecrets stores nothing: Get always reports ErrNoSecret so the caller
// asks, and Set refuses with ErrNoSecretStore. It is the fallback where no
// keyring works and the user has not opted into the encrypted file.
type AskSecrets struct{}

func (AskSecrets) Get(_ context.Context, site string, kind Kind) (string, error) {
	return "", fmt.Errorf("%s of %q: %w", kind, site, ErrNoSecret)
}

func (AskSecrets) Set(context.Context, string, Kind, string) error { return ErrNoSecretStore }

func (AskSecrets) Delete(context.Context, string, Kind) error { return nil }

// MemSecrets keeps secrets in memory only; tests use it as a fake keyring.
// The zero value is ready to use.
type MemSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func memKey(site string, kind Kind) string { return site + "\x00" + string(kind) }

func (m *MemSecrets) Get(_ context.Context, site string, kind Kind) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[memKey(site, kind)]
	if !ok {
		return "", fmt.Errorf("%s of %q: %w", kind, site, ErrNoSecret)
	}
	return v, nil
}

func (m *MemSecrets) Set(_ context.Context, site string, kind Kind, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[string]string{}
	}
	m.m[memKey(site, kind)] = secret
	return nil
}

func (m *MemSecrets) Delete(_ context.Context, site string, kind Kind) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, memKey(site, kind))
	return nil
}

// Len is how many secrets are stored, for tests.
func (m *MemSecrets) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
