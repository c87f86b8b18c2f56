package sftp

import (
	"context"
	"testing"
	"time"
)

func TestLateCloserBoundsAndWaits(t *testing.T) {
	var l lateCloser
	if err := l.wait(t.Context()); err != nil {
		t.Fatalf("wait with nothing pending: %v", err)
	}
	for i := range maxLateCloses {
		if !l.start() {
			t.Fatalf("slot %d refused", i)
		}
	}
	if l.start() {
		t.Fatalf("slot past the bound granted")
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := l.wait(ctx); err == nil {
		t.Fatalf("wait returned while closes were pending")
	}

	waited := make(chan error, 1)
	go func() { waited <- l.wait(t.Context()) }()
	for range maxLateCloses - 1 {
		l.done()
	}
	select {
	case err := <-waited:
		t.Fatalf("wait returned (%v) with one close pending", err)
	case <-time.After(20 * time.Millisecond):
	}
	l.done()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("wait did not return after the last close")
	}
	if !l.start() {
		t.Fatalf("no slot after all closes finished")
	}
	l.done()
}
