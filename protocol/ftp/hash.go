package ftp

import (
	"context"
	"strings"

	"github.com/ferryhq/ferry/protocol"
)

// hashAlgos maps ferry's algorithm names to the HASH command's names
// (draft-bryan-ftpext-hash) and to the older X-commands.
var hashAlgos = []struct{ name, hash, xcmd string }{
	{"sha256", "SHA-256", "XSHA256"},
	{"sha512", "SHA-512", "XSHA512"},
	{"sha1", "SHA-1", "XSHA1"},
	{"md5", "MD5", "XMD5"},
	{"crc32", "CRC32", "XCRC"},
}

// HashAlgorithms lists what the server's FEAT offers.
func (c *Client) HashAlgorithms() []string {
	var out []string
	for _, a := range hashAlgos {
		if c.hashVerb(a.name) != "" {
			out = append(out, a.name)
		}
	}
	return out
}

func (c *Client) hashVerb(name string) string {
	for _, a := range hashAlgos {
		if a.name != name {
			continue
		}
		if params, ok := c.feat["HASH"]; ok {
			for _, h := range strings.Split(params, ";") {
				if strings.EqualFold(strings.TrimSuffix(h, "*"), a.hash) {
					return "HASH"
				}
			}
		}
		if c.has(a.xcmd) {
			return a.xcmd
		}
	}
	return ""
}

// Hash asks the server for p's digest.
func (c *Client) Hash(ctx context.Context, p, algorithm string) (string, error) {
	if err := c.begin("hash", p); err != nil {
		return "", err
	}
	defer c.mu.Unlock()
	ap := c.abs(p)
	verb := c.hashVerb(algorithm)
	if verb == "" {
		return "", protocol.NewError("hash", ap, protocol.ErrUnsupported, "", nil)
	}
	arg, err := c.ctl.pathArg("hash", ap)
	if err != nil {
		return "", err
	}
	if err := c.setType(ctx, 'I'); err != nil {
		return "", err
	}
	if verb == "HASH" {
		for _, a := range hashAlgos {
			if a.name == algorithm {
				if _, err := c.ctl.expect(ctx, "hash", ap, "OPTS HASH "+a.hash, 200); err != nil {
					return "", err
				}
			}
		}
	}
	rep, err := c.ctl.cmd(ctx, "hash", ap, verb+" "+arg)
	if err != nil {
		return "", err
	}
	if rep.Code != 213 && rep.Code != 250 {
		return "", replyError("hash", ap, rep)
	}
	// "213 SHA-256 0-49 169cd2... name" or "250 169cd2...": the first
	// token that is all hex and long enough.
	for _, f := range strings.Fields(rep.Message()) {
		if len(f) >= 8 && isHex(f) {
			return strings.ToLower(f), nil
		}
	}
	return "", protocol.NewError("hash", ap, protocol.ErrProtocol, rep.Text(), nil)
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
