#!/usr/bin/env bash
# Compares ferry with OpenSSH's sftp on one file, in one run, against the
# same sshd: download and upload of BENCH_SIZE_MB (default 1024) MiB.
# Reports MB/s for each (best of BENCH_ROUNDS rounds, default 5), ferry's
# ratio to sftp (of the best rounds and of the median ones), and ferry's
# peak RSS. See lib.sh for where files land.
#
#   bench/sftp.sh                 # starts its own sshd through .ci/sshd.sh
#   FERRY_BIN=./ferry bench/sftp.sh
#
# Runs as root when it must start sshd.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

size_mb=${BENCH_SIZE_MB:-1024}
rounds=${BENCH_ROUNDS:-5}
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	# shellcheck source=.ci/sshd.sh
	source "$repo/.ci/sshd.sh"
	on_exit sshd_stop
fi

host=${FERRY_TEST_SSHD%:*}
port=${FERRY_TEST_SSHD##*:}
user=$FERRY_TEST_SSHD_USER
remote=$FERRY_TEST_SSHD_DIR
server_dir "$remote" "$user"
url="sftp://$user@$host:$port"

echo "preparing a ${size_mb} MiB file"
head -c "$((size_mb << 20))" /dev/urandom >"$scratch/src.bin"
cp "$scratch/src.bin" "$remote/bench-src.bin"
chmod 644 "$remote/bench-src.bin"
on_exit rm -f "$remote/bench-src.bin"
sync

ferry_flags=(--known-hosts "$FERRY_TEST_SSHD_KNOWN_HOSTS" -i "$FERRY_TEST_SSHD_KEY" --trust strict --ssh-config none)
sftp_flags=(-q -P "$port" -i "$FERRY_TEST_SSHD_KEY" -F /dev/null
	-o "UserKnownHostsFile=$FERRY_TEST_SSHD_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes)
echo "get $remote/bench-src.bin $scratch/sftp-down.bin" >"$work/get.batch"
echo "put $scratch/src.bin $land/sftp-up.bin" >"$work/put.batch"

ferry_get() {
	best ferry-get "$(timed ferry-get "$ferry" get "${ferry_flags[@]}" "$url$remote/bench-src.bin" "$scratch/ferry-down.bin")"
	same_file "$scratch/src.bin" "$scratch/ferry-down.bin"
	rm -f "$scratch/ferry-down.bin"
}
sftp_get() {
	best sftp-get "$(timed sftp-get sftp -b "$work/get.batch" "${sftp_flags[@]}" "$user@$host")"
	same_file "$scratch/src.bin" "$scratch/sftp-down.bin"
	rm -f "$scratch/sftp-down.bin"
}
ferry_put() {
	best ferry-put "$(timed ferry-put "$ferry" put "${ferry_flags[@]}" "$scratch/src.bin" "$url$land/ferry-up.bin")"
	same_file "$scratch/src.bin" "$land/ferry-up.bin"
	rm -f "$land/ferry-up.bin"
}
sftp_put() {
	best sftp-put "$(timed sftp-put sftp -b "$work/put.batch" "${sftp_flags[@]}" "$user@$host")"
	same_file "$scratch/src.bin" "$land/sftp-up.bin"
	rm -f "$land/sftp-up.bin"
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

print_rounds
printf '\n%-10s %12s %12s %8s %14s %14s %16s\n' "" "ferry MB/s" "sftp MB/s" "ratio" "median ratio" "paired ratio" "ferry peak RSS"
for dir in get put; do
	printf '%-10s %12s %12s %8s %14s %14s %12s MiB\n' "$dir" "$(mbps "$size_mb" "$(best_of ferry-$dir)")" \
		"$(mbps "$size_mb" "$(best_of sftp-$dir)")" "$(ratio "$(best_of ferry-$dir)" "$(best_of sftp-$dir)")" \
		"$(ratio "$(median_of ferry-$dir)" "$(median_of sftp-$dir)")" "$(paired_of ferry-$dir sftp-$dir)" "$(peak_rss ferry-$dir)"
done
echo "(${size_mb} MiB, same file, same sshd $FERRY_TEST_SSHD, best of $rounds rounds, the ratio of the medians and the median of each round's ratio; sftp with its defaults; targets: ratio >= 1.3, RSS < 64 MiB)"
