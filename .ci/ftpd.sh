# shellcheck shell=bash
# Starts real FTP servers for ferry's FTP tests. Sourced by .ci/run as root
# after `apt-get update`; installs what it needs itself. Every server runs in
# the foreground of a background job, listens on 127.0.0.1 only, on a free
# high port, with its config, log and pid under one temp dir. It exports:
#
#   FERRY_TEST_VSFTPD         127.0.0.1:PORT  vsftpd, plain FTP (passive and active)
#   FERRY_TEST_VSFTPD_FTPES   127.0.0.1:PORT  vsftpd, explicit FTPS (AUTH TLS), TLS required,
#                                             require_ssl_reuse=YES
#   FERRY_TEST_VSFTPD_FTPS    127.0.0.1:PORT  vsftpd, implicit FTPS (TLS from the first byte)
#   FERRY_TEST_PROFTPD        127.0.0.1:PORT  proftpd with MLSD; TLS offered (AUTH TLS), not required
#   FERRY_TEST_PUREFTPD       127.0.0.1:PORT  pure-ftpd with MLSD; TLS offered, not required
#   FERRY_TEST_FTP_USER       the login user (ferryftp)
#   FERRY_TEST_FTP_PASSWORD   its password
#   FERRY_TEST_FTP_DIR        absolute path of a directory the user may write; every
#                             server shows the real filesystem (no chroot), so the same
#                             path works on all. Tests should make a unique subdirectory:
#                             the servers share it.
#   FERRY_TEST_FTP_RODIR      absolute path of a root-owned directory (holding readme.txt)
#                             the user may read but not write
#   FERRY_TEST_FTP_CA         PEM file of the servers' self-signed certificate (CN and
#                             subjectAltName 127.0.0.1 and localhost)
#   FERRY_TEST_FTP_LOGS       directory holding every server's config and log
#
# ftpd_stop stops the servers and removes what was created. Sourcing the file
# twice stops the first set before starting a new one.
#
# Debian's FTP servers conflict with each other (each Provides ftp-server), so
# vsftpd is installed with apt-get and proftpd and pure-ftpd are unpacked with
# `apt-get download` + `dpkg -x` into the temp dir; the shared libraries their
# Depends name are installed with apt-get, and ldd checks nothing is missing.

# ftpd_free_port prints a free TCP port on 127.0.0.1.
ftpd_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((33000 + RANDOM % 20000))
}

# ftpd_password prints the test user's password: random, made once per
# machine and kept root-only, so that two runs sourcing this file at the same
# time (CI and a developer, or two test shells) do not change it under each
# other's running servers.
ftpd_password() {
	local dir=/var/lib/ferry-test file=/var/lib/ferry-test/ftp-password tmp
	if [ ! -s "$file" ]; then
		install -d -m 700 "$dir" || return 1
		tmp=$(mktemp "$dir/.pw.XXXXXX") || return 1
		echo "ftp-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"$tmp"
		ln "$tmp" "$file" 2>/dev/null || true # the first writer wins
		rm -f "$tmp"
	fi
	cat "$file"
}

# ftpd_fail prints a message and every log under the base dir, then fails.
ftpd_fail() {
	echo "ftpd.sh: $*" >&2
	local f
	for f in "${FERRY_FTPD_BASE:-/nonexistent}"/*/*.log "${FERRY_FTPD_BASE:-/nonexistent}"/*/*.out; do
		[ -s "$f" ] || continue
		echo "----- $f" >&2
		tail -n 60 "$f" >&2
	done
	return 1
}

