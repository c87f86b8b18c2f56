package ftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

// TestNetErrorKinds: failures of the connection itself are transient (a
// fresh connection may cure them); garbage and cancellation are not.
func TestNetErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		err       error
		transient bool
	}{
		{io.EOF, true},
		{io.ErrUnexpectedEOF, true},
		{fmt.Errorf("write: %w", io.ErrClosedPipe), true},
		{syscall.ECONNRESET, true},
		{syscall.EPIPE, true},
		{context.Canceled, false},
		{fmt.Errorf("reply: %w", errGarbage), false},
	} {
		got := netError("list", "/d", tc.err)
		if protocol.IsTransient(got) != tc.transient {
			t.Errorf("netError(%v) = %v: transient %v, want %v", tc.err, got, !tc.transient, tc.transient)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("netError(%v) lost the cause", tc.err)
		}
	}
}
