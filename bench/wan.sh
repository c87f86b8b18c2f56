#!/usr/bin/env bash
# Small files over a link with latency: ferry against OpenSSH sftp -r and
# lftp mirror --parallel=4, through bench/delayproxy, which holds every
# chunk back by BENCH_DELAY (default 5ms) each way, a round trip of twice
# that. The loopback benchmarks measure CPU; this one measures what a user
# far from the server waits for: round trips.
#
#   BENCH_FILES (default 300) files of 1-16 KiB in 20 directories,
#   downloaded once by each client (sftp -r takes a while: it waits a few
#   round trips per file, one file at a time).
#
# Starts sshd through .ci/sshd.sh unless FERRY_TEST_SSHD is set. Runs as
# root when it must start sshd. Prints a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

delay=${BENCH_DELAY:-5ms}
files=${BENCH_FILES:-300}
command -v lftp >/dev/null || apt-get install -y -qq lftp >/dev/null
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	source "$repo/.ci/sshd.sh"
	on_exit sshd_stop
fi

echo "making $files files of 1-16 KiB in 20 directories"
make_tree "$scratch/tree" "$files" 20 3
remote="$FERRY_TEST_SSHD_DIR/bench-wan"
rm -rf "$remote"
cp -r "$scratch/tree" "$remote"
chmod -R a+rX "$remote"
on_exit rm -rf "$remote"

(cd "$repo" && go build -o "$work/delayproxy" ./bench/delayproxy)
"$work/delayproxy" -target "$FERRY_TEST_SSHD" -delay "$delay" >"$work/proxy.addr" &
proxy_pid=$!
on_exit kill "$proxy_pid"
for _ in $(seq 50); do [ -s "$work/proxy.addr" ] && break; sleep 0.1; done
addr=$(cat "$work/proxy.addr")
phost=${addr%:*}
pport=${addr##*:}
sport=${FERRY_TEST_SSHD##*:}
# The server's host key, under the proxy's address.
sed "s/^\[[^]]*\]:$sport /[$phost]:$pport /" "$FERRY_TEST_SSHD_KNOWN_HOSTS" >"$work/known_hosts"

user=$FERRY_TEST_SSHD_USER
ssh_opts="-F /dev/null -i $FERRY_TEST_SSHD_KEY -o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes"
echo "get -r $remote $scratch/sftp" >"$work/sftp.batch"

run() {
	local label=$1 out=$2
	shift 2
	rm -rf "$out"
	best "$label" "$(timed "$label" "$@")"
	same_tree "$scratch/tree" "$out"
	rm -rf "$out"
}
echo "round trip $delay x 2: ferry, sftp -r, lftp"
run ferry "$scratch/ferry" "$ferry" get -r -P 4 -q --ssh-config none --known-hosts "$work/known_hosts" -i "$FERRY_TEST_SSHD_KEY" --trust strict "sftp://$user@$addr$remote" "$scratch/ferry"
# shellcheck disable=SC2086
run sftp "$scratch/sftp" sftp -q -b "$work/sftp.batch" -P "$pport" $ssh_opts "$user@$phost"
run lftp "$scratch/lftp" lftp -c "set sftp:connect-program 'ssh -a -x $ssh_opts'; set net:max-retries 1; open -u $user, sftp://$phost:$pport; mirror --parallel=4 $remote $scratch/lftp"

t() { best_of "$1"; }
printf '\n| %s files, delay %s each way | seconds | ferry faster by |\n|---|---|---|\n' "$files" "$delay"
printf '| ferry get -r -P 4 | %s | |\n' "$(t ferry)"
printf '| OpenSSH sftp -r | %s | %s |\n' "$(t sftp)" "$(ratio "$(t ferry)" "$(t sftp)")"
printf '| lftp mirror --parallel=4 | %s | %s |\n' "$(t lftp)" "$(ratio "$(t ferry)" "$(t lftp)")"
