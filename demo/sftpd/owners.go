package sftpd

import (
	"encoding/binary"
	"os/user"
	"strconv"
)

// users-groups-by-id@openssh.com (OpenSSH's PROTOCOL §4.12, sftp-server
// since 9.1) names numeric user and group ids, which SFTP version 3
// attributes carry instead of names. The server offers it when
// Options.UsersGroupsByID says how to name an id.

// HostNames names ids as the host does (/etc/passwd, /etc/group or what
// the system's lookup uses), as OpenSSH's sftp-server does; "" for an id
// the host does not know. It suits Options.UsersGroupsByID.
func HostNames(group bool, id uint32) string {
	s := strconv.FormatUint(uint64(id), 10)
	if group {
		if g, err := user.LookupGroupId(s); err == nil {
			return g.Name
		}
		return ""
	}
	if u, err := user.LookupId(s); err == nil {
		return u.Username
	}
	return ""
}

// usersGroupsExtension answers users-groups-by-id requests with name.
func (s *Server) usersGroupsExtension(name func(group bool, id uint32) string) extension {
	return extension{
		advertise: "users-groups-by-id@openssh.com",
		data:      "1",
		request:   "users-groups-by-id@openssh.com",
		serve: func(id uint32, body []byte) []byte {
			uids, rest, ok1 := takeString(body)
			gids, _, ok2 := takeString(rest)
			if !ok1 || !ok2 || len(uids)%4 != 0 || len(gids)%4 != 0 {
				return status(id, fxBadMessage, "bad users-groups-by-id request")
			}
			s.logf("users-groups-by-id: %d users, %d groups", len(uids)/4, len(gids)/4)
			names := func(ids []byte, group bool) []byte {
				var out []byte
				for ; len(ids) > 0; ids = ids[4:] {
					out = append(out, sshString(name(group, binary.BigEndian.Uint32(ids)))...)
				}
				return sshString(string(out))
			}
			return packet(fxpExtendedReply, binary.BigEndian.AppendUint32(nil, id),
				names(uids, false), names(gids, true))
		},
	}
}
