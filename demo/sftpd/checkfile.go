package sftpd

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// pkg/sftp's server knows a fixed set of extensions, so the check-file
// extension (draft-ietf-secsh-filexfer-extensions-00 §3) is served by a
// layer between the SSH channel and the request server: it adds
// "check-file" to the VERSION reply and answers check-file-name requests
// itself, passing every other packet through untouched.

// checkFileAlgos is what the server advertises and computes, in the order
// it prefers them when a request lists several.
var checkFileAlgos = []struct {
	name string
	new  func() hash.Hash
}{
	{"sha256", sha256.New},
	{"sha512", sha512.New},
	{"sha1", sha1.New},
	{"md5", md5.New},
}

const (
	fxpVersion       = 2
	fxpStatus        = 101
	fxpExtended      = 200
	fxpExtendedReply = 201

	fxNoSuchFile    = 2
	fxPermission    = 3
	fxFailure       = 4
	fxBadMessage    = 5
	fxOpUnsupported = 8

	maxPacket = 1 << 20
)

// checkFileChannel wraps an SFTP channel for the request server.
type checkFileChannel struct {
	ch   ssh.Channel
	root *os.Root

	pending []byte // the packet being handed to the server's reads

	wmu     sync.Mutex // whole packets to ch, ours and the server's
	out     []byte     // the server's bytes not yet a whole packet
	version bool       // the VERSION reply has gone out
}

func newCheckFileChannel(ch ssh.Channel, root *os.Root) *checkFileChannel {
	return &checkFileChannel{ch: ch, root: root}
}

// Read hands the server the client's packets, except the check-file-name
// requests, which it answers.
func (c *checkFileChannel) Read(p []byte) (int, error) {
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
		if id, body, ok := checkFileRequest(pkt[4:]); ok {
			if err := c.send(c.checkFile(id, body)); err != nil {
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
// with the extension added to the VERSION reply.
func (c *checkFileChannel) Write(p []byte) (int, error) {
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
			names := make([]string, len(checkFileAlgos))
			for i, a := range checkFileAlgos {
				names[i] = a.name
			}
			pkt = append(append([]byte(nil), pkt...), sshString("check-file")...)
			pkt = append(pkt, sshString(strings.Join(names, ","))...)
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

func (c *checkFileChannel) Close() error { return c.ch.Close() }

func (c *checkFileChannel) send(pkt []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_, err := c.ch.Write(pkt)
	return err
}

// checkFileRequest says whether pkt (type onwards) is an extended
// check-file-name request, and returns its id and what follows the name.
func checkFileRequest(pkt []byte) (id uint32, body []byte, ok bool) {
	if len(pkt) < 9 || pkt[0] != fxpExtended {
		return 0, nil, false
	}
	id = binary.BigEndian.Uint32(pkt[1:])
	name, rest, ok := takeString(pkt[5:])
	if !ok || string(name) != "check-file-name" {
		return 0, nil, false
	}
	return id, rest, true
}

// checkFile answers one request: filename, algorithm list, start offset,
// length (0: to the end) and block size (only 0, one hash, is served).
func (c *checkFileChannel) checkFile(id uint32, body []byte) []byte {
	name, body, ok1 := takeString(body)
	list, body, ok2 := takeString(body)
	if !ok1 || !ok2 || len(body) != 20 {
		return status(id, fxBadMessage, "bad check-file-name request")
	}
	off := binary.BigEndian.Uint64(body)
	length := binary.BigEndian.Uint64(body[8:])
	if binary.BigEndian.Uint32(body[16:]) != 0 || off > 1<<62 || length > 1<<62 {
		return status(id, fxOpUnsupported, "only one hash of the whole range")
	}
	var algo string
	var h hash.Hash
	for _, a := range checkFileAlgos {
		for _, want := range strings.Split(string(list), ",") {
			if h == nil && want == a.name {
				algo, h = a.name, a.new()
			}
		}
	}
	if h == nil {
		return status(id, fxOpUnsupported, "no such hash algorithm")
	}
	f, err := c.root.Open(rel(string(name)))
	if err != nil {
		return statusOf(id, err)
	}
	defer f.Close()
	var r io.Reader = io.NewSectionReader(f, int64(off), 1<<62)
	if length > 0 {
		r = io.LimitReader(r, int64(length))
	}
	if _, err := io.Copy(h, r); err != nil {
		return statusOf(id, err)
	}
	return packet(fxpExtendedReply, binary.BigEndian.AppendUint32(nil, id),
		sshString("check-file"), sshString(algo), h.Sum(nil))
}

func statusOf(id uint32, err error) []byte {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return status(id, fxNoSuchFile, "no such file")
	case errors.Is(err, fs.ErrPermission):
		return status(id, fxPermission, "permission denied")
	}
	return status(id, fxFailure, err.Error())
}

func status(id, code uint32, msg string) []byte {
	return packet(fxpStatus, binary.BigEndian.AppendUint32(nil, id),
		binary.BigEndian.AppendUint32(nil, code), sshString(msg), sshString(""))
}

func packet(typ byte, parts ...[]byte) []byte {
	b := []byte{0, 0, 0, 0, typ}
	for _, p := range parts {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)-4))
	return b
}

func sshString(s string) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(s))), s...)
}

func takeString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, false
	}
	return b[4 : 4+n], b[4+n:], true
}
