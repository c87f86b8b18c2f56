package sftp

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pkg/sftp"

	"github.com/ferryhq/ferry/protocol"
)

// TestPacketsCountWholePackets feeds two packets in awkward pieces: each
// counts once its last byte has come, not when its length has.
func TestPacketsCountWholePackets(t *testing.T) {
	var n atomic.Int64
	p := packets{n: &n}
	stream := []byte{0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'd', 'e'}
	for i, want := range []int64{0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2} {
		p.scan(stream[i : i+1])
		if got := n.Load(); got != want {
			t.Fatalf("after byte %d: %d packets, want %d", i, got, want)
		}
	}
	p.scan([]byte{0, 0, 0, 0}) // an empty packet counts at once
	if got := n.Load(); got != 3 {
		t.Fatalf("%d packets after an empty one, want 3", got)
	}
}

// TestExplainSaysWhyTheConnectionWasDropped: once the keepalive dropped a
// connection, its transient failures say why, pkg/sftp's own "connection
// lost" included; other failures are left alone.
func TestExplainSaysWhyTheConnectionWasDropped(t *testing.T) {
	c := &Client{}
	lost := mapErr("read", "/f", sftp.ErrSSHFxConnectionLost)
	if got := c.explain(lost); got != lost {
		t.Errorf("explained %v before any drop", got)
	}
	why := "no data from the server for 1m0s (keepalive)"
	c.silent.Store(&why)
	status := mapErr("read", "/f", &sftp.StatusError{Code: uint32(sftp.ErrSSHFxConnectionLost)})
	for _, err := range []error{lost, status, mapErr("read", "/f", io.ErrUnexpectedEOF)} {
		got := c.explain(err)
		if !strings.Contains(got.Error(), why) || !errors.Is(got, protocol.ErrTransient) {
			t.Errorf("%v explained as %v", err, got)
		}
	}
	denied := mapErr("read", "/f", fs.ErrPermission)
	if got := c.explain(denied); got != denied {
		t.Errorf("a refusal explained as %v", got)
	}
}
