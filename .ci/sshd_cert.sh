# shellcheck shell=bash
# Starts a second private OpenSSH server, one that accepts only
# certificates: users log in with a certificate from a user CA
# (TrustedUserCAKeys, no authorized_keys) and the server shows a host
# certificate. Sourced by .ci/run as root after .ci/sshd.sh; needs
# openssh-server and openssh-client (ssh-keygen, ssh-agent, ssh-add). It
# writes everything under one temp dir, listens on 127.0.0.1 only, and
# exports:
#
#   FERRY_TEST_SSHD_CERT                    127.0.0.1:PORT
#   FERRY_TEST_SSHD_CERT_USER               login user (ferrytest)
#   FERRY_TEST_SSHD_CERT_KEY                key whose valid certificate is
#                                           beside it (KEY-cert.pub)
#   FERRY_TEST_SSHD_CERT_KEY_EXPIRED        key with an expired certificate
#   FERRY_TEST_SSHD_CERT_KEY_OTHER          key with a certificate for the
#                                           principal "other" only
#   FERRY_TEST_SSHD_CERT_KEY_REVOKED        key with a valid certificate that
#                                           the server's RevokedKeys lists
#   FERRY_TEST_SSHD_CERT_HOST_CA            the host CA's public key file
#   FERRY_TEST_SSHD_CERT_HOST_KEY           the server's plain host key (.pub)
#   FERRY_TEST_SSHD_CERT_KNOWN_HOSTS        known_hosts with only
#                                           @cert-authority [127.0.0.1]:PORT
#   FERRY_TEST_SSHD_CERT_KNOWN_HOSTS_REVOKED  the same plus @revoked for
#                                           the host CA
#   FERRY_TEST_SSHD_CERT_AGENT              an ssh-agent socket holding a
#                                           key and its certificate
#   FERRY_TEST_SSHD_CERT_LOG                the server's log
#
# sshd_cert_stop stops the server and the agent and removes what was
# created.

