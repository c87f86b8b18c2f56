#!/usr/bin/env bash
# Small files and segmented downloads: ferry against OpenSSH sftp, lftp and
# curl on the same files, against the same real servers, in one run.
#
#   1. 2,000 files of 1-16 KiB in 70 nested directories, downloaded:
#      SFTP: ferry get -r -P 4   vs  sftp -r get   vs  lftp mirror --parallel=4
#      FTP:  ferry get -r -P 4   vs  lftp mirror --parallel=4
#   2. one BENCH_SIZE_MB (default 1024) MiB file over SFTP with 4 segments:
#      ferry get --segments 4  vs  lftp pget -n 4
#   3. ferry's peak RSS with four 1 GiB SFTP downloads in parallel.
#
# Starts the servers through .ci/sshd.sh and .ci/ftpd.sh unless they run
# (FERRY_TEST_SSHD, FERRY_TEST_VSFTPD set). Runs as root. Prints a table.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size_mb=${BENCH_SIZE_MB:-1024}
work=$(mktemp -d /tmp/ferry-bench-tree.XXXXXX)
started=()

cleanup() {
	rm -rf "$work"
	[ -n "${FERRY_TEST_SSHD_DIR:-}" ] && rm -rf "$FERRY_TEST_SSHD_DIR"/bench-tree "$FERRY_TEST_SSHD_DIR"/bench-big.bin
	[ -n "${FERRY_TEST_FTP_DIR:-}" ] && rm -rf "$FERRY_TEST_FTP_DIR"/bench-tree
	for s in "${started[@]}"; do "$s"; done
}
trap cleanup EXIT

command -v lftp >/dev/null && [ -x /usr/bin/time ] || apt-get install -y -qq lftp time >/dev/null
if [ -z "${FERRY_TEST_SSHD:-}" ]; then source "$repo/.ci/sshd.sh"; started+=(sshd_stop); fi
if [ -z "${FERRY_TEST_VSFTPD:-}" ]; then source "$repo/.ci/ftpd.sh"; started+=(ftpd_stop); fi

ferry=${FERRY_BIN:-$work/ferry}
[ -x "$ferry" ] || (cd "$repo" && go build -o "$ferry" .)

now() { date +%s.%N; }
# timed LABEL CMD...: runs CMD under GNU time; prints wall seconds.
timed() {
	local label=$1 t0 t1
	shift
	t0=$(now)
	/usr/bin/time -v -o "$work/$label.time" "$@" >"$work/$label.out" 2>&1 || {
		echo "$label failed:" >&2
		tail -20 "$work/$label.out" >&2
		exit 1
	}
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
rss() { awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$work/$1.time"; }
ratio() { awk -v f="$1" -v o="$2" 'BEGIN { printf "%.2fx", o / f }'; }
same_tree() { diff -r "$1" "$2" >/dev/null || { echo "trees differ: $1 $2" >&2; exit 1; }; }

echo "making 2,000 files of 1-16 KiB in 70 directories"
python3 - "$work/tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rng = random.Random(7)
dirs = [root]
for i in range(69):
    d = os.path.join(rng.choice(dirs), f"d{i:02d}")
    dirs.append(d)
for d in dirs:
    os.makedirs(d, exist_ok=True)
for i in range(2000):
    with open(os.path.join(rng.choice(dirs), f"f{i:04d}.dat"), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 16384)))
PY
cp -r "$work/tree" "$FERRY_TEST_SSHD_DIR/bench-tree"
cp -r "$work/tree" "$FERRY_TEST_FTP_DIR/bench-tree"
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
# vsftpd serves the FTP user's home; FERRY_TEST_FTP_DIR names it absolutely.
fdir=$FERRY_TEST_FTP_DIR

echo "SFTP tree"
t_f_s=$(timed ferry-sftp-tree "$ferry" get -r -P 4 "${ferry_ssh[@]}" "sftp://$suser@$shost:$sport$FERRY_TEST_SSHD_DIR/bench-tree" "$work/ferry-sftp")
same_tree "$work/tree" "$work/ferry-sftp"
echo "get -r $FERRY_TEST_SSHD_DIR/bench-tree $work/sftp-sftp" >"$work/sftp.batch"
# shellcheck disable=SC2086
t_o_s=$(timed openssh-sftp-tree sftp -q -b "$work/sftp.batch" -P "$sport" $ssh_opts "$suser@$shost")
same_tree "$work/tree" "$work/sftp-sftp"
t_l_s=$(timed lftp-sftp-tree lftp -c "$lftp_sftp; open -u $suser, sftp://$shost:$sport; mirror --parallel=4 $FERRY_TEST_SSHD_DIR/bench-tree $work/lftp-sftp")
same_tree "$work/tree" "$work/lftp-sftp"

