#!/usr/bin/env bash
# Two-way sync with nothing to do: two identical trees of BENCH_FILES
# (default 50,000) small files in 500 directories, one on the local disk
# and one on the real sshd, compared by
#
#   ferry sync LOCAL sftp://…/REMOTE       (after a first sync made its state)
#   rclone bisync LOCAL bench:REMOTE       (after its --resync first run)
#   lftp -c 'mirror -R --dry-run LOCAL REMOTE'   (lists both, plans, does nothing)
#
# rclone runs without its SFTP hash check (see below), so all three compare
# sizes and modification times.
#
# Each round runs the three back to back, rotating who goes first; prints
# the best, median and paired ratios and each tool's peak RSS. Starts sshd
# through .ci/sshd.sh unless FERRY_TEST_SSHD is set. Runs as root.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

files=${BENCH_FILES:-50000}
rounds=${BENCH_ROUNDS:-3}
command -v lftp >/dev/null || apt-get install -y -qq lftp >/dev/null
command -v rclone >/dev/null || apt-get install -y -qq rclone >/dev/null
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	source "$repo/.ci/sshd.sh"
	on_exit sshd_stop
fi
host=${FERRY_TEST_SSHD%:*}
port=${FERRY_TEST_SSHD##*:}
user=$FERRY_TEST_SSHD_USER
remote=$FERRY_TEST_SSHD_DIR/bench-sync
local=$scratch/bench-sync

echo "making $files files of 64-1024 bytes in 500 directories, twice"
python3 - "$local" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(5)
dirs = [root]
for i in range(499):
    dirs.append(os.path.join(rng.choice(dirs), f"d{i:03d}"))
for d in dirs:
    os.makedirs(d, exist_ok=True)
for i in range(n):
    with open(os.path.join(rng.choice(dirs), f"f{i:05d}.txt"), "wb") as f:
        f.write(rng.randbytes(rng.randint(64, 1024)))
PY
rm -rf "$remote"
cp -a "$local" "$remote" # -a: the same mtimes, so both trees are equal
chown -R "$user" "$remote"
on_exit rm -rf "$remote"
sync

export XDG_STATE_HOME=$work/state
ferry_flags=(--known-hosts "$FERRY_TEST_SSHD_KNOWN_HOSTS" -i "$FERRY_TEST_SSHD_KEY" --trust strict --ssh-config none -q)
url="sftp://$user@$host:$port$remote"
export RCLONE_CONFIG=/dev/null RCLONE_CONFIG_BENCH_TYPE=sftp RCLONE_CONFIG_BENCH_HOST=$host \
	RCLONE_CONFIG_BENCH_PORT=$port RCLONE_CONFIG_BENCH_USER=$user \
	RCLONE_CONFIG_BENCH_KEY_FILE=$FERRY_TEST_SSHD_KEY \
	RCLONE_CONFIG_BENCH_KNOWN_HOSTS_FILE=$FERRY_TEST_SSHD_KNOWN_HOSTS \
	RCLONE_CONFIG_BENCH_DISABLE_HASHCHECK=true
# Without that, rclone 1.60's bisync runs md5sum over SSH for every file it
# lists (over a second per hundred files here); ferry and lftp compare
# sizes and times, and so does rclone with it.
rclone_wd=$work/rclone-bisync
ssh_opts="-F /dev/null -i $FERRY_TEST_SSHD_KEY -o UserKnownHostsFile=$FERRY_TEST_SSHD_KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes"
lftp_sftp="set sftp:connect-program 'ssh -a -x $ssh_opts'; set net:max-retries 1"

echo "first runs: ferry sync (makes its state), rclone bisync --resync"
"$ferry" sync "${ferry_flags[@]}" "$local" "$url"
rclone bisync --workdir "$rclone_wd" --resync -q "$local" "bench:$remote"

# nothing_to_do LABEL CMD...: one timed round; the trees must not change.
nothing_to_do() {
	local label=$1
	shift
	best "$label" "$(timed "$label" "$@")"
}
ferry_sync() { nothing_to_do ferry-sync "$ferry" sync "${ferry_flags[@]}" "$local" "$url"; }
rclone_bisync() { nothing_to_do rclone-bisync rclone bisync --workdir "$rclone_wd" -q "$local" "bench:$remote"; }
lftp_mirror() { nothing_to_do lftp-mirror lftp -c "$lftp_sftp; open -u $user, sftp://$host:$port; mirror -R --dry-run $local $remote"; }

echo "$rounds rounds"
for r in $(seq 1 "$rounds"); do
	case $((r % 3)) in
	1) ferry_sync; rclone_bisync; lftp_mirror ;;
	2) rclone_bisync; lftp_mirror; ferry_sync ;;
	0) lftp_mirror; ferry_sync; rclone_bisync ;;
	esac
done
if grep -v -e '^$' -e '^mkdir -p ' "$work/lftp-mirror.out" | grep -q .; then
	echo "lftp's plan was not empty:" >&2
	head -5 "$work/lftp-mirror.out" >&2
fi
same_tree "$local" "$remote"

print_rounds
t() { best_of "$1"; }
mr() { ratio "$(median_of "$1")" "$(median_of "$2")"; }
printf '\n| work | ferry s | other s | ratio (other/ferry) | median ratio | paired ratio | ferry peak RSS MiB | other peak RSS MiB |\n|---|---|---|---|---|---|---|---|\n'
printf '| %s files in sync vs rclone bisync | %s | %s | %s | %s | %s | %s | %s |\n' "$files" "$(t ferry-sync)" "$(t rclone-bisync)" "$(ratio "$(t ferry-sync)" "$(t rclone-bisync)")" "$(mr ferry-sync rclone-bisync)" "$(paired_of ferry-sync rclone-bisync)" "$(peak_rss ferry-sync)" "$(peak_rss rclone-bisync)"
printf '| %s files in sync vs lftp mirror -R --dry-run | %s | %s | %s | %s | %s | %s | %s |\n' "$files" "$(t ferry-sync)" "$(t lftp-mirror)" "$(ratio "$(t ferry-sync)" "$(t lftp-mirror)")" "$(mr ferry-sync lftp-mirror)" "$(paired_of ferry-sync lftp-mirror)" "$(peak_rss ferry-sync)" "$(peak_rss lftp-mirror)"
echo "(best of $rounds rounds, the ratio of the medians and the median of each round's ratio; sshd $FERRY_TEST_SSHD)"
