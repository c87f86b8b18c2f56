package sftpd

import (
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// directTCPIP is the payload of a "direct-tcpip" channel open (RFC 4254 7.2).
type directTCPIP struct {
	Host     string
	Port     uint32
	OrigHost string
	OrigPort uint32
}

// forward connects a direct-tcpip channel to a loopback address, which is
// all a ProxyJump test needs; other destinations are refused.
func (s *Server) forward(nc ssh.NewChannel) {
	var req directTCPIP
	if err := ssh.Unmarshal(nc.ExtraData(), &req); err != nil {
		nc.Reject(ssh.ConnectionFailed, "bad direct-tcpip request")
		return
	}
	ip := net.ParseIP(req.Host)
	if req.Host == "localhost" {
		ip = net.IPv4(127, 0, 0, 1)
	}
	if ip == nil || !ip.IsLoopback() {
		nc.Reject(ssh.Prohibited, "only loopback destinations are allowed")
		return
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	dst, err := d.DialContext(s.ctx, "tcp", net.JoinHostPort(ip.String(), strconv.Itoa(int(req.Port))))
	if err != nil {
		nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		dst.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	s.logf("forward to %s", dst.RemoteAddr())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		io.Copy(dst, ch)
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}()
	go func() {
		defer wg.Done()
		io.Copy(ch, dst)
		ch.CloseWrite()
	}()
	stop := make(chan struct{})
	go func() {
		select {
		case <-s.ctx.Done():
		case <-stop:
		}
		dst.Close()
		ch.Close()
	}()
	wg.Wait()
	close(stop)
}
