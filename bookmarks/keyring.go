package bookmarks

import (
	"context"
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// Keyring keeps secrets in the OS keyring: Secret Service on Linux, the
// Keychain on macOS, the Credential Manager on Windows. Each secret is
// stored under Service with the account "SITE/KIND".
type Keyring struct {
	Service string // "ferry" when empty
}

func (k Keyring) service() string {
	if k.Service == "" {
		return "ferry"
	}
	return k.Service
}

func keyringUser(site string, kind Kind) string { return site + "/" + string(kind) }

// call runs fn off the caller's goroutine: a keyring daemon that never
// answers (a locked D-Bus session) must not hang ferry past ctx.
func call[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("keyring: %w", ctx.Err())
	}
}

func (k Keyring) Get(ctx context.Context, site string, kind Kind) (string, error) {
	v, err := call(ctx, func() (string, error) { return keyring.Get(k.service(), keyringUser(site, kind)) })
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("%s of %q: %w", kind, site, ErrNoSecret)
	}
	if err != nil {
		return "", fmt.Errorf("keyring: read %s of %q: %w", kind, site, err)
	}
	return v, nil
}

func (k Keyring) Set(ctx context.Context, site string, kind Kind, secret string) error {
	_, err := call(ctx, func() (struct{}, error) {
		return struct{}{}, keyring.Set(k.service(), keyringUser(site, kind), secret)
	})
	if err != nil {
		return fmt.Errorf("keyring: save %s of %q: %w", kind, site, err)
	}
	return nil
}

func (k Keyring) Delete(ctx context.Context, site string, kind Kind) error {
	_, err := call(ctx, func() (struct{}, error) {
		return struct{}{}, keyring.Delete(k.service(), keyringUser(site, kind))
	})
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring: delete %s of %q: %w", kind, site, err)
	}
	return nil
}

// Available reports whether the keyring answers at all: a lookup of a key
// that does not exist must come back "not found", not fail. On a headless
// Linux box without a Secret Service it fails, and ferry falls back to
// asking (or the encrypted file).
func (k Keyring) Available(ctx context.Context) bool {
	_, err := k.Get(ctx, "ferry-probe", KindPassword)
	return errors.Is(err, ErrNoSecret)
}
