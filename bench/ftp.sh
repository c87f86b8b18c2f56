#!/usr/bin/env bash
# Compares ferry with curl on one file, in one run, against the same
# vsftpd: download and upload of BENCH_SIZE_MB (default 1024) MiB over
# plain FTP and over explicit FTPS. Reports MB/s (best of BENCH_ROUNDS
# rounds, default 5), ferry's ratio to curl (of the best rounds and of the
# median ones), both clients' CPU seconds and ferry's peak RSS. See lib.sh for where files land.
#
#   bench/ftp.sh                  # starts its own servers through .ci/ftpd.sh
#   FERRY_BIN=./ferry bench/ftp.sh
#
# Runs as root when it must start the servers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

size_mb=${BENCH_SIZE_MB:-1024}
rounds=${BENCH_ROUNDS:-5}
command -v curl >/dev/null || apt-get install -y -qq curl >/dev/null
if [ -z "${FERRY_TEST_VSFTPD:-}" ] || [ -z "${FERRY_TEST_VSFTPD_FTPES:-}" ]; then
	# shellcheck source=.ci/ftpd.sh
	source "$repo/.ci/ftpd.sh"
	on_exit ftpd_stop
fi

user=$FERRY_TEST_FTP_USER
remote=$FERRY_TEST_FTP_DIR
server_dir "$remote" "$user"
ca=$FERRY_TEST_FTP_CA

echo "preparing a ${size_mb} MiB file"
head -c "$((size_mb << 20))" /dev/urandom >"$scratch/src.bin"
cp "$scratch/src.bin" "$remote/bench-src.bin"
chown "$user" "$remote/bench-src.bin" 2>/dev/null || true
chmod 644 "$remote/bench-src.bin"
on_exit rm -f "$remote/bench-src.bin"
sync
cat "$remote/bench-src.bin" >/dev/null # the server reads from the page cache

cpu_s() { awk '/User time|System time/ { s += $NF } END { printf "%.1f", s }' "$work/$1.time"; }

export FERRY_PASSWORD=$FERRY_TEST_FTP_PASSWORD
ferry_flags=(--trust strict --ca-file "$ca" --quiet)
curl_flags=(-sS --fail -u "$user:$FERRY_TEST_FTP_PASSWORD" --cacert "$ca")

results=()
bench() {
	local mode=$1 scheme=$2 addr=$3
	shift 3
	local extra=("$@") r
	local src="$scheme://$user@$addr/%2F${remote#/}/bench-src.bin" dst="$scheme://$user@$addr/%2F${land#/}"
	local curl_src="ftp://$addr/%2F${remote#/}/bench-src.bin" curl_dst="ftp://$addr/%2F${land#/}"
	ferry_get() {
		best "$mode-ferry-get" "$(timed "$mode-ferry-get" "$ferry" get "${ferry_flags[@]}" "$src" "$scratch/ferry-down.bin")"
		same_file "$scratch/src.bin" "$scratch/ferry-down.bin"
		rm -f "$scratch/ferry-down.bin"
	}
	curl_get() {
		best "$mode-curl-get" "$(timed "$mode-curl-get" curl "${curl_flags[@]}" "${extra[@]}" -o "$scratch/curl-down.bin" "$curl_src")"
		same_file "$scratch/src.bin" "$scratch/curl-down.bin"
		rm -f "$scratch/curl-down.bin"
	}
	ferry_put() {
		best "$mode-ferry-put" "$(timed "$mode-ferry-put" "$ferry" put "${ferry_flags[@]}" "$scratch/src.bin" "$dst/ferry-up.bin")"
		same_file "$scratch/src.bin" "$land/ferry-up.bin"
		rm -f "$land/ferry-up.bin"
	}
	curl_put() {
		best "$mode-curl-put" "$(timed "$mode-curl-put" curl "${curl_flags[@]}" "${extra[@]}" -T "$scratch/src.bin" "$curl_dst/curl-up.bin")"
		same_file "$scratch/src.bin" "$land/curl-up.bin"
		rm -f "$land/curl-up.bin"
	}
	for r in $(seq 1 "$rounds"); do
		echo "$mode: round $r of $rounds"
		if [ $((r % 2)) = 1 ]; then
			ferry_get; curl_get; ferry_put; curl_put
		else
			curl_get; ferry_get; curl_put; ferry_put
		fi
	done
	local dir
	for dir in get put; do
		results+=("$(printf '%-12s %10s %10s %8s %13s %13s %11s %11s %10s MiB' "$mode $dir" \
			"$(mbps "$size_mb" "$(best_of "$mode-ferry-$dir")")" "$(mbps "$size_mb" "$(best_of "$mode-curl-$dir")")" \
			"$(ratio "$(best_of "$mode-ferry-$dir")" "$(best_of "$mode-curl-$dir")")" \
			"$(ratio "$(median_of "$mode-ferry-$dir")" "$(median_of "$mode-curl-$dir")")" \
			"$(paired_of "$mode-ferry-$dir" "$mode-curl-$dir")" \
			"$(cpu_s "$mode-ferry-$dir")" "$(cpu_s "$mode-curl-$dir")" "$(peak_rss "$mode-ferry-$dir")")")
	done
}

bench ftp ftp "$FERRY_TEST_VSFTPD"
bench ftpes ftpes "$FERRY_TEST_VSFTPD_FTPES" --ssl-reqd

print_rounds
printf '\n%-12s %10s %10s %8s %13s %13s %11s %11s %14s\n' "" "ferry MB/s" "curl MB/s" "ratio" "median ratio" "paired ratio" "ferry CPU s" "curl CPU s" "ferry peak RSS"
printf '%s\n' "${results[@]}"
echo "(${size_mb} MiB, best of $rounds, the ratio of the medians and the median of each round's ratio, same file, vsftpd $FERRY_TEST_VSFTPD plain and $FERRY_TEST_VSFTPD_FTPES explicit FTPS; passive mode; curl with its defaults; CPU of the last round; targets: FTP >= 1.0, FTPS >= 0.9)"
