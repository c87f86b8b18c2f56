//go:build !linux

package local

import "os"

func rename(from, to string) error { return os.Rename(from, to) }
