package cli

import (
	"context"
	"sync"

	"github.com/ferryhq/ferry/bookmarks"
)

// lazySecrets opens the secret store on first use: probing the OS keyring
// can take seconds on a headless machine, and most commands never need it.
type lazySecrets struct {
	once sync.Once
	open func() bookmarks.Secrets
	s    bookmarks.Secrets
}

func (l *lazySecrets) store() bookmarks.Secrets {
	l.once.Do(func() { l.s = l.open() })
	return l.s
}

func (l *lazySecrets) Get(ctx context.Context, site string, kind bookmarks.Kind) (string, error) {
	return l.store().Get(ctx, site, kind)
}

func (l *lazySecrets) Set(ctx context.Context, site string, kind bookmarks.Kind, secret string) error {
	return l.store().Set(ctx, site, kind, secret)
}

func (l *lazySecrets) Delete(ctx context.Context, site string, kind bookmarks.Kind) error {
	return l.store().Delete(ctx, site, kind)
}
