# shellcheck shell=bash
# Helpers the bench scripts share: timing under GNU time, best-of rounds,
# ratios, peak RSS, and where files land.
#
# Where files land: on the small VMs these scripts run on, disk writeback
# made the same 1 GiB write take anywhere from 0.6 s to 3 s from one run
# to the next, whoever wrote it. That measures the disk, not the clients.
# So by default what a client downloads goes to a tmpfs scratch directory
# (BENCH_SCRATCH, default under /dev/shm) and what it uploads goes to a
# tmpfs mounted inside the server's directory (when run as root). Set
# BENCH_ON_DISK=1 to put everything on disk instead.

# bench_init: the work dir, the ferry binary, GNU time. Sets repo, work,
# scratch and ferry, and arranges cleanup (add yours with on_exit).
bench_init() {
	repo=$(cd "$(dirname "${BASH_SOURCE[1]}")/.." && pwd)
	work=$(mktemp -d /tmp/ferry-bench.XXXXXX)
	_exit_hooks=()
	trap _bench_cleanup EXIT
	if [ -z "${BENCH_ON_DISK:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
		scratch=${BENCH_SCRATCH:-$(mktemp -d /dev/shm/ferry-bench.XXXXXX)}
	else
		scratch=$work
	fi
	on_exit rm -rf "$scratch" "$work"
	if [ ! -x /usr/bin/time ]; then
		apt-get install -y -qq time >/dev/null
	fi
	ferry=${FERRY_BIN:-}
	if [ -z "$ferry" ]; then
		ferry="$work/ferry"
		# Built as the release builds it (.goreleaser.yaml): static, no
		# symbol tables. The cgo build starts about 4 ms slower here.
		(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$ferry" .)
	fi
}

# on_exit CMD...: run CMD when the script ends (last added, first run).
on_exit() {
	local q
	printf -v q '%q ' "$@"
	_exit_hooks=("$q" "${_exit_hooks[@]}")
}

_bench_cleanup() {
	local h
	for h in "${_exit_hooks[@]}"; do
		eval "$h" || true
	done
}

# server_dir DIR OWNER: makes $land, a directory inside DIR (which a server
# serves) for uploads to land in, on a tmpfs when root and not
# BENCH_ON_DISK. (Not in a subshell: on_exit must see the unmount.)
server_dir() {
	local d="$1/bench-land"
	land=$d
	mkdir -p "$d"
	on_exit rm -rf "$d"
	if [ -z "${BENCH_ON_DISK:-}" ] && [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4g,mode=0755 tmpfs "$d" 2>/dev/null; then
		on_exit umount "$d"
	fi
	chown "$2" "$d"
}

now() { date +%s.%N; }

# timed LABEL CMD...: runs CMD under GNU time (its report in
# $work/LABEL.time), prints wall seconds; a failure ends the script.
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
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# best LABEL SECONDS: keeps the smallest time per label; best_of LABEL
# prints it, median_of LABEL the median of all rounds. Best of several
# rounds filters out moments when other work on the machine took the CPU;
# the median says what a typical round was, and the two ratios side by
# side show how much the machine moved during the run.
best() {
	local f="$work/$1.best"
	if [ ! -s "$f" ] || awk -v a="$2" -v b="$(cat "$f")" 'BEGIN { exit !(a < b) }'; then
		echo "$2" >"$f"
	fi
	echo "$2" >>"$work/$1.all"
	_track_rss "$1"
}
best_of() { cat "$work/$1.best"; }
median_of() {
	sort -n "$work/$1.all" | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# print_rounds: every label's times in the order the rounds ran, so that a
# ratio can be traced to the rounds behind it.
print_rounds() {
	local f
	echo "seconds per round:"
	for f in "$work"/*.all; do
		printf '  %-22s %s\n' "$(basename "$f" .all)" "$(tr '\n' ' ' <"$f")"
	done
}

# paired_of FERRY OTHER: the median over rounds of OTHER's time divided by
# ferry's in the same round. The two ran back to back, so a slow minute
# of the machine slows both and drops out of the quotient; the best and
# median ratios compare rounds that ran minutes apart.
paired_of() {
	paste "$work/$1.all" "$work/$2.all" | awk '{ print $2 / $1 }' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2fx", m }'
}

# peak_rss LABEL: the largest peak RSS (MiB) any round of LABEL had.
_track_rss() {
	local r f="$work/$1.rss"
	r=$(awk '/Maximum resident set size/ { print $NF }' "$work/$1.time")
	if [ ! -s "$f" ] || [ "$r" -gt "$(cat "$f")" ]; then
		echo "$r" >"$f"
	fi
}
peak_rss() { awk '{ printf "%.1f", $1 / 1024 }' "$work/$1.rss"; }

# ratio FERRY OTHER: how many times faster ferry was (above 1: faster).
ratio() { awk -v f="$1" -v o="$2" 'BEGIN { printf "%.2fx", o / f }'; }

# mbps SIZE_MB SECONDS
mbps() { awk -v b="$(($1 << 20))" -v s="$2" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }

# same_file A B / same_tree A B: a transfer that is fast but wrong fails.
same_file() { cmp -s "$1" "$2" || { echo "$2 differs from $1" >&2; exit 1; }; }
same_tree() { diff -r "$1" "$2" >/dev/null || { echo "trees differ: $1 $2" >&2; exit 1; }; }

# make_tree DIR FILES DIRS SEED: FILES files of 1-16 KiB spread over DIRS
# nested directories under DIR, the same for the same SEED.
make_tree() {
	python3 - "$@" <<'PY'
import os, random, sys
root, files, ndirs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
dirs = [root]
for i in range(ndirs - 1):
    d = os.path.join(rng.choice(dirs), f"d{i:02d}")
    dirs.append(d)
for d in dirs:
    os.makedirs(d, exist_ok=True)
for i in range(files):
    with open(os.path.join(rng.choice(dirs), f"f{i:04d}.dat"), "wb") as f:
        f.write(rng.randbytes(rng.randint(1024, 16384)))
PY
}
