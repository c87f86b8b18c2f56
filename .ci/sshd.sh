# shellcheck shell=bash
# Starts a private OpenSSH server for ferry's real-server tests. Sourced by
# .ci/run as root, after `apt-get install -y openssh-server`. It writes
# everything under one temp dir, listens on 127.0.0.1 only, and exports:
#
#   FERRY_TEST_SSHD                 127.0.0.1:PORT
#   FERRY_TEST_SSHD_USER            login user (ferrytest)
#   FERRY_TEST_SSHD_PASSWORD        its password
#   FERRY_TEST_SSHD_KEY             authorized ed25519 private key
#   FERRY_TEST_SSHD_KEY_ENC         the same kind of key, encrypted
#   FERRY_TEST_SSHD_KEY_PASSPHRASE  its passphrase
#   FERRY_TEST_SSHD_KNOWN_HOSTS     known_hosts holding the server's keys
#   FERRY_TEST_SSHD_DIR             a directory the user owns
#   FERRY_TEST_SSHD_DENIED_DIR      a directory the user may not write
#   FERRY_TEST_SSHD_LOG             the server's log
#
# sshd_stop stops the server and removes what was created.

sshd_start() {
	local user=ferrytest port base
	base=$(mktemp -d /tmp/ferry-sshd.XXXXXX) || return 1
	chmod 755 "$base"
	FERRY_SSHD_BASE=$base

	if ! id "$user" >/dev/null 2>&1; then
		useradd --create-home --shell /bin/bash "$user" || return 1
	fi
	# The password is random but kept (root only), so that servers started
	# side by side by concurrent runs do not change it under each other.
	local password passphrase secret=/var/lib/ferry-sshd/password
	if [ ! -s "$secret" ]; then
		install -d -m 700 /var/lib/ferry-sshd
		(umask 077 && od -An -N12 -tx1 /dev/urandom | tr -d ' \n' | sed 's/^/ferry-/' >"$secret")
		echo "$user:$(cat "$secret")" | chpasswd || return 1
	fi
	password=$(cat "$secret")
	passphrase="pass-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

	mkdir -p "$base/keys" "$base/host" || return 1
	ssh-keygen -q -t ed25519 -N '' -C ferrytest -f "$base/keys/id_ed25519" || return 1
	ssh-keygen -q -t ed25519 -N "$passphrase" -C ferrytest-enc -f "$base/keys/id_ed25519_enc" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$base/host/ssh_host_ed25519_key" || return 1
	ssh-keygen -q -t rsa -b 3072 -N '' -f "$base/host/ssh_host_rsa_key" || return 1

	# Keys are authorized in this server's own file, not in the user's home,
	# so concurrent servers each accept their own keys.
	cat "$base/keys/id_ed25519.pub" "$base/keys/id_ed25519_enc.pub" >"$base/authorized_keys"
	chmod 644 "$base/authorized_keys"
	install -d -m 755 -o "$user" -g "$user" "$base/data"
	install -d -m 755 -o root -g root "$base/denied"

	# A free high port: one nothing answers on.
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
HostKey $base/host/ssh_host_rsa_key
PidFile $base/sshd.pid
AuthorizedKeysFile $base/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication yes
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

	for _ in $(seq 1 50); do
		if ssh-keyscan -T 1 -p "$port" 127.0.0.1 >"$base/known_hosts" 2>/dev/null && [ -s "$base/known_hosts" ]; then
			break
		fi
		sleep 0.2
	done
	if [ ! -s "$base/known_hosts" ]; then
		echo "sshd did not answer on 127.0.0.1:$port" >&2
		cat "$base/sshd.log" >&2
		return 1
	fi
	chmod 600 "$base/keys/id_ed25519" "$base/keys/id_ed25519_enc"

	export FERRY_TEST_SSHD="127.0.0.1:$port"
	export FERRY_TEST_SSHD_USER="$user"
	export FERRY_TEST_SSHD_PASSWORD="$password"
	export FERRY_TEST_SSHD_KEY="$base/keys/id_ed25519"
	export FERRY_TEST_SSHD_KEY_ENC="$base/keys/id_ed25519_enc"
	export FERRY_TEST_SSHD_KEY_PASSPHRASE="$passphrase"
	export FERRY_TEST_SSHD_KNOWN_HOSTS="$base/known_hosts"
	export FERRY_TEST_SSHD_DIR="$base/data"
	export FERRY_TEST_SSHD_DENIED_DIR="$base/denied"
	export FERRY_TEST_SSHD_LOG="$base/sshd.log"
	echo "sshd running on $FERRY_TEST_SSHD (log $FERRY_TEST_SSHD_LOG)"
}

sshd_stop() {
	local base=${FERRY_SSHD_BASE:-}
	[ -n "$base" ] || return 0
	if [ -s "$base/sshd.pid" ]; then
		kill "$(cat "$base/sshd.pid")" 2>/dev/null || true
	fi
	rm -rf "$base"
	unset FERRY_SSHD_BASE FERRY_TEST_SSHD FERRY_TEST_SSHD_USER FERRY_TEST_SSHD_PASSWORD \
		FERRY_TEST_SSHD_KEY FERRY_TEST_SSHD_KEY_ENC FERRY_TEST_SSHD_KEY_PASSPHRASE \
		FERRY_TEST_SSHD_KNOWN_HOSTS FERRY_TEST_SSHD_DIR FERRY_TEST_SSHD_DENIED_DIR FERRY_TEST_SSHD_LOG
}

sshd_start
