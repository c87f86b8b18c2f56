package cli

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/ferryhq/ferry/bookmarks"
	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/ftp"
)

// dialFTP connects to an FTP, FTPS or FTPES site with the FTP flags.
// A bookmark's FTP options apply unless a flag says otherwise.
func (c *connector) dialFTP(ctx context.Context, s protocol.Site, bm *bookmarks.Site) (protocol.Client, error) {
	cfg := ftp.Config{
		Prompter: c.prompter,
		Trust:    c.trust,
		Password: s.Password,
		Timeout:  c.flags.timeout,
		Log:      c.log,
	}
	px, err := c.proxyFor(s, bm)
	if err != nil {
		return nil, err
	}
	cfg.Proxy = px
	mode := c.flags.ftpMode
	if o := c.override(s); o.ftpMode != "" {
		mode = o.ftpMode
	}
	if mode == "active" || (mode == "" && bm != nil && bm.FTP.Mode == bookmarks.FTPActive) {
		cfg.Mode = ftp.Active
	}
	cfg.Type, cfg.ASCIIExtensions = c.ftpType(s, bm)
	if bm != nil {
		cfg.Encoding = bm.FTP.Encoding
	}
	switch c.flags.tls {
	case "explicit":
		cfg.TLS = ftp.TLSExplicit
	case "implicit":
		cfg.TLS = ftp.TLSImplicit
	case "none":
		cfg.TLS = ftp.TLSNone
	}
	if c.flags.caFile != "" {
		certs, err := readCAFile(c.flags.caFile)
		if err != nil {
			return nil, err
		}
		cfg.ExtraRoots = certs
	}
	cl, err := ftp.Dial(ctx, s, cfg)
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// ftpType is the transfer type and ASCII extension list for s: the
// connect form's or --ftp-type first, then the bookmark's, then config.toml's.
func (c *connector) ftpType(s protocol.Site, bm *bookmarks.Site) (string, []string) {
	exts := c.e.config().FTP.ASCIIExtensions
	if bm != nil && len(bm.FTP.ASCIIExtensions) > 0 {
		exts = bm.FTP.ASCIIExtensions
	}
	for _, t := range []string{c.override(s).ftpType, c.flags.ftpType} {
		if t != "" {
			return t, exts
		}
	}
	if bm != nil && bm.FTP.Type != "" {
		return string(bm.FTP.Type), exts
	}
	return string(c.e.config().FTP.Type), exts
}

// readCAFile reads the certificates of a PEM file given to --ca-file.
func readCAFile(name string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("--ca-file %s: %w", name, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("--ca-file %s: no PEM certificate in it", name)
	}
	return certs, nil
}
