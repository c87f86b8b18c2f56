package local

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/protocol"
	"github.com/ferryhq/ferry/protocol/protocoltest"
)

func TestConformance(t *testing.T) {
	protocoltest.Run(t, protocoltest.Harness{
		New: func(t *testing.T) (protocol.Client, string) {
			dir := t.TempDir()
			return NewAt(dir), filepath.ToSlash(dir)
		},
		Denied: func(t *testing.T) (protocol.Client, string) {
			if os.Geteuid() == 0 {
				// root writes anywhere but sysfs, where the kernel refuses
				// new files (EACCES) and directories (EPERM).
				return New(), "/sys/kernel"
			}
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
			return New(), filepath.ToSlash(dir)
		},
	})
}
