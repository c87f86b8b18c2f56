#!/usr/bin/env bash
# Small files and segmented downloads: ferry against OpenSSH sftp and lftp
# on the same files, against the same real servers, in one run.
#
#   1. 2,000 files of 1-16 KiB in 70 nested directories, downloaded:
#      SFTP: ferry get -r -P 4   vs  sftp -r get   vs  lftp mirror --parallel=4
#      FTP:  ferry get -r -P 4   vs  lftp mirror --parallel=4
#   2. one BENCH_SIZE_MB (default 1024) MiB file over SFTP with 4 segments:
#      ferry get --segments 4  vs  lftp pget -n 4
#   3. ferry's peak RSS with four such SFTP downloads in parallel.
#
# Each comparison runs BENCH_ROUNDS (default 5) rounds, alternating who
# goes first, and keeps each tool's best and median. Starts the servers through
# .ci/sshd.sh and .ci/ftpd.sh unless they run (FERRY_TEST_SSHD,
# FERRY_TEST_VSFTPD set). Runs as root. Prints a table. See lib.sh for
# where files land.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

size_mb=${BENCH_SIZE_MB:-1024}
rounds=${BENCH_ROUNDS:-5}
command -v lftp >/dev/null || apt-get install -y -qq lftp >/dev/null
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	source "$repo/.ci/sshd.sh"
	on_exit sshd_stop
fi
if [ -z "${FERRY_TEST_VSFTPD:-}" ]; then
	source "$repo/.ci/ftpd.sh"
	on_exit ftpd_stop
fi

echo "making 2,000 files of 1-16 KiB in 70 directories"
make_tree "$scratch/tree" 2000 70 7
for d in "$FERRY_TEST_SSHD_DIR" "$FERRY_TEST_FTP_DIR"; do
	rm -rf "$d/bench-tree" # cp -r into a leftover would nest the copy
	cp -r "$scratch/tree" "$d/bench-tree"
	on_exit rm -rf "$d/bench-tree"
done
chown -R "$FERRY_TEST_FTP_USER" "$FERRY_TEST_FTP_DIR/bench-tree" 2>/dev/null || true
chmod -R a+rX "$FERRY_TEST_SSHD_DIR/bench-tree" "$FERRY_TEST_FTP_DIR/bench-tree"
sync

