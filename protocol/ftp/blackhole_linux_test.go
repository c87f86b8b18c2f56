package ftp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

// TestConnectToABlackHole: a server that never answers the SYN fails the
// dial within the timeout, for a retry, saying so.
func TestConnectToABlackHole(t *testing.T) {
	addr := protocoltest.BlackHole(t)
	start := time.Now()
	c, err := Dial(context.Background(), siteOf(t, protocol.SchemeFTP, addr, "alice"), Config{Password: "pw", Timeout: 300 * time.Millisecond, PinDir: t.TempDir()})
	if err == nil {
		c.Close()
		t.Fatal("connected to a black hole")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("gave up after %s with a 300ms timeout", took)
	}
	if !errors.Is(err, protocol.ErrTransient) {
		t.Errorf("got %v, want ErrTransient: a dropped SYN is worth another try", err)
	}
	if !strings.Contains(err.Error(), "no answer within 300ms") {
		t.Errorf("got %q, want it to say how long it waited", err)
	}
}
