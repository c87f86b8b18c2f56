//go:build !linux

package ftp

import "net"

// unsent cannot tell the send queue's length here: drain returns at once.
func unsent(net.Conn) (int, bool) { return 0, false }

// readable cannot tell here.
func readable(net.Conn) bool { return false }