shost=${FERRY_TEST_SSHD%:*}
sport=${FERRY_TEST_SSHD##*:}
suser=$FERRY_TEST_SSHD_USER
ssh_opts="-F /dev/null -i $FERRY_TEST_SSHD_KEY -o UserKnownHostsFile=$FERRY_TEST_SSHD_KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes"
ferry_ssh=(--ssh-config none --known-hosts "$FERRY_TEST_SSHD_KNOWN_HOSTS" -i "$FERRY_TEST_SSHD_KEY" --trust strict -q)
lftp_sftp="set sftp:connect-program 'ssh -a -x $ssh_opts'; set net:max-retries 1"
fhost=${FERRY_TEST_VSFTPD%:*}
fport=${FERRY_TEST_VSFTPD##*:}
export FERRY_PASSWORD=$FERRY_TEST_FTP_PASSWORD
surl="sftp://$suser@$shost:$sport"

# run LABEL OUT CMD...: one timed download into OUT (removed first), its
# result checked against CHECK (the tree or the big file).
run() {
	local label=$1 out=$2
	shift 2
	rm -rf "$out"
	sync
	best "$label" "$(timed "$label" "$@")"
	if [ -d "$out" ]; then same_tree "$scratch/tree" "$out"; else same_file "$big" "$out"; fi
	rm -rf "$out"
}
# rounds_of CMD...: calls each command (a shell function) once per round,
# rotating who goes first.
rounds_of() {
	local r i n=$#
	local cmds=("$@")
	for r in $(seq 1 "$rounds"); do
		for i in $(seq 0 $((n - 1))); do
			"${cmds[$(((i + r - 1) % n))]}"
		done
	done
}

echo "get -r $FERRY_TEST_SSHD_DIR/bench-tree $scratch/sftp-sftp" >"$work/sftp.batch"
ferry_sftp_tree() { run ferry-sftp-tree "$scratch/ferry-sftp" "$ferry" get -r -P 4 "${ferry_ssh[@]}" "$surl$FERRY_TEST_SSHD_DIR/bench-tree" "$scratch/ferry-sftp"; }
# shellcheck disable=SC2086
sftp_sftp_tree() { run openssh-sftp-tree "$scratch/sftp-sftp" sftp -q -b "$work/sftp.batch" -P "$sport" $ssh_opts "$suser@$shost"; }
lftp_sftp_tree() { run lftp-sftp-tree "$scratch/lftp-sftp" lftp -c "$lftp_sftp; open -u $suser, sftp://$shost:$sport; mirror --parallel=4 $FERRY_TEST_SSHD_DIR/bench-tree $scratch/lftp-sftp"; }
ferry_ftp_tree() { run ferry-ftp-tree "$scratch/ferry-ftp" "$ferry" get -r -P 4 -q "ftp://$FERRY_TEST_FTP_USER@$fhost:$fport/%2F${FERRY_TEST_FTP_DIR#/}/bench-tree" "$scratch/ferry-ftp"; }
lftp_ftp_tree() { run lftp-ftp-tree "$scratch/lftp-ftp" lftp -c "open -u $FERRY_TEST_FTP_USER,$FERRY_TEST_FTP_PASSWORD ftp://$fhost:$fport; mirror --parallel=4 $FERRY_TEST_FTP_DIR/bench-tree $scratch/lftp-ftp"; }

echo "SFTP tree, $rounds rounds"
rounds_of ferry_sftp_tree sftp_sftp_tree lftp_sftp_tree
echo "FTP tree, $rounds rounds"
rounds_of ferry_ftp_tree lftp_ftp_tree

echo "SFTP ${size_mb} MiB in 4 segments, $rounds rounds"
big="$FERRY_TEST_SSHD_DIR/bench-big.bin"
head -c "$((size_mb << 20))" /dev/urandom >"$big"
chmod 644 "$big"
on_exit rm -f "$big" "$FERRY_TEST_SSHD_DIR"/bench-big-?.bin
sync
ferry_seg() { run ferry-seg "$scratch/ferry-seg.bin" "$ferry" get --segments 4 "${ferry_ssh[@]}" "$surl$big" "$scratch/ferry-seg.bin"; }
lftp_seg() { run lftp-seg "$scratch/lftp-seg.bin" lftp -c "$lftp_sftp; open -u $suser, sftp://$shost:$sport; pget -n 4 $big -o $scratch/lftp-seg.bin"; }
rounds_of ferry_seg lftp_seg

echo "four ${size_mb} MiB SFTP downloads in parallel"
srcs=()
for i in 1 2 3 4; do
	ln -f "$big" "$FERRY_TEST_SSHD_DIR/bench-big-$i.bin" 2>/dev/null || cp "$big" "$FERRY_TEST_SSHD_DIR/bench-big-$i.bin"
	srcs+=("$surl$FERRY_TEST_SSHD_DIR/bench-big-$i.bin")
done
mkdir -p "$scratch/par"
best ferry-par "$(timed ferry-par "$ferry" get -P 4 "${ferry_ssh[@]}" "${srcs[@]}" "$scratch/par")"
for i in 1 2 3 4; do same_file "$big" "$scratch/par/bench-big-$i.bin"; done
rm -rf "$scratch/par"

print_rounds
t() { best_of "$1"; }
mr() { ratio "$(median_of "$1")" "$(median_of "$2")"; }
pr() { paired_of "$1" "$2"; }
printf '\n| work | ferry s | other s | ratio (other/ferry) | median ratio | paired ratio | target | ferry peak RSS MiB |\n|---|---|---|---|---|---|---|---|\n'
printf '| SFTP 2,000 files vs OpenSSH sftp -r | %s | %s | %s | %s | %s | >= 3x | %s |\n' "$(t ferry-sftp-tree)" "$(t openssh-sftp-tree)" "$(ratio "$(t ferry-sftp-tree)" "$(t openssh-sftp-tree)")" "$(mr ferry-sftp-tree openssh-sftp-tree)" "$(pr ferry-sftp-tree openssh-sftp-tree)" "$(peak_rss ferry-sftp-tree)"
printf '| SFTP 2,000 files vs lftp mirror --parallel=4 | %s | %s | %s | %s | %s | >= 1x | |\n' "$(t ferry-sftp-tree)" "$(t lftp-sftp-tree)" "$(ratio "$(t ferry-sftp-tree)" "$(t lftp-sftp-tree)")" "$(mr ferry-sftp-tree lftp-sftp-tree)" "$(pr ferry-sftp-tree lftp-sftp-tree)"
printf '| FTP 2,000 files vs lftp mirror --parallel=4 | %s | %s | %s | %s | %s | >= 1x | %s |\n' "$(t ferry-ftp-tree)" "$(t lftp-ftp-tree)" "$(ratio "$(t ferry-ftp-tree)" "$(t lftp-ftp-tree)")" "$(mr ferry-ftp-tree lftp-ftp-tree)" "$(pr ferry-ftp-tree lftp-ftp-tree)" "$(peak_rss ferry-ftp-tree)"
printf '| SFTP %s MiB, 4 segments vs lftp pget -n 4 | %s | %s | %s | %s | %s | >= 1x | %s |\n' "$size_mb" "$(t ferry-seg)" "$(t lftp-seg)" "$(ratio "$(t ferry-seg)" "$(t lftp-seg)")" "$(mr ferry-seg lftp-seg)" "$(pr ferry-seg lftp-seg)" "$(peak_rss ferry-seg)"
printf '| SFTP 4 x %s MiB in parallel | %s | | | | | RSS < 64 MiB | %s |\n' "$size_mb" "$(t ferry-par)" "$(peak_rss ferry-par)"
echo "(best of $rounds rounds, the ratio of the medians and the median of each round's ratio; servers $FERRY_TEST_SSHD and $FERRY_TEST_VSFTPD)"
