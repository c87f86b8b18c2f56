package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/pkg/sftp"
)

// cancelGrace is how long a transfer may take to notice a cancelled
// context on its own before the connection is dropped to end it.
const cancelGrace = 2 * time.Second

// openFile opens p, closing the handle if ctx ended meanwhile.
func (c *Client) openFile(ctx context.Context, p string, flags int) (*sftp.File, error) {
	type result struct {
		f   *sftp.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := c.sc.OpenFile(p, flags)
		ch <- result{f, err}
	}()
	select {
	case r := <-ch:
		return r.f, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.f != nil {
				r.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// guard drops the connection when ctx has ended and the transfer has not
// stopped within cancelGrace: a stalled server would otherwise keep a
// pkg/sftp call waiting for ever. release disarms it.
func (c *Client) guard(ctx context.Context) (release func()) {
	var mu sync.Mutex
	var timer *time.Timer
	released := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !released {
			timer = time.AfterFunc(cancelGrace, c.abort)
		}
	})
	return func() {
		stop()
		mu.Lock()
		released = true
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
	}
}

// Open streams p from offset.
func (c *Client) Open(ctx context.Context, p string, offset int64) (io.ReadCloser, error) {
	return c.open(ctx, "open", p, offset, -1)
}

// OpenRange streams length bytes of p from offset; several may run at
// once on one Client.
func (c *Client) OpenRange(ctx context.Context, p string, offset, length int64) (io.ReadCloser, error) {
	if length < 0 {
		return nil, fmt.Errorf("open range %s: negative length", p)
	}
	return c.open(ctx, "open range", p, offset, length)
}

// OpenSized streams p from offset when its size is known from a listing:
// a small file then costs OPEN, one READ and CLOSE, without the FSTAT that
// Open needs to learn the size.
func (c *Client) OpenSized(ctx context.Context, p string, offset, size int64) (io.ReadCloser, error) {
	if size < 0 || size-offset > smallFile {
		return c.Open(ctx, p, offset)
	}
	r, err := c.openAt(ctx, "open", p, offset, -1, size)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (c *Client) open(ctx context.Context, op, p string, offset, limit int64) (io.ReadCloser, error) {
	r, err := c.openAt(ctx, op, p, offset, limit, -1)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// openAt opens p for reading at offset; size, when not negative, is taken
// as the file's size instead of asking the server.
func (c *Client) openAt(ctx context.Context, op, p string, offset, limit, size int64) (*reader, error) {
	p = c.abs(p)
	c.logOp(op, p)
	f, err := c.openFile(ctx, p, os.O_RDONLY)
	if err != nil {
		return nil, mapErr(op, p, err)
	}
	if size >= 0 {
		return &reader{c: c, ctx: ctx, f: f, p: p, limit: limit, size: size, offset: offset}, nil
	}
	fi, _, err := c.fstat(f, p)
	if err == nil {
		if fi.IsDir() {
			f.Close()
			return nil, protocol.NewError(op, p, nil, "is a directory", nil)
		}
		size = fi.Size()
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, mapErr(op, p, err)
	}
	return &reader{c: c, ctx: ctx, f: f, p: p, limit: limit, size: size, offset: offset}, nil
}

// fstat describes an open file: FSTAT on its handle, else STAT of its
// path (byPath). Net::SFTP::SftpServer has no FSTAT and answers it with
// "No such file": downloads there failed before their first byte and
// resumed uploads could not start. A lost connection is not retried.
func (c *Client) fstat(f *sftp.File, p string) (fi os.FileInfo, byPath bool, err error) {
	fi, err = f.Stat()
	if err == nil {
		return fi, false, nil
	}
	if _, kind := classify(err); kind == protocol.ErrTransient {
		return nil, false, err
	}
	if fi, perr := c.sc.Stat(p); perr == nil {
		return fi, true, nil
	}
	return nil, true, err
}

// reader streams a remote file. io.Copy uses WriteTo, which keeps many
// reads in flight (a bulk stream, readAhead); Read feeds from the same
// machinery through a pipe, so callers with small buffers are fast too.
type reader struct {
	c     *Client
	ctx   context.Context
	f     *sftp.File
	p     string
	limit int64 // bytes left to deliver; -1 for all
	// size and offset, when size is known, let small files skip the
	// concurrent machinery (and its extra FSTAT): a few sequential reads
	// of what the open-time stat promised are cheaper.
	size, offset int64

	pr   *io.PipeReader
	done chan struct{}
}

var errLimit = errors.New("range complete")

// ctxWriter stops a transfer when ctx ends and after limit bytes.
type ctxWriter struct {
	ctx   context.Context
	w     io.Writer
	limit int64
}

func (w *ctxWriter) Write(b []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	if w.limit < 0 {
		return w.w.Write(b)
	}
	if int64(len(b)) >= w.limit {
		n, err := w.w.Write(b[:w.limit])
		w.limit -= int64(n)
		if err == nil {
			err = errLimit
		}
		return n, err
	}
	n, err := w.w.Write(b)
	w.limit -= int64(n)
	return n, err
}

func (r *reader) writeTo(w io.Writer) (int64, error) {
	if r.limit == 0 {
		return 0, nil
	}
	release := r.c.guard(r.ctx)
	defer release()
	cw := &ctxWriter{ctx: r.ctx, w: w, limit: r.limit}
	var n int64
	var err error
	if r.size >= 0 && r.size-r.offset <= smallFile {
		n, err = r.readSmall(cw)
	} else {
		n, err = r.readLarge(cw)
	}
	if errors.Is(err, errLimit) {
		err = nil
	}
	if err != nil {
		if r.ctx.Err() != nil {
			err = r.ctx.Err()
		}
		return n, r.c.explain(mapErr("read", r.p, err))
	}
	return n, nil
}

// readLarge streams a big file on a channel of its own (bulk.go) when it
// can, and carries on with readAhead from wherever that stopped.
func (r *reader) readLarge(w io.Writer) (int64, error) {
	end := int64(-1)
	if r.limit >= 0 {
		end = r.offset + r.limit
	}
	if r.size-r.offset < bulkMin || !r.c.bulkOK.Load() {
		return r.readAhead(w, r.offset, end)
	}
	res := r.c.streamBulk(r.ctx, r.p, r.offset, end, r.size, w)
	n := res.written
	switch {
	case res.werr != nil:
		return n, res.werr
	case res.done:
		return n, nil
	case r.ctx.Err() != nil:
		return n, r.ctx.Err()
	}
	m, err := r.readAhead(w, r.offset+n, end)
	if m > 0 && res.clean {
		// The stream stopped early without a fault of the channel (a
		// short read: the server caps reads lower) and there was more to
		// read: this server is better served by readAhead.
		r.c.bulkOK.Store(false)
	}
	return n + m, err
}

// readAhead copies the file from off to end (to EOF when end < 0) to w
// with up to maxRequests reads of maxPacket in flight, written in order.
//
// It stands in for pkg/sftp's File.WriteTo, which takes a short reply as
// the whole of its chunk: it writes what came and goes on with the next
// chunk, so the bytes the server did not send are silently skipped. A
// short read is legal SFTP, and pkg/sftp's own sftp.Server caps every
// reply at 32 KiB, so a download from the many servers built on it came
// out with most of each 255 KiB chunk missing (the engine then saw a
// source that ended early). Each chunk here is read with File.ReadAt,
// which asks again from where a short reply stopped until the chunk is
// full, the server says EOF, or a request fails. That holds while a chunk
// is no bigger than the client's MaxPacket (dial.go): a bigger ReadAt
// splits into concurrent requests and takes a short reply there for the
// end of the file. Nor does readAhead send the FSTAT WriteTo sends first,
// so servers without FSTAT (see fstat) need no path of their own.
func (r *reader) readAhead(w io.Writer, off, end int64) (int64, error) {
	type chunk struct {
		off  int64
		want int
		buf  *[]byte
		n    int
		err  error
		done chan struct{}
	}
	workers := maxRequests
	if r.size >= 0 {
		// A file known to be small needs fewer: one per chunk and one
		// to find the end.
		workers = int(min(int64(workers), max(r.size-off, 0)/maxPacket+1))
	}
	// order holds the chunks in file order, jobs the same chunks for the
	// readers; its bound keeps at most workers chunks read ahead of w.
	order := make(chan *chunk, workers)
	jobs := make(chan *chunk, workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				select {
				case <-stop:
					c.err = errLimit // not read: nobody writes it
				default:
					c.buf = r.c.packet()
					c.n, c.err = r.f.ReadAt((*c.buf)[:c.want], c.off)
				}
				close(c.done)
			}
		}()
	}
	go func() {
		defer close(jobs)
		defer close(order)
		for at := off; end < 0 || at < end; at += maxPacket {
			want := int64(maxPacket)
			if end >= 0 {
				want = min(want, end-at)
			}
			c := &chunk{off: at, want: int(want), done: make(chan struct{})}
			select {
			case order <- c:
			case <-stop:
				return
			}
			jobs <- c
		}
	}()
	defer func() {
		close(stop)
		for c := range order {
			<-c.done
			if c.buf != nil {
				r.c.packets.Put(c.buf)
			}
		}
		wg.Wait()
	}()

	var written int64
	for c := range order {
		<-c.done
		var err error
		if c.n > 0 {
			var m int
			m, err = w.Write((*c.buf)[:c.n])
			written += int64(m)
		}
		if c.buf != nil {
			r.c.packets.Put(c.buf)
		}
		switch {
		case err != nil:
			return written, err
		case errors.Is(c.err, io.EOF):
			return written, nil
		case c.err != nil:
			return written, c.err
		case c.n < c.want:
			// ReadAt's contract: a short count comes with an error.
			return written, io.ErrUnexpectedEOF
		}
	}
	return written, nil
}

// packet takes a maxPacket buffer from c.packets; a Client made without
// Dial, whose pool has no New, gets a fresh one.
func (c *Client) packet() *[]byte {
	if b, ok := c.packets.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, maxPacket)
	return &b
}

