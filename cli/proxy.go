package cli

import (
	"fmt"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/proxy"
)

// proxyFor is how connections to s are made: through --proxy, else the
// connect form's proxy, else the bookmark's, else ALL_PROXY; "none" at any
// of these steps means directly. As in curl, NO_PROXY applies to --proxy
// and ALL_PROXY; a proxy chosen for the site itself (form, bookmark)
// applies to it whatever NO_PROXY says.
func (c *connector) proxyFor(s protocol.Site, bm *bookmarks.Site) (proxy.Dialer, error) {
	env, err := proxy.FromEnv(c.e.getenv)
	if err != nil {
		return proxy.Dialer{}, err
	}
	pick := func(raw, from string, noProxy string) (proxy.Dialer, error) {
		if raw == "none" {
			return proxy.Dialer{}, nil
		}
		p, err := proxy.Parse(raw)
		if err != nil {
			return proxy.Dialer{}, fmt.Errorf("%s: %w", from, err)
		}
		return proxy.Dialer{Proxy: p, NoProxy: noProxy}, nil
	}
	if c.flags.proxy != "" {
		return pick(c.flags.proxy, "--proxy", env.NoProxy)
	}
	if o := c.override(s); o.proxy != "" {
		return pick(o.proxy, "the connect form's proxy", "")
	}
	if bm != nil && bm.Proxy != "" {
		return pick(bm.Proxy, "bookmark "+bm.Name+": proxy", "")
	}
	return env, nil
}
