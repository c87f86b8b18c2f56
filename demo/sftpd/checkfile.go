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

	"golang.org/x/crypto/ssh"
)

// The check-file extension (draft-ietf-secsh-filexfer-extensions-00 §3),
// served by the layer of extchannel.go: "check-file" in the VERSION reply,
// and check-file-name requests answered with a hash of the file.

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

// checkFileExtension serves check-file-name requests on files of root.
func checkFileExtension(root *os.Root) extension {
	names := make([]string, len(checkFileAlgos))
	for i, a := range checkFileAlgos {
		names[i] = a.name
	}
	return extension{
		advertise: "check-file",
		data:      strings.Join(names, ","),
		request:   "check-file-name",
		serve:     func(id uint32, body []byte) []byte { return checkFile(root, id, body) },
	}
}

// newCheckFileChannel wraps ch with the check-file extension alone.
func newCheckFileChannel(ch ssh.Channel, root *os.Root) *extChannel {
	return newExtChannel(ch, []extension{checkFileExtension(root)})
}

// checkFile answers one request: filename, algorithm list, start offset,
// length (0: to the end) and block size (only 0, one hash, is served).
func checkFile(root *os.Root, id uint32, body []byte) []byte {
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
	f, err := root.Open(rel(string(name)))
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
