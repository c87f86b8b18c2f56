package protocol

import (
	"io/fs"
	"testing"
)

func TestModeStringReadsLikeLs(t *testing.T) {
	for _, tc := range []struct {
		m    fs.FileMode
		want string
	}{
		{fs.ModeDir | 0o755, "drwxr-xr-x"},
		{0o644, "-rw-r--r--"},
		{fs.ModeSymlink | 0o777, "lrwxrwxrwx"},
		{fs.ModeDevice | fs.ModeCharDevice | 0o620, "crw--w----"},
		{fs.ModeDevice | 0o660, "brw-rw----"},
		{fs.ModeNamedPipe | 0o600, "prw-------"},
		{fs.ModeSetuid | 0o755, "-rwsr-xr-x"},
		{fs.ModeSetgid | 0o644, "-rw-r-Sr--"},
		{fs.ModeDir | fs.ModeSticky | 0o777, "drwxrwxrwt"},
	} {
		if got := ModeString(tc.m); got != tc.want {
			t.Errorf("ModeString(%v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}
