// Package faultproxy is a test helper: a loopback TCP proxy that cuts
// connections at random byte offsets, so tests can show that transfers
// survive resets mid-stream. With Stall it stops forwarding instead and
// keeps the connection open, as a dead path or a hung server does, which no
// reset ever tells the client; with Rate it paces what it forwards, as a
// slow link does, and with Delay it holds every byte back a while, as a
// distant one does. In FTP mode it also rewrites PASV and EPSV replies so
// data connections pass through it (and get cut) too.
package faultproxy

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Proxy.
type Options struct {
	// Target is the server's address, host:port.
	Target string
	// FTP rewrites passive-mode replies so data connections are proxied.
	FTP bool
	// CutProbability is the chance that one connection is cut.
	CutProbability float64
	// MaxCutAfter bounds the offset of a cut: after a uniformly random number
	// of bytes (both directions together) below it.
	MaxCutAfter int64
	// MinCutAfter is the fewest bytes a cut connection carries first.
	MinCutAfter int64
	// Burst cuts each of the first Burst connections, whatever
	// CutProbability says: a link that drops everything for a while.
	Burst int
	// Seed makes the cuts repeatable.
	Seed uint64
	// Stall turns every cut into a stall: the bytes up to the cut pass,
	// then nothing more in either direction; the proxy stops reading, so
	// what the client sends after it stays in its socket unacknowledged,
	// and neither end hears of the other closing (no FIN, no reset) until
	// the proxy closes.
	Stall bool
	// Rate, when positive, paces each direction of each connection to
	// about this many bytes a second.
	Rate int64
	// Delay, when positive, delivers each byte this long after it came
	// in, each direction on its own: a round trip through the proxy
	// takes twice Delay more, throughput aside.
	Delay time.Duration
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	opts Options
	ln   net.Listener

	mu     sync.Mutex
	rnd    *rand.Rand
	conns  map[net.Conn]struct{}
	lns    map[net.Listener]struct{} // data listeners not yet used
	closed bool
	drawn  int // connections that drew a budget
	wg     sync.WaitGroup
	cuts   atomic.Int64
	total  atomic.Int64
	stop   chan struct{} // closed by Close: stalled links give up
}

// Start listens on 127.0.0.1 at a random port.
func Start(opts Options) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{opts: opts, ln: ln, rnd: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), conns: map[net.Conn]struct{}{}, lns: map[net.Listener]struct{}{}, stop: make(chan struct{})}
	p.wg.Add(1)
	go p.accept(ln, opts.Target, opts.FTP, true)
	return p, nil
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cuts is how many connections were cut (or stalled) so far.
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

// Conns is how many connections were proxied so far.
func (p *Proxy) Conns() int64 { return p.total.Load() }

// Close stops listening and closes every proxied connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if !p.closed {
		close(p.stop)
	}
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	for ln := range p.lns {
		ln.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

// budget draws how many bytes a new connection may carry (-1: no cut).
func (p *Proxy) budget() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawn++
	if p.opts.MaxCutAfter <= p.opts.MinCutAfter ||
		(p.drawn > p.opts.Burst && p.rnd.Float64() >= p.opts.CutProbability) {
		return -1
	}
	return p.opts.MinCutAfter + p.rnd.Int64N(p.opts.MaxCutAfter-p.opts.MinCutAfter)
}

// accept serves ln; once=false listeners (data) stop after one connection.
func (p *Proxy) accept(ln net.Listener, target string, ftp, many bool) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c, target, ftp)
		if !many {
			ln.Close()
			p.mu.Lock()
			delete(p.lns, ln)
			p.mu.Unlock()
			return
		}
	}
}

// link is one proxied connection pair and its byte budget.
type link struct {
	p           *Proxy
	client, srv net.Conn
	left        atomic.Int64 // bytes until the cut; negative once spent
	// unlimited is a link past the burst, never cut. It is not told by a
	// negative left: a spent budget goes negative too, and the other
	// direction, reading that as "no cut", would pass what the cut held
	// back before the cut took hold.
	unlimited bool
	once      sync.Once
	stalled   chan struct{} // closed when a stall begins
}

func (p *Proxy) serve(c net.Conn, target string, ftp bool) {
	defer p.wg.Done()
	if !p.track(c) {
		return
	}
	defer p.untrack(c)
	s, err := net.DialTimeout("tcp", target, 10*time.Second)
	if err != nil {
		return
	}
	if !p.track(s) {
		return
	}
	defer p.untrack(s)
	p.total.Add(1)
	l := &link{p: p, client: c, srv: s, stalled: make(chan struct{})}
	b := p.budget()
	l.left.Store(b)
	l.unlimited = b < 0
	done := make(chan bool, 2)
	go func() { done <- l.pipe(s, c, nil) }()
	go func() {
		if ftp {
			done <- l.pipe(c, s, p.rewrite)
		} else {
			done <- l.pipe(c, s, nil)
		}
	}()
	// A clean end of one direction is passed on as a half-close; an error
	// ends both, as a reset does.
	if !<-done {
		c.Close()
		s.Close()
	}
	<-done
}

