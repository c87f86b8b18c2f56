#!/usr/bin/env bash
# Compares ferry with OpenSSH's sftp on one file, in one run, against the
# same sshd: download and upload of BENCH_SIZE_MB (default 1024) MiB.
# Reports MB/s for each, ferry's ratio to sftp, and ferry's peak RSS.
#
#   bench/sftp.sh                 # starts its own sshd through .ci/sshd.sh
#   FERRY_BIN=./ferry bench/sftp.sh
#
# Runs as root when it must start sshd. Needs /usr/bin/time (GNU time).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size_mb=${BENCH_SIZE_MB:-1024}
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
started_sshd=0

cleanup() {
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
	if [ -n "${FERRY_TEST_SSHD_DIR:-}" ]; then
		rm -f "$FERRY_TEST_SSHD_DIR"/bench-*.bin
	fi
	if [ "$started_sshd" = 1 ]; then
		sshd_stop
	fi
}
trap cleanup EXIT

if [ ! -x /usr/bin/time ]; then
	apt-get install -y time >/dev/null
fi
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	# shellcheck source=../.ci/sshd.sh
	source "$repo/.ci/sshd.sh"
	started_sshd=1
fi

ferry=${FERRY_BIN:-}
if [ -z "$ferry" ]; then
	ferry="$work/ferry"
	(cd "$repo" && go build -o "$ferry" .)
fi

host=${FERRY_TEST_SSHD%:*}
port=${FERRY_TEST_SSHD##*:}
user=$FERRY_TEST_SSHD_USER
remote=$FERRY_TEST_SSHD_DIR
url="sftp://$user@$host:$port"

echo "preparing a ${size_mb} MiB file"
head -c "$((size_mb << 20))" /dev/urandom >"$work/src.bin"
cp "$work/src.bin" "$remote/bench-src.bin"
chmod 644 "$remote/bench-src.bin"
sync

now() { date +%s.%N; }
mbps() { awk -v b="$((size_mb << 20))" -v s="$1" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
rss_mib() { awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$1"; }

# timed LABEL CMD...: runs CMD under GNU time, prints seconds.
timed() {
	local label=$1
	shift
	local t0 t1
	t0=$(now)
	/usr/bin/time -v -o "$work/$label.time" "$@" >"$work/$label.out" 2>&1 || {
		echo "$label failed:" >&2
		cat "$work/$label.out" >&2
		exit 1
	}
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

ferry_flags=(--known-hosts "$FERRY_TEST_SSHD_KNOWN_HOSTS" -i "$FERRY_TEST_SSHD_KEY" --trust strict --ssh-config none)
sftp_flags=(-q -P "$port" -i "$FERRY_TEST_SSHD_KEY" -F /dev/null
	-o "UserKnownHostsFile=$FERRY_TEST_SSHD_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes)
echo "get $remote/bench-src.bin $work/sftp-down.bin" >"$work/get.batch"
echo "put $work/src.bin $remote/bench-sftp-up.bin" >"$work/put.batch"

check() {
	cmp -s "$work/src.bin" "$1" || {
		echo "$1 differs from the source" >&2
		exit 1
	}
}

echo "downloading with ferry and sftp"
t_ferry_get=$(timed ferry-get "$ferry" get "${ferry_flags[@]}" "$url$remote/bench-src.bin" "$work/ferry-down.bin")
check "$work/ferry-down.bin"
t_sftp_get=$(timed sftp-get sftp -b "$work/get.batch" "${sftp_flags[@]}" "$user@$host")
check "$work/sftp-down.bin"
rm -f "$work/ferry-down.bin" "$work/sftp-down.bin"

echo "uploading with ferry and sftp"
t_ferry_put=$(timed ferry-put "$ferry" put "${ferry_flags[@]}" "$work/src.bin" "$url$remote/bench-ferry-up.bin")
check "$remote/bench-ferry-up.bin"
t_sftp_put=$(timed sftp-put sftp -b "$work/put.batch" "${sftp_flags[@]}" "$user@$host")
check "$remote/bench-sftp-up.bin"

ratio() { awk -v f="$1" -v s="$2" 'BEGIN { printf "%.2f", s / f }'; }
printf '\n%-10s %12s %12s %8s %16s\n' "" "ferry MB/s" "sftp MB/s" "ratio" "ferry peak RSS"
printf '%-10s %12s %12s %7sx %12s MiB\n' download "$(mbps "$t_ferry_get")" "$(mbps "$t_sftp_get")" \
	"$(ratio "$t_ferry_get" "$t_sftp_get")" "$(rss_mib "$work/ferry-get.time")"
printf '%-10s %12s %12s %7sx %12s MiB\n' upload "$(mbps "$t_ferry_put")" "$(mbps "$t_sftp_put")" \
	"$(ratio "$t_ferry_put" "$t_sftp_put")" "$(rss_mib "$work/ferry-put.time")"
echo "(${size_mb} MiB, same file, same sshd $FERRY_TEST_SSHD; sftp with its defaults)"
