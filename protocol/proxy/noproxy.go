package proxy

import (
	"net"
	"strconv"
	"strings"
)

// Bypass reports whether the NO_PROXY list noProxy exempts host (a name or
// an IP address, without port or brackets) from the proxy. The rules are
// curl's (lib/noproxy.c), so one NO_PROXY serves both:
//
//   - "*" alone matches every host;
//   - entries are separated by commas, with blanks around them allowed;
//   - a name matches itself and every name under it: "example.com" and
//     ".example.com" both match example.com and www.example.com, not
//     notexample.com; case and a trailing dot do not matter;
//   - an IP address host matches an entry that is the same address, or a
//     CIDR range holding it ("10.0.0.0/8", "fe80::/10"); names are never
//     resolved, so "localhost" does not match 127.0.0.1;
//   - nothing is exempt by default: not localhost, not loopback addresses.
func Bypass(noProxy, host string) bool {
	if host == "" || noProxy == "" {
		return false
	}
	if noProxy == "*" {
		return true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	ip := net.ParseIP(host)
	isV6 := ip != nil && strings.Contains(host, ":")
	if ip == nil {
		host = strings.TrimSuffix(host, ".")
	}
	p := noProxy
	for p != "" {
		p = strings.TrimLeft(p, " \t")
		end := strings.IndexAny(p, " \t,")
		if end < 0 {
			end = len(p)
		}
		token := p[:end]
		p = p[end:]
		if token != "" {
			var match bool
			if ip == nil {
				match = nameMatch(host, token)
			} else {
				match = cidrMatch(ip, isV6, token)
			}
			if match {
				return true
			}
		}
		// As curl: after the blanks that follow an entry, only a comma
		// goes on to the next one.
		p = strings.TrimLeft(p, " \t")
		if !strings.HasPrefix(p, ",") {
			break
		}
		p = strings.TrimLeft(p, ",")
	}
	return false
}

func nameMatch(host, token string) bool {
	token = strings.TrimSuffix(token, ".")
	token = strings.TrimPrefix(token, ".")
	switch {
	case len(token) == len(host):
		return strings.EqualFold(token, host)
	case len(token) < len(host):
		return host[len(host)-len(token)-1] == '.' && strings.EqualFold(token, host[len(host)-len(token):])
	}
	return false
}

func cidrMatch(ip net.IP, isV6 bool, token string) bool {
	bits := 0
	if i := strings.IndexByte(token, '/'); i >= 0 {
		n, err := strconv.Atoi(token[i+1:])
		if err != nil {
			n = 0 // curl's atoi: what does not parse is 0, an exact match
		}
		bits = n
		token = token[:i]
	}
	network := net.ParseIP(token)
	if network == nil {
		return false
	}
	size := 32
	if isV6 {
		size = 128
		if !strings.Contains(token, ":") {
			return false
		}
	} else {
		if strings.Contains(token, ":") {
			return false
		}
		ip, network = ip.To4(), network.To4()
	}
	if bits < 0 || bits > size {
		return false
	}
	if bits == 0 {
		bits = size
	}
	mask := net.CIDRMask(bits, size)
	return ip.Mask(mask).Equal(network.Mask(mask))
}