// smallFile is the size up to which a download reads sequentially.
const smallFile = 2 * maxPacket

// tinyRead is the size up to which a small file is read into a buffer of
// this size rather than of maxPacket: 2,000 files of 1-16 KiB spent 5% of
// their CPU allocating and faulting in 255 KiB buffers the collector had
// taken from the pool.
const tinyRead = 32 << 10

// readSmall reads the rest of a small file with one request per packet,
// up to the size seen at open; the transfer engine checks sizes anyway.
func (r *reader) readSmall(w io.Writer) (int64, error) {
	left := r.size - r.offset
	pool := &r.c.packets
	if left <= tinyRead {
		pool = &r.c.tiny
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	buf := *bp
	var total int64
	for left > 0 {
		k, err := r.f.ReadAt(buf[:min(left, int64(len(buf)))], r.offset+total)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			total += int64(m)
			left -= int64(m)
			if werr != nil {
				return total, werr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// WriteTo copies the rest of the file to w with many reads in flight.
func (r *reader) WriteTo(w io.Writer) (int64, error) {
	if r.pr != nil {
		return io.Copy(w, struct{ io.Reader }{r.pr})
	}
	return r.writeTo(w)
}

func (r *reader) Read(b []byte) (int, error) {
	if r.pr == nil {
		pr, pw := io.Pipe()
		r.pr, r.done = pr, make(chan struct{})
		// A cancelled read returns at once, even while a request waits.
		stop := context.AfterFunc(r.ctx, func() { pr.CloseWithError(r.ctx.Err()) })
		go func() {
			defer close(r.done)
			defer stop()
			_, err := r.writeTo(pw)
			pw.CloseWithError(err)
		}()
	}
	return r.pr.Read(b)
}

// Close ends the read, before EOF if need be, and releases the handle.
func (r *reader) Close() error {
	if r.pr != nil {
		r.pr.CloseWithError(errors.New("reader closed"))
		select {
		case <-r.done:
		case <-time.After(cancelGrace):
			// The server stopped answering mid-read; only dropping the
			// connection frees the requests still waiting.
			r.c.abort()
			<-r.done
		}
	}
	if r.c.late.start() {
		// No read on the handle is in flight (WriteTo has returned);
		// only the answer to the close is left to wait for.
		go func() {
			defer r.c.late.done()
			r.f.Close()
		}()
		return nil
	}
	// A cancelled read on a stalled server must not wait for ever here
	// either: past cancelGrace the connection is dropped.
	release := r.c.guard(r.ctx)
	defer release()
	err := r.f.Close()
	if err != nil && !errors.Is(err, os.ErrClosed) {
		return mapErr("close", r.p, err)
	}
	return nil
}

// Create writes p from offset: 0 truncates, more resumes a partial file.
func (c *Client) Create(ctx context.Context, p string, offset int64) (io.WriteCloser, error) {
	p = c.abs(p)
	c.logOp("create", p)
	if offset < 0 {
		return nil, fmt.Errorf("create %s: negative offset", p)
	}
	if err := c.late.wait(ctx); err != nil {
		return nil, err
	}
	flags := os.O_WRONLY | os.O_CREATE
	if offset == 0 {
		flags |= os.O_TRUNC
	}
	f, err := c.openFile(ctx, p, flags)
	if err != nil {
		return nil, mapErr("create", p, err)
	}
	if offset > 0 {
		if err := c.resumeAt(f, p, offset); err != nil {
			f.Close()
			return nil, mapErr("create", p, err)
		}
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, mapErr("create", p, err)
	}
	return &writer{c: c, ctx: ctx, f: f, p: p}, nil
}

// resumeAt cuts anything past offset, so a resumed file ends exactly where
// the new data does; a file shorter than offset cannot be resumed.
func (c *Client) resumeAt(f *sftp.File, p string, offset int64) error {
	fi, _, err := c.fstat(f, p)
	if err != nil {
		return err
	}
	switch {
	case fi.Size() < offset:
		return fmt.Errorf("cannot resume at %d: the file has only %d bytes", offset, fi.Size())
	case fi.Size() > offset:
		return f.Truncate(offset)
	}
	return nil
}

// writer uploads with many writes in flight: ReadFrom (used by io.Copy)
// directly, Write through a pipe into the same machinery.
type writer struct {
	c   *Client
	ctx context.Context
	f   *sftp.File
	p   string

	pw    *io.PipeWriter
	done  chan struct{}
	bgErr error
}

// ctxReader stops a transfer when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}

func (w *writer) readFrom(r io.Reader) (int64, error) {
	release := w.c.guard(w.ctx)
	defer release()
	n, err := w.f.ReadFromWithConcurrency(&ctxReader{ctx: w.ctx, r: r}, w.c.writeRequests)
	if err != nil {
		if w.ctx.Err() != nil {
			err = w.ctx.Err()
		}
		return n, w.c.explain(mapErr("write", w.p, err))
	}
	return n, nil
}

// ReadFrom uploads everything r holds.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if w.pw != nil {
		return io.Copy(struct{ io.Writer }{w.pw}, r)
	}
	return w.readFrom(r)
}

func (w *writer) Write(b []byte) (int, error) {
	if w.pw == nil {
		pr, pw := io.Pipe()
		w.pw, w.done = pw, make(chan struct{})
		go func() {
			defer close(w.done)
			_, err := w.readFrom(pr)
			w.bgErr = err
			if err == nil {
				err = io.ErrClosedPipe
			}
			pr.CloseWithError(err)
		}()
	}
	return w.pw.Write(b)
}

// Close waits for every write to be acknowledged and closes the handle;
// only a nil result means the data is stored.
func (w *writer) Close() error {
	var err error
	if w.pw != nil {
		w.pw.Close()
		<-w.done
		err = w.bgErr
	}
	if cerr := w.f.Close(); cerr != nil && !errors.Is(cerr, os.ErrClosed) && err == nil {
		err = mapErr("close", w.p, cerr)
	}
	return err
}
