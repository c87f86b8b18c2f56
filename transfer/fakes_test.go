package transfer

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferryhq/ferry/protocol"
)

// hookClient wraps a real Client and lets a test change single calls: hostile
// listings, failing writers, stalling readers.
type hookClient struct {
	protocol.Client
	list    func(ctx context.Context, dir string) ([]protocol.Entry, error)
	open    func(ctx context.Context, p string, offset int64) (io.ReadCloser, error)
	create  func(ctx context.Context, p string, offset int64) (io.WriteCloser, error)
	chtimes func(ctx context.Context, p string, t time.Time) error
	stat    func(ctx context.Context, p string) (protocol.Entry, error)
}

func (h *hookClient) Stat(ctx context.Context, p string) (protocol.Entry, error) {
	if h.stat != nil {
		return h.stat(ctx, p)
	}
	return h.Client.Stat(ctx, p)
}

func (h *hookClient) List(ctx context.Context, dir string) ([]protocol.Entry, error) {
	if h.list != nil {
		return h.list(ctx, dir)
	}
	return h.Client.List(ctx, dir)
}

func (h *hookClient) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	if h.open != nil {
		return h.open(ctx, p, offset)
	}
	return h.Client.Open(ctx, p, offset)
}

func (h *hookClient) Create(ctx context.Context, p string, offset int64) (io.WriteCloser, error) {
	if h.create != nil {
		return h.create(ctx, p, offset)
	}
	return h.Client.Create(ctx, p, offset)
}

// Chtimes passes through, since embedding an interface hides it.
func (h *hookClient) Chtimes(ctx context.Context, p string, t time.Time) error {
	if h.chtimes != nil {
		return h.chtimes(ctx, p, t)
	}
	if c, ok := h.Client.(protocol.Chtimeser); ok {
		return c.Chtimes(ctx, p, t)
	}
	return protocol.ErrUnsupported
}

// failWriter passes limit bytes, then fails every write with err.
type failWriter struct {
	io.WriteCloser
	limit int64
	n     int64
	err   error
}

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n+int64(len(p)) > w.limit {
		k := max(0, w.limit-w.n)
		n, _ := w.WriteCloser.Write(p[:k])
		w.n += int64(n)
		return n, w.err
	}
	n, err := w.WriteCloser.Write(p)
	w.n += int64(n)
	return n, err
}

// cutReader fails with a transient error after limit bytes.
type cutReader struct {
	io.ReadCloser
	limit int64
	n     int64
}

func (r *cutReader) Read(p []byte) (int, error) {
	if r.n >= r.limit {
		return 0, protocol.NewError("read", "", protocol.ErrTransient, "connection reset", nil)
	}
	if int64(len(p)) > r.limit-r.n {
		p = p[:r.limit-r.n]
	}
	n, err := r.ReadCloser.Read(p)
	r.n += int64(n)
	return n, err
}

// stallReader blocks like a server that stopped sending: until its context
// ends, or, with ignoreCtx (a backend breaking the contract), until closed.
type stallReader struct {
	ctx       context.Context
	ignoreCtx bool
	once      sync.Once
	done      chan struct{}
}

func (r *stallReader) Read(p []byte) (int, error) {
	if r.ignoreCtx {
		<-r.done
		return 0, io.ErrClosedPipe
	}
	select {
	case <-r.done:
		return 0, io.ErrClosedPipe
	case <-r.ctx.Done():
		return 0, r.ctx.Err()
	}
}

func (r *stallReader) Close() error { r.once.Do(func() { close(r.done) }); return nil }

// opens counts Open calls and remembers their offsets.
type opens struct {
	mu      sync.Mutex
	offsets []int64
	n       atomic.Int64
}

func (o *opens) add(off int64) {
	o.mu.Lock()
	o.offsets = append(o.offsets, off)
	o.mu.Unlock()
	o.n.Add(1)
}

func (o *opens) list() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int64(nil), o.offsets...)
}
