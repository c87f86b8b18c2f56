package cli

import "path/filepath"

// localAbs makes a local path absolute, in slash form for protocol/local.
func localAbs(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(abs)
}
