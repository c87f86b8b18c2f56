//go:build !unix

package transfer

import "errors"

var errNoSpace = errors.New("no space left on device")