echo "FTP tree"
t_f_f=$(timed ferry-ftp-tree "$ferry" get -r -P 4 -q "ftp://$FERRY_TEST_FTP_USER@$fhost:$fport/%2F${fdir#/}/bench-tree" "$work/ferry-ftp")
same_tree "$work/tree" "$work/ferry-ftp"
t_l_f=$(timed lftp-ftp-tree lftp -c "open -u $FERRY_TEST_FTP_USER,$FERRY_TEST_FTP_PASSWORD ftp://$fhost:$fport; mirror --parallel=4 $fdir/bench-tree $work/lftp-ftp")
same_tree "$work/tree" "$work/lftp-ftp"

echo "SFTP ${size_mb} MiB in 4 segments"
head -c "$((size_mb << 20))" /dev/urandom >"$FERRY_TEST_SSHD_DIR/bench-big.bin"
chmod 644 "$FERRY_TEST_SSHD_DIR/bench-big.bin"
sync
t_f_seg=$(timed ferry-seg "$ferry" get --segments 4 "${ferry_ssh[@]}" "sftp://$suser@$shost:$sport$FERRY_TEST_SSHD_DIR/bench-big.bin" "$work/ferry-seg.bin")
cmp "$FERRY_TEST_SSHD_DIR/bench-big.bin" "$work/ferry-seg.bin"
rm -f "$work/ferry-seg.bin"
t_l_seg=$(timed lftp-seg lftp -c "$lftp_sftp; open -u $suser, sftp://$shost:$sport; pget -n 4 $FERRY_TEST_SSHD_DIR/bench-big.bin -o $work/lftp-seg.bin")
cmp "$FERRY_TEST_SSHD_DIR/bench-big.bin" "$work/lftp-seg.bin"
rm -f "$work/lftp-seg.bin"

echo "four ${size_mb} MiB SFTP downloads in parallel"
for i in 1 2 3 4; do ln -f "$FERRY_TEST_SSHD_DIR/bench-big.bin" "$FERRY_TEST_SSHD_DIR/bench-big-$i.bin" 2>/dev/null || cp "$FERRY_TEST_SSHD_DIR/bench-big.bin" "$FERRY_TEST_SSHD_DIR/bench-big-$i.bin"; done
srcs=()
for i in 1 2 3 4; do srcs+=("sftp://$suser@$shost:$sport$FERRY_TEST_SSHD_DIR/bench-big-$i.bin"); done
mkdir -p "$work/par"
t_f_par=$(timed ferry-par "$ferry" get -P 4 "${ferry_ssh[@]}" "${srcs[@]}" "$work/par")
rm -rf "$work/par" "$FERRY_TEST_SSHD_DIR"/bench-big-?.bin

printf '\n| work | ferry s | other s | ratio (other/ferry) | ferry peak RSS MiB |\n|---|---|---|---|---|\n'
printf '| SFTP 2,000 files vs OpenSSH sftp -r | %s | %s | %s | %s |\n' "$t_f_s" "$t_o_s" "$(ratio "$t_f_s" "$t_o_s")" "$(rss ferry-sftp-tree)"
printf '| SFTP 2,000 files vs lftp mirror --parallel=4 | %s | %s | %s | |\n' "$t_f_s" "$t_l_s" "$(ratio "$t_f_s" "$t_l_s")"
printf '| FTP 2,000 files vs lftp mirror --parallel=4 | %s | %s | %s | %s |\n' "$t_f_f" "$t_l_f" "$(ratio "$t_f_f" "$t_l_f")" "$(rss ferry-ftp-tree)"
printf '| SFTP %s MiB, 4 segments vs lftp pget -n 4 | %s | %s | %s | %s |\n' "$size_mb" "$t_f_seg" "$t_l_seg" "$(ratio "$t_f_seg" "$t_l_seg")" "$(rss ferry-seg)"
printf '| SFTP 4 x %s MiB in parallel | %s | | | %s |\n' "$size_mb" "$t_f_par" "$(rss ferry-par)"