// pipe copies src to dst, cutting both connections when the budget runs
// out; with edit, whole lines are passed through it first. It reports
// whether src ended cleanly, after half-closing dst.
func (l *link) pipe(dst net.Conn, src io.Reader, edit func(string) string) bool {
	var out io.Writer = dst
	if d := l.p.opts.Delay; d > 0 {
		dl := newDelayed(dst, d, l.p.stop)
		defer dl.close()
		out = dl
	}
	var err error
	if edit != nil {
		br := bufio.NewReader(src)
		for err == nil {
			var line string
			line, err = br.ReadString('\n')
			if line != "" && !l.send(out, []byte(edit(line))) {
				return false
			}
		}
	} else {
		buf := make([]byte, 32<<10)
		if l.p.opts.Rate > 0 {
			// Small reads, so that pacing is smooth rather than a burst
			// and a long pause.
			buf = buf[:min(len(buf), max(int(l.p.opts.Rate/50), 1))]
		}
		for err == nil {
			var n int
			n, err = src.Read(buf)
			if n > 0 && !l.send(out, buf[:n]) {
				return false
			}
		}
	}
	if l.isStalled() {
		// A dead path passes on no end either: each side finds out by
		// its own clock, or not at all.
		<-l.p.stop
		return false
	}
	if err != io.EOF {
		return false
	}
	if dl, ok := out.(*delayed); ok && !dl.close() {
		return false
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	return true
}

// send writes b, or only the part the budget allows and then cuts. Once
// stalled it holds on to b until the proxy closes.
func (l *link) send(dst io.Writer, b []byte) bool {
	if l.isStalled() {
		<-l.p.stop
		return false
	}
	if r := l.p.opts.Rate; r > 0 {
		select {
		case <-time.After(time.Duration(int64(len(b)) * int64(time.Second) / r)):
		case <-l.p.stop:
			return false
		}
	}
	if l.unlimited {
		_, err := dst.Write(b)
		return err == nil
	}
	left := l.left.Add(-int64(len(b)))
	if left >= 0 {
		_, err := dst.Write(b)
		return err == nil
	}
	if keep := int64(len(b)) + left; keep > 0 {
		dst.Write(b[:keep])
	}
	if l.p.opts.Stall {
		l.once.Do(func() {
			l.p.cuts.Add(1)
			close(l.stalled)
		})
		<-l.p.stop
		return false
	}
	l.cut()
	return false
}

// delayed writes to w what it is given, each chunk delay after it came.
type delayed struct {
	w     io.Writer
	delay time.Duration
	stop  <-chan struct{}
	q     chan chunk
	done  chan struct{}
	err   atomic.Bool // a write failed: later chunks are dropped
	once  sync.Once
}

type chunk struct {
	at time.Time
	b  []byte
}

func newDelayed(w io.Writer, delay time.Duration, stop <-chan struct{}) *delayed {
	d := &delayed{w: w, delay: delay, stop: stop, q: make(chan chunk, 1024), done: make(chan struct{})}
	go d.run()
	return d
}

func (d *delayed) Write(b []byte) (int, error) {
	if d.err.Load() {
		return 0, io.ErrClosedPipe
	}
	select {
	case d.q <- chunk{time.Now().Add(d.delay), append([]byte(nil), b...)}:
		return len(b), nil
	case <-d.stop:
		return 0, net.ErrClosed
	}
}

func (d *delayed) run() {
	defer close(d.done)
	for c := range d.q {
		select {
		case <-time.After(time.Until(c.at)):
		case <-d.stop:
			d.err.Store(true)
			return
		}
		if !d.err.Load() {
			if _, err := d.w.Write(c.b); err != nil {
				d.err.Store(true)
			}
		}
	}
}

// close delivers what is queued and reports whether all of it went out.
func (d *delayed) close() bool {
	d.once.Do(func() { close(d.q) })
	<-d.done
	return !d.err.Load()
}

func (l *link) isStalled() bool {
	select {
	case <-l.stalled:
		return true
	default:
		return false
	}
}

func (l *link) cut() {
	l.once.Do(func() {
		l.p.cuts.Add(1)
		for _, c := range []net.Conn{l.client, l.srv} {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, not a polite close
			}
			c.Close()
		}
	})
}

var (
	pasvRe = regexp.MustCompile(`^227 .*?\(?(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)?`)
	epsvRe = regexp.MustCompile(`^229 .*\(\|\|\|(\d+)\|\)`)
)

// rewrite points passive-mode replies at a one-shot proxy listener.
func (p *Proxy) rewrite(line string) string {
	var target string
	if m := pasvRe.FindStringSubmatch(line); m != nil {
		hi, _ := strconv.Atoi(m[5])
		lo, _ := strconv.Atoi(m[6])
		target = net.JoinHostPort(strings.Join(m[1:5], "."), strconv.Itoa(hi*256+lo))
	} else if m := epsvRe.FindStringSubmatch(line); m != nil {
		host, _, _ := net.SplitHostPort(p.opts.Target)
		target = net.JoinHostPort(host, m[1])
	} else {
		return line
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return line
	}
	// A data listener nobody connects to must not linger.
	time.AfterFunc(30*time.Second, func() { ln.Close() })
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		ln.Close()
		return line
	}
	p.lns[ln] = struct{}{}
	p.mu.Unlock()
	p.wg.Add(1)
	go p.accept(ln, target, false, false)
	port := ln.Addr().(*net.TCPAddr).Port
	if strings.HasPrefix(line, "227") {
		return fmt.Sprintf("227 Entering Passive Mode (127,0,0,1,%d,%d).\r\n", port/256, port%256)
	}
	return fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)\r\n", port)
}