# ftpd_unpack downloads a Debian package and unpacks it under $2, after
# installing the libraries it depends on.
ftpd_unpack() {
	local pkg=$1 dest=$2 deb="" libs _
	# Retried: a concurrent `apt-get update` can make one attempt fail.
	for _ in 1 2 3; do
		if (cd "$FERRY_FTPD_BASE/debs" && apt-get download -qq "$pkg" >"$FERRY_FTPD_BASE/debs/$pkg.out" 2>&1); then
			deb=$(find "$FERRY_FTPD_BASE/debs" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
			[ -n "$deb" ] && break
		fi
		sleep 2
	done
	if [ -z "$deb" ]; then
		echo "apt-get download $pkg failed:" >&2
		cat "$FERRY_FTPD_BASE/debs/$pkg.out" >&2
		return 1
	fi
	libs=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//; s/[ (|].*//' | grep '^lib' | grep -v '^libpam-runtime$' | tr '\n' ' ')
	if [ -n "$libs" ]; then
		# shellcheck disable=SC2086 # one word per package
		apt-get install -y -qq -o DPkg::Lock::Timeout=300 $libs >/dev/null || return 1
	fi
	dpkg -x "$deb" "$dest"
}

# ftpd_check_libs fails when a binary or module misses a shared library.
ftpd_check_libs() {
	local f missing
	for f in "$@"; do
		missing=$(ldd "$f" 2>&1 | grep 'not found' || true)
		if [ -n "$missing" ]; then
			echo "$f misses libraries: $missing" >&2
			return 1
		fi
	done
}

# ftpd_wait waits until a server answers with a 220 greeting (plain or, for
# implicit FTPS, after the TLS handshake).
ftpd_wait() {
	local name=$1 url=$2 _
	shift 2
	for _ in $(seq 1 50); do
		if curl -sS --max-time 2 --cacert "$FERRY_TEST_FTP_CA" -u "$FERRY_TEST_FTP_USER:$FERRY_TEST_FTP_PASSWORD" \
			"$@" -o /dev/null "$url" 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	ftpd_fail "$name did not answer at $url"
}

# ftpd_verify proves a server works with curl: upload, list, download, in
# passive mode and, with "active", in active mode too.
ftpd_verify() {
	local name=$1 url=$2
	shift 2
	local extra=("$@") probe=$FERRY_FTPD_BASE/probe.txt got
	# %2F makes curl start from "/" instead of the login directory.
	local file=$url/%2F${FERRY_TEST_FTP_DIR#/}/probe-$name.txt
	printf 'ferry %s probe\n' "$name" >"$probe"
	local c=(curl -sS --max-time 20 --cacert "$FERRY_TEST_FTP_CA" -u "$FERRY_TEST_FTP_USER:$FERRY_TEST_FTP_PASSWORD")
	"${c[@]}" "${extra[@]}" -T "$probe" "$file" ||
		{ ftpd_fail "$name: upload failed"; return 1; }
	"${c[@]}" "${extra[@]}" -l "${file%/*}/" | grep -q "probe-$name.txt" ||
		{ ftpd_fail "$name: listing lacks the upload"; return 1; }
	got=$("${c[@]}" "${extra[@]}" "$file") ||
		{ ftpd_fail "$name: download failed"; return 1; }
	[ "$got" = "ferry $name probe" ] || { ftpd_fail "$name: downloaded '$got'"; return 1; }
	if [ "${FTPD_VERIFY_ACTIVE:-}" = 1 ]; then
		got=$("${c[@]}" "${extra[@]}" -P 127.0.0.1 "$file") ||
			{ ftpd_fail "$name: active-mode download failed"; return 1; }
		[ "$got" = "ferry $name probe" ] || { ftpd_fail "$name: active download gave '$got'"; return 1; }
	fi
	"${c[@]}" "${extra[@]}" -o /dev/null -Q "DELE $FERRY_TEST_FTP_DIR/probe-$name.txt" "$url/" ||
		{ ftpd_fail "$name: DELE failed"; return 1; }
	echo "$name ok at $url"
}

# ftpd_vsftpd writes a vsftpd config for one mode (plain, ftpes, ftps) and
# starts it. Choices, shared by the three:
#   listen=YES, background=NO: standalone on listen_address:listen_port,
#     kept in the foreground of a background job so its pid is known;
#   local_enable, write_enable, no chroot: the test user logs in with PAM
#     (Debian's /etc/pam.d/vsftpd) and sees real paths;
#   pasv_min/max_port: a private high range; port_enable=YES with
#     connect_from_port_20=NO: active mode works without binding port 20;
#   seccomp_sandbox=NO: the sandbox kills vsftpd in some containers;
#   log_ftp_protocol: every command and reply goes to the log.
# TLS modes add a self-signed RSA cert, force TLS for login and data,
# require_ssl_reuse=YES (vsftpd's default, the behaviour ferry must meet:
# data connections resume the control session) and keep ssl_ciphers at its
# default; ftps adds implicit_ssl=YES.
ftpd_vsftpd() {
	local mode=$1 dir=$FERRY_FTPD_BASE/vsftpd-$1 port pasv=$2
	mkdir -p "$dir"
	port=$(ftpd_free_port)
	cat >"$dir/vsftpd.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=NO
pam_service_name=vsftpd
userlist_enable=NO
tcp_wrappers=NO
seccomp_sandbox=NO
secure_chroot_dir=$FERRY_FTPD_BASE/empty
pasv_enable=YES
pasv_min_port=$pasv
pasv_max_port=$((pasv + 49))
port_enable=YES
connect_from_port_20=NO
use_localtime=NO
utf8_filesystem=YES
idle_session_timeout=300
data_connection_timeout=120
xferlog_enable=YES
xferlog_std_format=NO
log_ftp_protocol=YES
vsftpd_log_file=$dir/vsftpd.log
ftpd_banner=ferry test vsftpd ($mode)
CONF
	if [ "$mode" != plain ]; then
		cat >>"$dir/vsftpd.conf" <<CONF
ssl_enable=YES
rsa_cert_file=$FERRY_FTPD_BASE/tls/cert.pem
rsa_private_key_file=$FERRY_FTPD_BASE/tls/key.pem
allow_anon_ssl=NO
force_local_logins_ssl=YES
force_local_data_ssl=YES
require_ssl_reuse=YES
CONF
	fi
	if [ "$mode" = ftps ]; then
		echo "implicit_ssl=YES" >>"$dir/vsftpd.conf"
	fi
	/usr/sbin/vsftpd "$dir/vsftpd.conf" >"$dir/vsftpd.out" 2>&1 &
	echo $! >"$dir/pid"
	echo "$port"
}

# ftpd_proftpd starts proftpd from the unpacked package. Choices:
#   ServerType standalone in the foreground (-n), DefaultAddress 127.0.0.1
#   with SocketBindTight, its own pid/scoreboard/log files;
#   AuthOrder mod_auth_unix.c: /etc/shadow, no PAM; RequireValidShell off;
#   mod_facts (compiled in) gives MLSD/MLST/MFMT; DelayEngine off so a test
#   is not slowed by the anti-timing-attack delay;
#   mod_tls (from proftpd-mod-crypto) offers AUTH TLS without requiring it;
#   proftpd, like vsftpd, requires TLS session reuse on data connections by
#   default, and that default is kept.
ftpd_proftpd() {
	local dir=$FERRY_FTPD_BASE/proftpd pasv=$1 port root=$FERRY_FTPD_BASE/pkgroot
	mkdir -p "$dir"
	port=$(ftpd_free_port)
	cat >"$dir/proftpd.conf" <<CONF
ServerName "ferry test proftpd"
ServerType standalone
DefaultServer on
Port $port
DefaultAddress 127.0.0.1
SocketBindTight on
UseIPv6 off
UseReverseDNS off
User nobody
Group nogroup
Umask 022
MaxInstances 50
PidFile $dir/proftpd.pid
ScoreboardFile $dir/proftpd.scoreboard
SystemLog $dir/proftpd.log
TransferLog $dir/xfer.log
WtmpLog off
DelayEngine off
RequireValidShell off
AuthOrder mod_auth_unix.c
PassivePorts $pasv $((pasv + 49))
AllowOverwrite on
AllowStoreRestart on
AllowRetrieveRestart on
TimeoutIdle 300
ModulePath $root/usr/lib/proftpd
LoadModule mod_tls.c
<IfModule mod_tls.c>
  TLSEngine on
  TLSLog $dir/tls.log
  TLSProtocol TLSv1.2 TLSv1.3
  TLSRSACertificateFile $FERRY_FTPD_BASE/tls/cert.pem
  TLSRSACertificateKeyFile $FERRY_FTPD_BASE/tls/key.pem
  TLSRequired off
  TLSVerifyClient off
</IfModule>
CONF
	"$root/usr/sbin/proftpd" -t -c "$dir/proftpd.conf" >"$dir/configtest.out" 2>&1 || {
		cat "$dir/configtest.out" >&2
		return 1
	}
	"$root/usr/sbin/proftpd" -n -c "$dir/proftpd.conf" >"$dir/proftpd.out" 2>&1 &
	echo $! >"$dir/pid"
	echo "$port"
}

# ftpd_pureftpd starts pure-ftpd from the unpacked package, configured only
# by flags: -S bind address, -4 IPv4 only, -E no anonymous, -l unix
# (/etc/shadow), -p passive range, -Y 1 TLS offered but optional, -2 cert and
# key, -H no DNS, -I idle minutes, -g pid file. pure-ftpd logs to syslog
# only; the job's output is kept.
ftpd_pureftpd() {
	local dir=$FERRY_FTPD_BASE/pureftpd pasv=$1 port root=$FERRY_FTPD_BASE/pkgroot
	mkdir -p "$dir"
	port=$(ftpd_free_port)
	"$root/usr/sbin/pure-ftpd" -S "127.0.0.1,$port" -4 -E -H -l unix -p "$pasv:$((pasv + 49))" \
		-Y 1 -2 "$FERRY_FTPD_BASE/tls/cert.pem,$FERRY_FTPD_BASE/tls/key.pem" -I 5 -c 50 -C 50 \
		-g "$dir/pure-ftpd.pid" >"$dir/pure-ftpd.out" 2>&1 &
	echo $! >"$dir/pid"
	echo "$port"
}

ftpd_start() {
	local user=ferryftp base home pasv port
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq -o DPkg::Lock::Timeout=300 vsftpd curl openssl python3 >/dev/null || { echo "apt-get install vsftpd failed" >&2; return 1; }

	base=$(mktemp -d /tmp/ferry-ftpd.XXXXXX) || return 1
	chmod 755 "$base"
	FERRY_FTPD_BASE=$base
	mkdir -p "$base/debs" "$base/pkgroot" "$base/tls" "$base/empty"
	chmod 755 "$base/empty"

	# The user: a home it may write, a shell listed in /etc/shells (PAM's
	# pam_shells for vsftpd), not in /etc/ftpusers.
	if ! id "$user" >/dev/null 2>&1; then
		useradd --create-home --shell /bin/bash "$user" || return 1
	fi
	local password
	password=$(ftpd_password) || return 1
	echo "$user:$password" | chpasswd || return 1
	passwd -u "$user" >/dev/null 2>&1 || true
	home=$(getent passwd "$user" | cut -d: -f6)
	install -d -m 755 -o "$user" -g "$user" "$home" "$base/data"
	install -d -m 755 -o root -g root "$base/readonly"
	echo "not writable by $user" >"$base/readonly/readme.txt"

	# One self-signed certificate for every TLS server.
	openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		-keyout "$base/tls/key.pem" -out "$base/tls/cert.pem" >/dev/null 2>&1 || return 1
	chmod 600 "$base/tls/key.pem"
	chmod 644 "$base/tls/cert.pem"

	export FERRY_TEST_FTP_USER=$user
	export FERRY_TEST_FTP_PASSWORD=$password
	export FERRY_TEST_FTP_DIR=$base/data
	export FERRY_TEST_FTP_RODIR=$base/readonly
	export FERRY_TEST_FTP_CA=$base/tls/cert.pem
	export FERRY_TEST_FTP_LOGS=$base

	ftpd_unpack proftpd-core "$base/pkgroot" || return 1
	ftpd_unpack proftpd-mod-crypto "$base/pkgroot" || return 1
	ftpd_unpack pure-ftpd "$base/pkgroot" || return 1
	ftpd_check_libs /usr/sbin/vsftpd "$base/pkgroot/usr/sbin/proftpd" \
		"$base/pkgroot/usr/lib/proftpd/mod_tls.so" "$base/pkgroot/usr/sbin/pure-ftpd" || return 1

	# Passive ranges below Linux's ephemeral ports (32768+), 50 ports each.
	pasv=$((20000 + (RANDOM % 40) * 250))

	port=$(ftpd_vsftpd plain "$pasv") || return 1
	export FERRY_TEST_VSFTPD=127.0.0.1:$port
	port=$(ftpd_vsftpd ftpes $((pasv + 50))) || return 1
	export FERRY_TEST_VSFTPD_FTPES=127.0.0.1:$port
	port=$(ftpd_vsftpd ftps $((pasv + 100))) || return 1
	export FERRY_TEST_VSFTPD_FTPS=127.0.0.1:$port
	port=$(ftpd_proftpd $((pasv + 150))) || { ftpd_fail "proftpd config rejected"; return 1; }
	export FERRY_TEST_PROFTPD=127.0.0.1:$port
	port=$(ftpd_pureftpd $((pasv + 200))) || return 1
	export FERRY_TEST_PUREFTPD=127.0.0.1:$port

	ftpd_wait vsftpd "ftp://$FERRY_TEST_VSFTPD/" || return 1
	ftpd_wait vsftpd-ftpes "ftp://$FERRY_TEST_VSFTPD_FTPES/" --ssl-reqd || return 1
	ftpd_wait vsftpd-ftps "ftps://$FERRY_TEST_VSFTPD_FTPS/" || return 1
	ftpd_wait proftpd "ftp://$FERRY_TEST_PROFTPD/" || return 1
	ftpd_wait pure-ftpd "ftp://$FERRY_TEST_PUREFTPD/" || return 1

	FTPD_VERIFY_ACTIVE=1 ftpd_verify vsftpd "ftp://$FERRY_TEST_VSFTPD" || return 1
	ftpd_verify vsftpd-ftpes "ftp://$FERRY_TEST_VSFTPD_FTPES" --ssl-reqd || return 1
	ftpd_verify vsftpd-ftpes-tls12 "ftp://$FERRY_TEST_VSFTPD_FTPES" --ssl-reqd --tls-max 1.2 || return 1
	ftpd_verify vsftpd-ftps "ftps://$FERRY_TEST_VSFTPD_FTPS" || return 1
	FTPD_VERIFY_ACTIVE=1 ftpd_verify proftpd "ftp://$FERRY_TEST_PROFTPD" || return 1
	ftpd_verify proftpd-ftpes "ftp://$FERRY_TEST_PROFTPD" --ssl-reqd || return 1
	FTPD_VERIFY_ACTIVE=1 ftpd_verify pure-ftpd "ftp://$FERRY_TEST_PUREFTPD" || return 1
	ftpd_verify pure-ftpd-ftpes "ftp://$FERRY_TEST_PUREFTPD" --ssl-reqd || return 1
	ftpd_verify_mlsd || return 1
	echo "FTP servers: vsftpd $FERRY_TEST_VSFTPD, ftpes $FERRY_TEST_VSFTPD_FTPES, ftps $FERRY_TEST_VSFTPD_FTPS, proftpd $FERRY_TEST_PROFTPD, pure-ftpd $FERRY_TEST_PUREFTPD (logs $base)"
}

# ftpd_verify_mlsd checks that proftpd and pure-ftpd advertise MLST in FEAT.
ftpd_verify_mlsd() {
	local addr feat
	for addr in "$FERRY_TEST_PROFTPD" "$FERRY_TEST_PUREFTPD"; do
		feat=$(curl -sS --max-time 10 -u "$FERRY_TEST_FTP_USER:$FERRY_TEST_FTP_PASSWORD" -v -o /dev/null \
			-Q FEAT "ftp://$addr/" 2>&1) || { ftpd_fail "FEAT on $addr failed"; return 1; }
		grep -q '< *MLST' <<<"$feat" || { ftpd_fail "$addr does not offer MLST: $feat"; return 1; }
	done
}

ftpd_stop() {
	local base=${FERRY_FTPD_BASE:-} f pid
	[ -n "$base" ] || return 0
	for f in "$base"/*/pid; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
	done
	# pure-ftpd and proftpd fork per session; their sessions end with the
	# listener's process group or on their own idle timeout. Give them a
	# moment, then make sure the listeners are gone.
	sleep 0.3
	for f in "$base"/*/pid; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill -9 "$pid" 2>/dev/null || true
	done
	rm -rf "$base"
	unset FERRY_FTPD_BASE FERRY_TEST_VSFTPD FERRY_TEST_VSFTPD_FTPES FERRY_TEST_VSFTPD_FTPS \
		FERRY_TEST_PROFTPD FERRY_TEST_PUREFTPD FERRY_TEST_FTP_USER FERRY_TEST_FTP_PASSWORD \
		FERRY_TEST_FTP_DIR FERRY_TEST_FTP_RODIR FERRY_TEST_FTP_CA FERRY_TEST_FTP_LOGS
}

ftpd_stop
ftpd_start
