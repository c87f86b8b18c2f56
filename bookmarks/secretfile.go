package bookmarks

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// ErrMasterPassword: the master password does not open the secrets file.
var ErrMasterPassword = errors.New("wrong master password for the secrets file")

// MasterPasswordFunc asks the user for the secrets file's master password.
// create is true when the file does not exist yet, so the asker should
// have the password typed twice.
type MasterPasswordFunc func(ctx context.Context, create bool) (string, error)

// KDFParams are argon2id's cost parameters.
type KDFParams struct {
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
}

// DefaultKDF follows RFC 9106's second recommended option (64 MiB, 3
// passes): about a quarter second on a laptop, costly to brute-force.
var DefaultKDF = KDFParams{Time: 3, Memory: 64 * 1024, Threads: 4}

// secretFileAAD binds the ciphertext to its purpose and format version.
const secretFileAAD = "ferry secrets v1"

// sealedFile is the secrets file on disk; only Data is secret, and it is
// encrypted with XChaCha20-Poly1305 under a key derived by argon2id.
type sealedFile struct {
	Version int       `json:"version"`
	KDF     string    `json:"kdf"`
	Params  KDFParams `json:"params"`
	Salt    []byte    `json:"salt"`
	Nonce   []byte    `json:"nonce"`
	Data    []byte    `json:"data"`
}

// SecretFile is the opt-in store for machines without a keyring: one file,
// mode 0600, whose contents are encrypted with a key derived from a master
// password. The password is asked for once per process and the derived key
// kept in memory only. Every change is a read-modify-write under a file
// lock, like bookmarks.toml.
type SecretFile struct {
	path string
	ask  MasterPasswordFunc
	kdf  KDFParams

	mu   sync.Mutex
	salt []byte // salt the cached key was derived with
	key  []byte
}

// NewSecretFile returns the store at path; ask supplies the master password
// when it is first needed. kdf is usually DefaultKDF; tests pass cheaper
// costs.
func NewSecretFile(path string, ask MasterPasswordFunc, kdf KDFParams) *SecretFile {
	return &SecretFile{path: path, ask: ask, kdf: kdf}
}

func (f *SecretFile) Get(ctx context.Context, site string, kind Kind) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, _, err := f.load(ctx)
	if err != nil {
		return "", err
	}
	v, ok := m[memKey(site, kind)]
	if !ok {
		return "", fmt.Errorf("%s of %q: %w", kind, site, ErrNoSecret)
	}
	return v, nil
}

func (f *SecretFile) Set(ctx context.Context, site string, kind Kind, secret string) error {
	return f.modify(ctx, func(m map[string]string) { m[memKey(site, kind)] = secret })
}

func (f *SecretFile) Delete(ctx context.Context, site string, kind Kind) error {
	return f.modify(ctx, func(m map[string]string) { delete(m, memKey(site, kind)) })
}

func (f *SecretFile) modify(ctx context.Context, change func(map[string]string)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := lockFile(ctx, f.path)
	if err != nil {
		return err
	}
	defer unlock()
	m, exists, err := f.load(ctx)
	if err != nil {
		return err
	}
	if !exists {
		if err := f.newKey(ctx); err != nil {
			return err
		}
	}
	change(m)
	return f.save(m)
}

// load decrypts the file; a missing file is an empty map and exists false.
func (f *SecretFile) load(ctx context.Context) (map[string]string, bool, error) {
	data, err := readFileIfExists(f.path)
	if err != nil {
		return nil, false, err
	}
	if data == nil {
		return map[string]string{}, false, nil
	}
	var sf sealedFile
	if err := json.Unmarshal(data, &sf); err != nil || sf.Version != 1 || sf.KDF != "argon2id" ||
		len(sf.Nonce) != chacha20poly1305.NonceSizeX || len(sf.Salt) < 16 || sf.Params.Threads == 0 {
		return nil, true, fmt.Errorf("secrets file %s is damaged or from a newer ferry", f.path)
	}
	if f.key == nil || subtle.ConstantTimeCompare(f.salt, sf.Salt) != 1 {
		pw, err := f.ask(ctx, false)
		if err != nil {
			return nil, true, fmt.Errorf("master password: %w", err)
		}
		if sf.Params.Memory > 4<<20 || sf.Params.Time > 100 {
			return nil, true, fmt.Errorf("secrets file %s asks for an unreasonable key derivation cost", f.path)
		}
		f.key = argon2.IDKey([]byte(pw), sf.Salt, sf.Params.Time, sf.Params.Memory, sf.Params.Threads, chacha20poly1305.KeySize)
		f.salt = sf.Salt
		f.kdf = sf.Params
	}
	aead, err := chacha20poly1305.NewX(f.key)
	if err != nil {
		return nil, true, err
	}
	plain, err := aead.Open(nil, sf.Nonce, sf.Data, []byte(secretFileAAD))
	if err != nil {
		f.key, f.salt = nil, nil
		return nil, true, ErrMasterPassword
	}
	m := map[string]string{}
	if err := json.Unmarshal(plain, &m); err != nil {
		return nil, true, fmt.Errorf("secrets file %s: damaged contents", f.path)
	}
	return m, true, nil
}

func (f *SecretFile) newKey(ctx context.Context) error {
	pw, err := f.ask(ctx, true)
	if err != nil {
		return fmt.Errorf("master password: %w", err)
	}
	if pw == "" {
		return errors.New("master password: an empty password protects nothing")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	f.salt = salt
	f.key = argon2.IDKey([]byte(pw), salt, f.kdf.Time, f.kdf.Memory, f.kdf.Threads, chacha20poly1305.KeySize)
	return nil
}

func (f *SecretFile) save(m map[string]string) error {
	plain, err := json.Marshal(m)
	if err != nil {
		return err
	}
	aead, err := chacha20poly1305.NewX(f.key)
	if err != nil {
		return err
	}
	nonce := make([]byte, chacha20poly1305.NonceSizeX)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sf := sealedFile{
		Version: 1, KDF: "argon2id", Params: f.kdf, Salt: f.salt, Nonce: nonce,
		Data: aead.Seal(nil, nonce, plain, []byte(secretFileAAD)),
	}
	clear(plain)
	data, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(f.path, append(data, '\n'))
}
