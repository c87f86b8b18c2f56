#!/usr/bin/env bash
# Compares ferry with curl on one file, in one run, against the same vsftpd:
# download and upload of BENCH_SIZE_MB (default 1024) MiB over plain FTP and
# over explicit FTPS (AUTH TLS, PROT P, require_ssl_reuse=YES). Reports MB/s
# for each (the best of BENCH_ROUNDS runs, default 1, ferry and curl taking
# turns), ferry's ratio to curl (above 1 means ferry is faster), the CPU
# seconds (user+sys) each client spent, which a busy machine disturbs less
# than wall time, and ferry's peak RSS.
#
#   bench/ftp.sh                  # starts its own servers through .ci/ftpd.sh
#   FERRY_BIN=./ferry bench/ftp.sh
#   BENCH_SIZE_MB=256 BENCH_ROUNDS=3 bench/ftp.sh
#
# Runs as root when it must start the servers. Needs /usr/bin/time (GNU time).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size_mb=${BENCH_SIZE_MB:-1024}
rounds=${BENCH_ROUNDS:-1}
work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
started_ftpd=0

cleanup() {
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"
	if [ -n "${FERRY_TEST_FTP_DIR:-}" ]; then
		rm -f "$FERRY_TEST_FTP_DIR"/bench-*.bin
	fi
	if [ "$started_ftpd" = 1 ] && declare -F ftpd_stop >/dev/null; then
		ftpd_stop
	fi
}
trap cleanup EXIT

if [ ! -x /usr/bin/time ] || ! command -v curl >/dev/null; then
	apt-get install -y -qq time curl >/dev/null
fi
if [ -z "${FERRY_TEST_VSFTPD:-}" ] || [ -z "${FERRY_TEST_VSFTPD_FTPES:-}" ]; then
	started_ftpd=1 # ftpd_stop cleans up after a partial start too
	# shellcheck source=.ci/ftpd.sh
	source "$repo/.ci/ftpd.sh"
fi

ferry=${FERRY_BIN:-}
if [ -z "$ferry" ]; then
	ferry="$work/ferry"
	(cd "$repo" && go build -o "$ferry" .)
fi

user=$FERRY_TEST_FTP_USER
remote=$FERRY_TEST_FTP_DIR
ca=$FERRY_TEST_FTP_CA
# %2F: the path is absolute, not relative to the login directory.
rpath=%2F${remote#/}

echo "preparing a ${size_mb} MiB file"
head -c "$((size_mb << 20))" /dev/urandom >"$work/src.bin"
cp "$work/src.bin" "$remote/bench-src.bin"
chown "$user" "$remote/bench-src.bin" 2>/dev/null || true
chmod 644 "$remote/bench-src.bin"
sync
cat "$work/src.bin" "$remote/bench-src.bin" >/dev/null # both sides start from the page cache

now() { date +%s.%N; }
mbps() { awk -v b="$((size_mb << 20))" -v s="$1" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }
rss_mib() { awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$1"; }
cpu_s() { awk '/User time|System time/ { s += $NF } END { printf "%.1f", s }' "$1"; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'; }
ratio() { awk -v f="$1" -v c="$2" 'BEGIN { printf "%.2f", c / f }'; }

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

check() {
	cmp -s "$work/src.bin" "$1" || {
		echo "$1 differs from the source" >&2
		exit 1
	}
}

export FERRY_PASSWORD=$FERRY_TEST_FTP_PASSWORD
ferry_flags=(--trust strict --ca-file "$ca" --quiet)
curl_flags=(-sS --fail -u "$user:$FERRY_TEST_FTP_PASSWORD" --cacert "$ca")

results=()

# bench MODE SCHEME ADDR CURL_EXTRA...: downloads and uploads with each
# client, BENCH_ROUNDS times, and keeps the best wall time of each.
bench() {
	local mode=$1 scheme=$2 addr=$3
	shift 3
	local extra=("$@") t_fg="" t_cg="" t_fp="" t_cp="" t r
	local furl="$scheme://$user@$addr/$rpath" curl_url="ftp://$addr/$rpath"

	for r in $(seq 1 "$rounds"); do
		echo "$mode: round $r: downloading with ferry and curl"
		t=$(timed "$mode-ferry-get" "$ferry" get "${ferry_flags[@]}" "$furl/bench-src.bin" "$work/ferry-down.bin")
		t_fg=$(min "$t" "$t_fg")
		check "$work/ferry-down.bin"
		t=$(timed "$mode-curl-get" curl "${curl_flags[@]}" "${extra[@]}" -o "$work/curl-down.bin" "$curl_url/bench-src.bin")
		t_cg=$(min "$t" "$t_cg")
		check "$work/curl-down.bin"
		rm -f "$work/ferry-down.bin" "$work/curl-down.bin"

		echo "$mode: round $r: uploading with ferry and curl"
		# Uploads land on the server's disk: flush before each timed run, and
		# alternate who goes first, so neither pays for the other's writeback.
		local order=(ferry curl)
		[ $((r % 2)) -eq 0 ] && order=(curl ferry)
		for who in "${order[@]}"; do
			sync
			if [ "$who" = ferry ]; then
				t=$(timed "$mode-ferry-put" "$ferry" put "${ferry_flags[@]}" "$work/src.bin" "$furl/bench-ferry-up.bin")
				t_fp=$(min "$t" "$t_fp")
				check "$remote/bench-ferry-up.bin"
			else
				t=$(timed "$mode-curl-put" curl "${curl_flags[@]}" "${extra[@]}" -T "$work/src.bin" "$curl_url/bench-curl-up.bin")
				t_cp=$(min "$t" "$t_cp")
				check "$remote/bench-curl-up.bin"
			fi
		done
		rm -f "$remote/bench-ferry-up.bin" "$remote/bench-curl-up.bin"
	done

	# CPU and RSS are those of the last round.
	results+=("$(printf '%-16s %10s %10s %7sx %11s %11s %10s MiB' "$mode download" "$(mbps "$t_fg")" "$(mbps "$t_cg")" \
		"$(ratio "$t_fg" "$t_cg")" "$(cpu_s "$work/$mode-ferry-get.time")" "$(cpu_s "$work/$mode-curl-get.time")" \
		"$(rss_mib "$work/$mode-ferry-get.time")")")
	results+=("$(printf '%-16s %10s %10s %7sx %11s %11s %10s MiB' "$mode upload" "$(mbps "$t_fp")" "$(mbps "$t_cp")" \
		"$(ratio "$t_fp" "$t_cp")" "$(cpu_s "$work/$mode-ferry-put.time")" "$(cpu_s "$work/$mode-curl-put.time")" \
		"$(rss_mib "$work/$mode-ferry-put.time")")")
}

bench ftp ftp "$FERRY_TEST_VSFTPD"
bench ftpes ftpes "$FERRY_TEST_VSFTPD_FTPES" --ssl-reqd

printf '\n%-16s %10s %10s %8s %11s %11s %14s\n' "" "ferry MB/s" "curl MB/s" "ratio" "ferry CPU s" "curl CPU s" "ferry peak RSS"
printf '%s\n' "${results[@]}"
echo "(${size_mb} MiB, best of $rounds, same file, vsftpd $FERRY_TEST_VSFTPD plain and $FERRY_TEST_VSFTPD_FTPES explicit FTPS; passive mode; curl with its defaults)"
