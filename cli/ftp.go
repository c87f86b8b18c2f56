package cli

import (
	"context"
	"fmt"

	"github.com/ferryhq/ferry/protocol"
)

func (c *connector) dialFTP(_ context.Context, s protocol.Site) (protocol.Client, error) {
	return nil, fmt.Errorf("%s: FTP is not available in this build", s.ID())
}
