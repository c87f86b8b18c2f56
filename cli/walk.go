package cli

import (
	"context"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/local"
	"github.com/ferryhq/ferry/treewalk"
)

// walkOptions lets du and find list several directories at once: an SFTP
// session is shared (it multiplexes), an FTP site gets more logins as the
// walk finds more to list, and the local disk gets more readers.
func walkOptions(conn *connector, site protocol.Site, c protocol.Client) treewalk.Options {
	if _, ok := c.(protocol.Multiplexer); ok {
		return treewalk.Options{}
	}
	if site.IsLocal() {
		return treewalk.Options{Workers: 4, Dial: func(context.Context) (protocol.Client, error) { return local.New(), nil }}
	}
	return treewalk.Options{Workers: 4, Dial: func(ctx context.Context) (protocol.Client, error) { return conn.dial(ctx, site) }}
}

// openSite parses addr, connects and resolves its path; the caller closes
// the Client.
func openSite(ctx context.Context, conn *connector, addr string) (protocol.Site, protocol.Client, string, error) {
	site, err := conn.site(addr)
	if err != nil {
		return site, nil, "", err
	}
	c, err := conn.dial(ctx, site)
	if err != nil {
		return site, nil, "", err
	}
	p, err := absPath(ctx, c, site)
	if err != nil {
		c.Close()
		return site, nil, "", err
	}
	return site, c, p, nil
}