sshd_cert_start() {
	local user=ferrytest port base
	base=$(mktemp -d /tmp/ferry-sshd-cert.XXXXXX) || return 1
	chmod 755 "$base"
	FERRY_SSHD_CERT_BASE=$base

	if ! id "$user" >/dev/null 2>&1; then
		useradd --create-home --shell /bin/bash "$user" || return 1
	fi

	mkdir -p "$base/ca" "$base/keys" "$base/host" || return 1
	ssh-keygen -q -t ed25519 -N '' -C ferry-user-ca -f "$base/ca/user_ca" || return 1
	ssh-keygen -q -t ed25519 -N '' -C ferry-host-ca -f "$base/ca/host_ca" || return 1

	# The host certificate names the address tests dial.
	ssh-keygen -q -t ed25519 -N '' -f "$base/host/ssh_host_ed25519_key" || return 1
	ssh-keygen -q -s "$base/ca/host_ca" -I ferry-test-host -h -n 127.0.0.1,localhost \
		-V -5m:+1d "$base/host/ssh_host_ed25519_key.pub" || return 1

	# name, principal, validity
	local spec name principal validity
	for spec in "id_cert $user -5m:+1d" "id_expired $user 20200101:20200102" \
		"id_other other -5m:+1d" "id_revoked $user -5m:+1d" "id_agent $user -5m:+1d"; do
		read -r name principal validity <<<"$spec"
		ssh-keygen -q -t ed25519 -N '' -C "ferrytest-$name" -f "$base/keys/$name" || return 1
		ssh-keygen -q -s "$base/ca/user_ca" -I "ferrytest-$name" -n "$principal" \
			-V "$validity" "$base/keys/$name.pub" || return 1
	done
	ssh-keygen -q -k -f "$base/revoked.krl" "$base/keys/id_revoked.pub" || return 1

	local _
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			break
		fi
	done

	cat >"$base/sshd_config" <<CONF
ListenAddress 127.0.0.1:$port
HostKey $base/host/ssh_host_ed25519_key
HostCertificate $base/host/ssh_host_ed25519_key-cert.pub
PidFile $base/sshd.pid
TrustedUserCAKeys $base/ca/user_ca.pub
RevokedKeys $base/revoked.krl
AuthorizedKeysFile none
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
# The files live under /tmp, which StrictModes would reject.
StrictModes no
AllowUsers $user
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONF

	mkdir -p /run/sshd
	chmod 755 /run/sshd
	/usr/sbin/sshd -t -f "$base/sshd_config" || return 1
	/usr/sbin/sshd -f "$base/sshd_config" -E "$base/sshd.log" || return 1

	local ca
	ca=$(cat "$base/ca/host_ca.pub")
	printf '@cert-authority [127.0.0.1]:%s %s\n' "$port" "$ca" >"$base/known_hosts"
	cp "$base/known_hosts" "$base/known_hosts_revoked"
	printf '@revoked * %s\n' "$ca" >>"$base/known_hosts_revoked"

	for _ in $(seq 1 50); do
		if ssh-keyscan -T 1 -p "$port" 127.0.0.1 2>/dev/null | grep -q ed25519; then
			break
		fi
		sleep 0.2
	done
	if ! ssh-keyscan -T 1 -p "$port" 127.0.0.1 2>/dev/null | grep -q ed25519; then
		echo "certificate sshd did not answer on 127.0.0.1:$port" >&2
		cat "$base/sshd.log" >&2
		return 1
	fi

	# ssh-add adds KEY-cert.pub along with KEY.
	local agent_out
	agent_out=$(ssh-agent -s -a "$base/agent.sock") || return 1
	FERRY_SSHD_CERT_AGENT_PID=$(sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p' <<<"$agent_out")
	SSH_AUTH_SOCK="$base/agent.sock" ssh-add -q "$base/keys/id_agent" || return 1
	rm "$base/keys/id_agent" "$base/keys/id_agent-cert.pub"

	export FERRY_TEST_SSHD_CERT="127.0.0.1:$port"
	export FERRY_TEST_SSHD_CERT_USER="$user"
	export FERRY_TEST_SSHD_CERT_KEY="$base/keys/id_cert"
	export FERRY_TEST_SSHD_CERT_KEY_EXPIRED="$base/keys/id_expired"
	export FERRY_TEST_SSHD_CERT_KEY_OTHER="$base/keys/id_other"
	export FERRY_TEST_SSHD_CERT_KEY_REVOKED="$base/keys/id_revoked"
	export FERRY_TEST_SSHD_CERT_HOST_CA="$base/ca/host_ca.pub"
	export FERRY_TEST_SSHD_CERT_HOST_KEY="$base/host/ssh_host_ed25519_key.pub"
	export FERRY_TEST_SSHD_CERT_KNOWN_HOSTS="$base/known_hosts"
	export FERRY_TEST_SSHD_CERT_KNOWN_HOSTS_REVOKED="$base/known_hosts_revoked"
	export FERRY_TEST_SSHD_CERT_AGENT="$base/agent.sock"
	export FERRY_TEST_SSHD_CERT_LOG="$base/sshd.log"
	echo "certificate sshd running on $FERRY_TEST_SSHD_CERT (log $FERRY_TEST_SSHD_CERT_LOG)"
}

sshd_cert_stop() {
	local base=${FERRY_SSHD_CERT_BASE:-}
	[ -n "$base" ] || return 0
	if [ -s "$base/sshd.pid" ]; then
		kill "$(cat "$base/sshd.pid")" 2>/dev/null || true
	fi
	if [ -n "${FERRY_SSHD_CERT_AGENT_PID:-}" ]; then
		kill "$FERRY_SSHD_CERT_AGENT_PID" 2>/dev/null || true
	fi
	rm -rf "$base"
	unset FERRY_SSHD_CERT_BASE FERRY_SSHD_CERT_AGENT_PID FERRY_TEST_SSHD_CERT FERRY_TEST_SSHD_CERT_USER \
		FERRY_TEST_SSHD_CERT_KEY FERRY_TEST_SSHD_CERT_KEY_EXPIRED FERRY_TEST_SSHD_CERT_KEY_OTHER \
		FERRY_TEST_SSHD_CERT_KEY_REVOKED FERRY_TEST_SSHD_CERT_HOST_CA FERRY_TEST_SSHD_CERT_HOST_KEY \
		FERRY_TEST_SSHD_CERT_KNOWN_HOSTS FERRY_TEST_SSHD_CERT_KNOWN_HOSTS_REVOKED FERRY_TEST_SSHD_CERT_AGENT \
		FERRY_TEST_SSHD_CERT_LOG
}

sshd_cert_start
