package transfer

import (
	"context"
	"math"

	"golang.org/x/time/rate"
)

// newLimiter returns a token bucket for bytesPerSecond; 0 means unlimited.
func newLimiter(bytesPerSecond int64) *rate.Limiter {
	l := rate.NewLimiter(rate.Inf, 0)
	setLimit(l, bytesPerSecond)
	return l
}

// setLimit changes a limiter; the burst is a tenth of a second's worth
// (at least 4 KiB, at most one copy buffer) so the rate stays smooth.
func setLimit(l *rate.Limiter, bytesPerSecond int64) {
	if bytesPerSecond <= 0 {
		l.SetLimit(rate.Inf)
		l.SetBurst(copyBuffer)
		return
	}
	l.SetLimit(rate.Limit(bytesPerSecond))
	l.SetBurst(int(min(max(bytesPerSecond/10, 4<<10), copyBuffer)))
}

// limiterFor returns the job's own limiter, or nil without a per-job limit.
// Each attempt gets a new bucket; the rate is what matters.
func (e *engine) limiterFor(j *job) *rate.Limiter {
	if j.opts.Limit <= 0 {
		return nil
	}
	return newLimiter(j.opts.Limit)
}

// burstOf is the largest chunk every limiter accepts at once.
func burstOf(ls ...*rate.Limiter) int {
	b := math.MaxInt
	for _, l := range ls {
		if l != nil && l.Limit() != rate.Inf {
			b = min(b, l.Burst())
		}
	}
	return b
}

func waitN(ctx context.Context, n int, ls ...*rate.Limiter) error {
	for _, l := range ls {
		if l == nil || l.Limit() == rate.Inf {
			continue
		}
		if err := l.WaitN(ctx, min(n, l.Burst())); err != nil {
			return err
		}
	}
	return nil
}
