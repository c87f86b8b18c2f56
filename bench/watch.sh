#!/usr/bin/env bash
# ferry watch against the real sshd, on loopback:
#
#   1. latency: BENCH_SAVES (default 50) saves of one file, each 300 ms
#      after the last one landed; the time from the save (write and close)
#      to the new content being at its name in the server's directory.
#      p50 and p95 (target p95 <= 1 s). The debounce is the default, 200 ms.
#   2. idle CPU: the watch's CPU time (utime + stime from /proc) over 10 s
#      in which nothing changes (target ~0: no polling).
#   3. RSS: a watch over a 50,000-file tree in 1,000 directories that the
#      server already has (so the first catch-up compares and uploads
#      nothing): VmRSS once it watches, and VmHWM, the peak (target < 64 MiB).
#
# Starts the server through .ci/sshd.sh unless FERRY_TEST_SSHD is set.
# Runs as root. There is no other client to compare with; the numbers
# stand alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init

saves=${BENCH_SAVES:-50}
if [ -z "${FERRY_TEST_SSHD:-}" ]; then
	source "$repo/.ci/sshd.sh"
	on_exit sshd_stop
fi
shost=${FERRY_TEST_SSHD%:*}
sport=${FERRY_TEST_SSHD##*:}
surl="sftp://$FERRY_TEST_SSHD_USER@$shost:$sport"
ferry_ssh=(--ssh-config none --known-hosts "$FERRY_TEST_SSHD_KNOWN_HOSTS" -i "$FERRY_TEST_SSHD_KEY" --trust strict)
export XDG_STATE_HOME=$work/state

# start_watch LOCAL REMOTE_DIR LOG: runs ferry watch in the background,
# sets $watch_pid, and waits until it watches.
start_watch() {
	"$ferry" watch "${ferry_ssh[@]}" "$1" "$surl$2" >"$3" 2>&1 &
	watch_pid=$!
	on_exit quiet_kill "$watch_pid"
	local i
	for i in $(seq 600); do
		grep -q '^watching ' "$3" && return 0
		kill -0 "$watch_pid" 2>/dev/null || { cat "$3" >&2; exit 1; }
		sleep 0.1
	done
	echo "ferry watch did not start:" >&2
	cat "$3" >&2
	exit 1
}

stop_watch() {
	kill -INT "$watch_pid"
	wait "$watch_pid" || true
}

quiet_kill() { kill "$1" 2>/dev/null; }

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# 1. latency
site=$scratch/site
remote=$FERRY_TEST_SSHD_DIR/bench-watch
rm -rf "$site" "$remote"
mkdir -p "$site"
on_exit rm -rf "$remote"
echo "seed" >"$site/index.html"
start_watch "$site" "$remote" "$work/latency.log"
echo "latency over $saves saves"
python3 - "$site/index.html" "$remote/index.html" "$saves" >"$work/latency.txt" <<'PY'
import os, sys, time
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lat = []
for i in range(n):
    body = (f"save {i}\n" * 200).encode()
    t0 = time.monotonic()
    with open(src, "wb") as f:
        f.write(body)
    while True:
        try:
            with open(dst, "rb") as f:
                if f.read() == body:
                    break
        except FileNotFoundError:
            pass
        if time.monotonic() - t0 > 10:
            sys.exit(f"save {i} did not reach the server in 10 s")
        time.sleep(0.002)
    lat.append(time.monotonic() - t0)
    time.sleep(0.3)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))]
print(f"{pct(50)*1000:.0f} {pct(95)*1000:.0f} {lat[0]*1000:.0f} {lat[-1]*1000:.0f}")
PY
read -r p50 p95 lo hi <"$work/latency.txt"

# 2. idle CPU, the same watch with nothing changing
sleep 2
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks "$watch_pid")
t0=$(now)
sleep 10
c1=$(cpu_ticks "$watch_pid")
t1=$(now)
idle_cpu=$(awk -v c="$((c1 - c0))" -v hz="$hz" 'BEGIN { printf "%.2f", c / hz }')
idle_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
stop_watch

# 3. RSS over 50,000 files that the server already has
echo "making 50,000 files in 1,000 directories"
tree=$scratch/tree50k
rm -rf "$tree"
python3 - "$tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    p = os.path.join(root, f"d{d // 40:02d}", f"d{d:04d}")
    os.makedirs(p)
    for f in range(50):
        with open(os.path.join(p, f"f{f:02d}.txt"), "w") as fh:
            fh.write(f"{d} {f}\n")
PY
remote50k=$FERRY_TEST_SSHD_DIR/bench-watch-50k
rm -rf "$remote50k"
cp -a "$tree" "$remote50k"
chown -R "$FERRY_TEST_SSHD_USER" "$remote50k" 2>/dev/null || true
on_exit rm -rf "$remote50k"
t0=$(now)
start_watch "$tree" "$remote50k" "$work/rss.log"
t1=$(now)
sleep 3
rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$watch_pid/status")
hwm=$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$watch_pid/status")
ready=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
uploads=$(grep -c 'caught up: 0 to upload' "$work/rss.log" || true)
stop_watch
[ "$uploads" = 1 ] || { echo "the 50,000-file catch-up uploaded something:" >&2; head "$work/rss.log" >&2; exit 1; }

echo
echo "| measure | result | target |"
echo "|---|---|---|"
echo "| save → on the server, p50 / p95 ($saves saves; min $lo ms, max $hi ms) | $p50 ms / $p95 ms | p95 ≤ 1000 ms |"
echo "| CPU while idle | ${idle_cpu} s in ${idle_wall} s | ~0 |"
echo "| RSS watching 50,000 files in 1,000 dirs: now / peak | $rss MiB / $hwm MiB | < 64 MiB |"
echo "| 50,000 files: start to watching (catch-up compared all) | $ready s | |"
