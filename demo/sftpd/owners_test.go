package sftpd

import (
	"bytes"
	"encoding/binary"
	"io"
	"os/user"
	"strconv"
	"strings"
	"testing"
)

func TestUsersGroupsByID(t *testing.T) {
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	ids := func(vs ...uint32) []byte {
		var b []byte
		for _, v := range vs {
			b = append(b, u32(v)...)
		}
		return sshString(string(b))
	}
	names := func(ns ...string) []byte {
		var b []byte
		for _, n := range ns {
			b = append(b, sshString(n)...)
		}
		return sshString(string(b))
	}
	ask := packet(fxpExtended, u32(7), sshString("users-groups-by-id@openssh.com"), ids(0, 1000, 5), ids(0))
	bad := packet(fxpExtended, u32(8), sshString("users-groups-by-id@openssh.com"), sshString("abc"), ids())
	ch := &fakeChannel{in: bytes.NewReader(append(append([]byte(nil), ask...), bad...))}
	var logged []string
	s := &Server{opts: Options{Log: func(l string) { logged = append(logged, l) }}}
	c := newExtChannel(ch, []extension{s.usersGroupsExtension(func(group bool, id uint32) string {
		switch {
		case group && id == 0:
			return "wheel"
		case !group && id == 0:
			return "root"
		case !group && id == 1000:
			return "alice"
		}
		return ""
	})})
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("Read: %v, want EOF once both requests are answered", err)
	}
	want := [][]byte{
		packet(fxpExtendedReply, u32(7), names("root", "alice", ""), names("wheel")),
		status(8, fxBadMessage, "bad users-groups-by-id request"),
	}
	if len(ch.writes) != 2 || !bytes.Equal(ch.writes[0], want[0]) || !bytes.Equal(ch.writes[1], want[1]) {
		t.Fatalf("wrote %x, want %x", ch.writes, want)
	}
	if len(logged) != 1 || logged[0] != "users-groups-by-id: 3 users, 1 groups" {
		t.Errorf("logged %q", logged)
	}
	ch.writes = nil
	c.Write(packet(fxpVersion, u32(3)))
	if len(ch.writes) != 1 || !strings.Contains(string(ch.writes[0]), "users-groups-by-id@openssh.com\x00\x00\x00\x011") {
		t.Fatalf("VERSION %q does not offer users-groups-by-id version 1", ch.writes)
	}
}

func TestHostNames(t *testing.T) {
	me, err := user.Current()
	if err != nil {
		t.Skip("no current user:", err)
	}
	uid, err := strconv.ParseUint(me.Uid, 10, 32)
	if err != nil {
		t.Skip("not a numeric uid:", me.Uid)
	}
	if got := HostNames(false, uint32(uid)); got != me.Username {
		t.Errorf("HostNames(user %d) = %q, want %q", uid, got, me.Username)
	}
	if got := HostNames(true, 0xfffffff0); got != "" {
		t.Errorf("HostNames(an unknown group) = %q, want \"\"", got)
	}
}
