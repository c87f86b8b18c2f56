#!/usr/bin/env bash
# Walking a big tree: ferry find and ferry du against lftp's find and du
# on the same tree, against the same real servers, in one run.
#
#   a tree of BENCH_FILES (default 50,000) files in BENCH_DIRS (default
#   1,000) nested directories (sparse files: listing them is the work)
#   SFTP (OpenSSH): ferry find  vs  lftp find;  ferry du -s  vs  lftp du -s -b
#   FTP (vsftpd):   the same
#
# Each comparison runs BENCH_ROUNDS (default 3) rounds, alternating who
# goes first, and checks that both printed the same paths (find) and the
# same byte count (du). Starts the servers through .ci/sshd.sh and
# .ci/ftpd.sh unless they run (FERRY_TEST_SSHD, FERRY_TEST_VSFTPD set).
# Runs as root. Prints a table.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

rounds=${BENCH_ROUNDS:-3}
nfiles=${BENCH_FILES:-50000}
ndirs=${BENCH_DIRS:-1000}
command -v lftp >/dev/null || apt-get install -y -qq lftp >/dev/null
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	source "$repo/.ci/sshd.sh"
	on_exit sshd_stop
fi
if [ -z "${FERRY_TEST_VSFTPD:-}" ]; then
	source "$repo/.ci/ftpd.sh"
	on_exit ftpd_stop
fi

echo "making $nfiles files in $ndirs directories"
for d in "$FERRY_TEST_SSHD_DIR" "$FERRY_TEST_FTP_DIR"; do
	rm -rf "$d/bench-find"
	on_exit rm -rf "$d/bench-find"
	python3 - "$d/bench-find" "$nfiles" "$ndirs" 11 <<'PY'
import os, random, sys
root, files, ndirs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
dirs = [root]
for i in range(ndirs - 1):
    dirs.append(os.path.join(rng.choice(dirs), f"d{i:04d}"))
for d in dirs:
    os.makedirs(d, exist_ok=True)
for i in range(files):
    with open(os.path.join(rng.choice(dirs), f"f{i:05d}.dat"), "wb") as f:
        f.truncate(rng.randint(0, 1 << 20))
PY
	chmod -R a+rX "$d/bench-find"
done
chown -R "$FERRY_TEST_FTP_USER" "$FERRY_TEST_FTP_DIR/bench-find" 2>/dev/null || true
sdir=$FERRY_TEST_SSHD_DIR/bench-find
fdir=$FERRY_TEST_FTP_DIR/bench-find
want_bytes=$(find "$sdir" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
want_paths=$(find "$sdir" -mindepth 1 | wc -l)

shost=${FERRY_TEST_SSHD%:*}
sport=${FERRY_TEST_SSHD##*:}
suser=$FERRY_TEST_SSHD_USER
ssh_opts="-F /dev/null -i $FERRY_TEST_SSHD_KEY -o UserKnownHostsFile=$FERRY_TEST_SSHD_KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes"
ferry_ssh=(--ssh-config none --known-hosts "$FERRY_TEST_SSHD_KNOWN_HOSTS" -i "$FERRY_TEST_SSHD_KEY" --trust strict)
lftp_sftp="set sftp:connect-program 'ssh -a -x $ssh_opts'; set net:max-retries 1; open -u $suser, sftp://$shost:$sport"
fhost=${FERRY_TEST_VSFTPD%:*}
fport=${FERRY_TEST_VSFTPD##*:}
lftp_ftp="open -u $FERRY_TEST_FTP_USER,$FERRY_TEST_FTP_PASSWORD ftp://$fhost:$fport"
export FERRY_PASSWORD=$FERRY_TEST_FTP_PASSWORD
surl="sftp://$suser@$shost:$sport$sdir"
furl="ftp://$FERRY_TEST_FTP_USER@$fhost:$fport/$fdir"

# find_run LABEL ROOT CMD...: one timed find; its output must name every
# entry below ROOT (lftp names ROOT too; that line is not counted).
find_run() {
	local label=$1 root=$2 n
	shift 2
	best "$label" "$(timed "$label" "$@")"
	n=$(grep -cvx -e "$root" -e "$root/" "$work/$label.out")
	if [ "$n" != "$want_paths" ]; then
		echo "$label printed $n paths, want $want_paths" >&2
		exit 1
	fi
}
# du_run LABEL CMD...: one timed du; its last line must start with the bytes.
du_run() {
	local label=$1 got
	shift
	best "$label" "$(timed "$label" "$@")"
	got=$(tail -1 "$work/$label.out" | awk '{ print $1 }')
	if [ "$got" != "$want_bytes" ]; then
		echo "$label said $got bytes, want $want_bytes" >&2
		exit 1
	fi
}
rounds_of() {
	local r i n=$#
	local cmds=("$@")
	for r in $(seq 1 "$rounds"); do
		for i in $(seq 0 $((n - 1))); do
			"${cmds[$(((i + r - 1) % n))]}"
		done
	done
}

ferry_sftp_find() { find_run ferry-sftp-find "$sdir" "$ferry" find "${ferry_ssh[@]}" "$surl"; }
lftp_sftp_find() { find_run lftp-sftp-find "$sdir" lftp -c "$lftp_sftp; find $sdir"; }
ferry_sftp_du() { du_run ferry-sftp-du "$ferry" du -s "${ferry_ssh[@]}" "$surl"; }
lftp_sftp_du() { du_run lftp-sftp-du lftp -c "$lftp_sftp; du -s -b $sdir"; }
ferry_ftp_find() { find_run ferry-ftp-find "$fdir" "$ferry" find "$furl"; }
lftp_ftp_find() { find_run lftp-ftp-find "$fdir" lftp -c "$lftp_ftp; find $fdir"; }
ferry_ftp_du() { du_run ferry-ftp-du "$ferry" du -s "$furl"; }
lftp_ftp_du() { du_run lftp-ftp-du lftp -c "$lftp_ftp; du -s -b $fdir"; }

echo "SFTP, $rounds rounds"
rounds_of ferry_sftp_find lftp_sftp_find
rounds_of ferry_sftp_du lftp_sftp_du
echo "FTP, $rounds rounds"
rounds_of ferry_ftp_find lftp_ftp_find
rounds_of ferry_ftp_du lftp_ftp_du

print_rounds
t() { best_of "$1"; }
mr() { ratio "$(median_of "$1")" "$(median_of "$2")"; }
pr() { paired_of "$1" "$2"; }
printf '\n| work | ferry s | lftp s | ratio (lftp/ferry) | median ratio | paired ratio | target | ferry peak RSS MiB |\n|---|---|---|---|---|---|---|---|\n'
for w in sftp-find sftp-du ftp-find ftp-du; do
	printf '| %s, %s files | %s | %s | %s | %s | %s | >= 1x | %s |\n' "$w" "$nfiles" "$(t "ferry-$w")" "$(t "lftp-$w")" "$(ratio "$(t "ferry-$w")" "$(t "lftp-$w")")" "$(mr "ferry-$w" "lftp-$w")" "$(pr "ferry-$w" "lftp-$w")" "$(peak_rss "ferry-$w")"
done
echo "(best of $rounds rounds, the ratio of the medians and the median of each round's ratio; servers $FERRY_TEST_SSHD and $FERRY_TEST_VSFTPD)"
