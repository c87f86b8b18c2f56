// Command delayproxy forwards TCP connections from a loopback address to a
// target, holding every chunk of data back by a fixed delay in each
// direction, so bench/wan.sh can time clients over a link with a round
// trip of twice that delay, as a user far from the server sees it.
//
//	delayproxy -listen 127.0.0.1:0 -target 127.0.0.1:22 -delay 5ms
//
// It prints the address it listens on, then serves until killed. Only
// loopback addresses are accepted on either side.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to listen on")
	target := flag.String("target", "", "loopback address to forward to")
	delay := flag.Duration("delay", 5*time.Millisecond, "delay in each direction")
	flag.Parse()
	err := run(*listen, *target, *delay)
	fmt.Fprintln(os.Stderr, "delayproxy:", err)
	os.Exit(1)
}

// run serves until the listener fails; it returns only with an error.
func run(listen, target string, delay time.Duration) error {
	for _, a := range []string{listen, target} {
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address", a)
		}
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	return serve(ln, target, delay)
}

// serve forwards every connection ln accepts until ln fails.
func serve(ln net.Listener, target string, delay time.Duration) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go forward(c, target, delay)
	}
}

func forward(c net.Conn, target string, delay time.Duration) {
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		pipe(s, c, delay)
	}()
	pipe(c, s, delay)
	<-done
}

type chunk struct {
	b   []byte
	due time.Time
}

// pipe copies src to dst, each chunk delay after it was read; the order
// and the bytes are kept, and src's end becomes dst's write half-close.
func pipe(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		for {
			b := make([]byte, 64<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{b[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.b); err != nil {
			src.Close() // ends the reader
			for range q {
			}
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}
