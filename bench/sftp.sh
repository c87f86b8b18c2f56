#!/usr/bin/env bash
# Compares ferry with OpenSSH's sftp on one file, in one run, against the
# same sshd: download and upload of BENCH_SIZE_MB (default 1024) MiB.
# Reports MB/s for each (best of BENCH_ROUNDS rounds, default 3), ferry's
# ratio to sftp, and ferry's peak RSS.
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
	# shellcheck source=.ci/sshd.sh
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

# Each round runs all four transfers; the best round of each counts, which
# filters out moments when other work on the machine took the CPU.
rounds=${BENCH_ROUNDS:-3}
best() { # best LABEL SECONDS: keep the smallest time per label
	local f="$work/$1.best"
	if [ ! -s "$f" ] || awk -v a="$2" -v b="$(cat "$f")" 'BEGIN { exit !(a < b) }'; then
		echo "$2" >"$f"
	fi
}
peak_rss=0
track_rss() {
	local r
	r=$(awk '/Maximum resident set size/ { print $NF }' "$work/$1.time")
	[ "$r" -gt "$peak_rss" ] && peak_rss=$r
	return 0
}
ferry_get() {
	best ferry-get "$(timed ferry-get "$ferry" get "${ferry_flags[@]}" "$url$remote/bench-src.bin" "$work/ferry-down.bin")"
	track_rss ferry-get
	check "$work/ferry-down.bin"
	rm -f "$work/ferry-down.bin"
}
sftp_get() {
	best sftp-get "$(timed sftp-get sftp -b "$work/get.batch" "${sftp_flags[@]}" "$user@$host")"
	check "$work/sftp-down.bin"
	rm -f "$work/sftp-down.bin"
}
ferry_put() {
	best ferry-put "$(timed ferry-put "$ferry" put "${ferry_flags[@]}" "$work/src.bin" "$url$remote/bench-ferry-up.bin")"
	track_rss ferry-put
	check "$remote/bench-ferry-up.bin"
	rm -f "$remote/bench-ferry-up.bin"
}
sftp_put() {
	best sftp-put "$(timed sftp-put sftp -b "$work/put.batch" "${sftp_flags[@]}" "$user@$host")"
	check "$remote/bench-sftp-up.bin"
	rm -f "$remote/bench-sftp-up.bin"
}
# The order alternates between rounds so neither tool always goes first.
for round in $(seq 1 "$rounds"); do
	echo "round $round of $rounds"
	if [ $((round % 2)) = 1 ]; then
		ferry_get; sftp_get; ferry_put; sftp_put
	else
		sftp_get; ferry_get; sftp_put; ferry_put
	fi
done
t_ferry_get=$(cat "$work/ferry-get.best")
t_sftp_get=$(cat "$work/sftp-get.best")
t_ferry_put=$(cat "$work/ferry-put.best")
t_sftp_put=$(cat "$work/sftp-put.best")

ratio() { awk -v f="$1" -v s="$2" 'BEGIN { printf "%.2f", s / f }'; }
printf '\n%-10s %12s %12s %8s\n' "" "ferry MB/s" "sftp MB/s" "ratio"
printf '%-10s %12s %12s %7sx\n' download "$(mbps "$t_ferry_get")" "$(mbps "$t_sftp_get")" "$(ratio "$t_ferry_get" "$t_sftp_get")"
printf '%-10s %12s %12s %7sx\n' upload "$(mbps "$t_ferry_put")" "$(mbps "$t_sftp_put")" "$(ratio "$t_ferry_put" "$t_sftp_put")"
awk -v k="$peak_rss" 'BEGIN { printf "ferry peak RSS: %.1f MiB (target < 64)\n", k / 1024 }'
echo "(${size_mb} MiB, same file, same sshd $FERRY_TEST_SSHD, best of $rounds rounds; sftp with its defaults)"
