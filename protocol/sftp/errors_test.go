package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"
	"testing"

	"github.com/ferryhq/ferry/protocol"
)

func TestMapErr(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want error
	}{
		{fs.ErrNotExist, protocol.ErrNotExist},
		{fmt.Errorf("open: %w", fs.ErrPermission), protocol.ErrPermission},
		{fs.ErrExist, protocol.ErrExist},
		{syscall.ENOSPC, protocol.ErrNoSpace},
		{io.EOF, protocol.ErrTransient},
		{io.ErrUnexpectedEOF, protocol.ErrTransient},
		{fmt.Errorf("failed to send packet: %w", io.ErrClosedPipe), protocol.ErrTransient},
		{syscall.ECONNRESET, protocol.ErrTransient},
		{errors.New("directory not empty"), protocol.ErrNotEmpty},
		{errors.New("write failed: No space left on device"), protocol.ErrNoSpace},
		{errors.New("Disk quota exceeded"), protocol.ErrNoSpace},
	} {
		got := mapErr("op", "/p", tc.err)
		if !errors.Is(got, tc.want) {
			t.Errorf("mapErr(%v) = %v, want it to wrap %v", tc.err, got, tc.want)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("mapErr(%v) lost the cause", tc.err)
		}
	}
	if err := mapErr("op", "/p", context.Canceled); !errors.Is(err, context.Canceled) || errors.Is(err, protocol.ErrTransient) {
		t.Errorf("cancellation mapped to %v", err)
	}
	if mapErr("op", "/p", nil) != nil {
		t.Error("mapErr(nil) is not nil")
	}
}
