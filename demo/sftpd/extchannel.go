package sftpd

import (
	"encoding/binary"
	"errors"
	"io"
	"sync"

	"golang.org/x/crypto/ssh"
)

// pkg/sftp's server knows a fixed set of extensions, so the others the
// server offers (check-file, users-groups-by-id@openssh.com) are served by
// a layer between the SSH channel and the request server: it adds them to
// the VERSION reply and answers their requests itself, passing every other
// packet through untouched.

// extension is one extension the layer serves.
type extension struct {
	advertise, data string // the name and data added to the VERSION reply
	request         string // the name of the extended request it answers
	// serve answers one request, given its id and what follows the name,
	// with a whole packet.
	serve func(id uint32, body []byte) []byte
}

// extChannel wraps an SFTP channel for the request server.
type extChannel struct {
	ch   ssh.Channel
	exts []extension

	pending []byte // the packet being handed to the server's reads

	wmu     sync.Mutex // whole packets to ch, ours and the server's
	out     []byte     // the server's bytes not yet a whole packet
	version bool       // the VERSION reply has gone out
}

func newExtChannel(ch ssh.Channel, exts []extension) *extChannel {
	return &extChannel{ch: ch, exts: exts}
}

// Read hands the server the client's packets, except the extended
// requests of the extensions, which it answers.
func (c *extChannel) Read(p []byte) (int, error) {
	for len(c.pending) == 0 {
		var lb [4]byte
		if _, err := io.ReadFull(c.ch, lb[:]); err != nil {
			return 0, err
		}
		n := binary.BigEndian.Uint32(lb[:])
		if n == 0 || n > maxPacket {
			return 0, errors.New("sftpd: bad packet length")
		}
		pkt := make([]byte, 4+n)
		copy(pkt, lb[:])
		if _, err := io.ReadFull(c.ch, pkt[4:]); err != nil {
			return 0, err
		}
		if x, id, body, ok := c.request(pkt[4:]); ok {
			if err := c.send(x.serve(id, body)); err != nil {
				return 0, err
			}
			continue
		}
		c.pending = pkt
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// Write gathers the server's output into packets and sends them whole,
// with the extensions added to the VERSION reply.
func (c *extChannel) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.out = append(c.out, p...)
	for len(c.out) >= 4 {
		n := int(binary.BigEndian.Uint32(c.out))
		if len(c.out) < 4+n {
			break
		}
		pkt := c.out[:4+n]
		if !c.version && n > 0 && pkt[4] == fxpVersion {
			c.version = true
			pkt = append([]byte(nil), pkt...)
			for _, x := range c.exts {
				pkt = append(pkt, sshString(x.advertise)...)
				pkt = append(pkt, sshString(x.data)...)
			}
			binary.BigEndian.PutUint32(pkt, uint32(len(pkt)-4))
		}
		if _, err := c.ch.Write(pkt); err != nil {
			return 0, err
		}
		c.out = c.out[4+n:]
	}
	if len(c.out) == 0 {
		c.out = nil
	}
	return len(p), nil
}

func (c *extChannel) Close() error { return c.ch.Close() }

func (c *extChannel) send(pkt []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.ch.Write(pkt)
	return err
}

// request says whether pkt (type onwards) is an extended request of one
// of the extensions, and returns that, the id and what follows the name.
func (c *extChannel) request(pkt []byte) (x extension, id uint32, body []byte, ok bool) {
	if len(pkt) < 9 || pkt[0] != fxpExtended {
		return extension{}, 0, nil, false
	}
	id = binary.BigEndian.Uint32(pkt[1:])
	name, rest, ok := takeString(pkt[5:])
	if !ok {
		return extension{}, 0, nil, false
	}
	for _, x := range c.exts {
		if string(name) == x.request {
			return x, id, rest, true
		}
	}
	return extension{}, 0, nil, false
}
