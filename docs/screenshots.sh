#!/usr/bin/env bash
# Regenerates the README's screenshots from the real binary: builds ferry,
# runs `ferry --demo` in a private tmux server at a fixed size, drives it
# with keys, captures each screen with its colours (capture-pane -e) and
# renders the captures to PNG with charmbracelet/freeze. freeze reads only
# part of SGR and misreads the rest (a background runs on past the point
# where the terminal ended it, text after a colour reset keeps the colour),
# so docs/ansiflat first rewrites each capture into the codes freeze
# renders, without changing what a terminal would show, and gives back the
# bars across the screen whose ends tmux leaves out of its captures.
#
#   docs/screenshots.sh [OUTDIR]     (default: docs)
#
# OUTDIR receives NAME.png for panes, queue, sites and hostkey, rendered
# from tmux captures; with SCREENSHOTS_PNG=0 it receives the captures
# (NAME.ans) instead and freeze is not run.
# Needs go and tmux; freeze comes through the Go module proxy. Every wait
# is bounded: a screen that never shows fails the script, never hangs it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)
png=${SCREENSHOTS_PNG:-1}
# freeze measures runes with go-runewidth, which counts the box-drawing
# characters, "…" and "·" as two columns in an East Asian locale; the
# captures count them as one, as ferry and tmux do here.
freeze=(env RUNEWIDTH_EASTASIAN=0 go run github.com/charmbracelet/freeze@v0.2.2)
# freeze places backgrounds on a grid of 1/1.68 em per column while its
# font, JetBrains Mono, advances 0.6 em, so a background ends up to a
# column left of its text at the right edge of a 120-column screen. freeze
# writes the font family into the SVG unescaped, which lets the family
# carry a letter-spacing that narrows the text onto freeze's grid:
# 0.6 - 1/1.68 = 0.0047619 em.
font=(--font.family 'JetBrains Mono" letter-spacing="-0.0047619em')
cols=120
rows=32

work=$(mktemp -d)
ans=$work/ans
mkdir -p "$ans"
sock="ferry-shots-$$"
T() { tmux -L "$sock" "$@"; }
cleanup() {
  T kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/ferry" "$root"
if [ "$png" = 1 ]; then
  go build -o "$work/ansiflat" "$root/docs/ansiflat"
fi
mkdir -p "$work/home"

# A clean terminal: no user tmux.conf, 256 colours, no NO_COLOR, a HOME
# of its own (an empty known_hosts, no ~/.ssh/config, no bookmarks).
T -f /dev/null start-server \; set-option -g default-terminal tmux-256color
start() { # start NAME COMMAND...
  local name=$1
  shift
  T new-session -d -s "$name" -x "$cols" -y "$rows" -c "${dir:-$work/home}" \
    env -u NO_COLOR HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" \
    XDG_STATE_HOME="$work/home/.state" XDG_DATA_HOME="$work/home/.data" \
    LS_COLORS= TERM=tmux-256color COLORTERM= "$@"
  T set-option -t "$name" status off >/dev/null
}
screen() { T capture-pane -p -t "$1"; }
keys() { # keys SESSION KEY... (a short pause after each, as a person types)
  local s=$1
  shift
  for k in "$@"; do
    T send-keys -t "$s" "$k"
    sleep 0.15
  done
}
wait_for() { # wait_for SESSION REGEX [SECONDS]
  local deadline=$((SECONDS + ${3:-15}))
  until screen "$1" | grep -Eq -- "$2"; do
    if ((SECONDS > deadline)); then
      echo "screenshots: timed out waiting for /$2/ in $1; the screen was:" >&2
      screen "$1" >&2
      exit 1
    fi
    sleep 0.05
  done
}
# catch_mid SESSION NAME DONE: captures the screen while the 200 MB
# download runs, at a third to two thirds done if the screen shows it
# there, else the last screen between a twentieth and nineteen twentieths
# (the demo runs at full speed, so the screen is polled rather than waited
# on). A machine so fast that the download ends first (DONE, a regex,
# shows) gets the finished screen and a warning rather than a failure.
catch_mid() {
  local deadline=$((SECONDS + 60)) s plain
  rm -f "$ans/$2.ans"
  while :; do
    s=$(T capture-pane -e -N -p -t "$1")
    plain=$(sed 's/\x1b\[[0-9;:]*m//g' <<<"$s")
    if grep -Eq ' ([7-9][0-9]|1[0-3][0-9])M/200M' <<<"$plain"; then
      printf '%s\n' "$s" >"$ans/$2.ans"
      return
    fi
    if grep -Eq ' ([1-9][0-9]|1[0-8][0-9])M/200M' <<<"$plain"; then
      printf '%s\n' "$s" >"$ans/$2.ans"
    elif grep -Eq -- "$3" <<<"$plain"; then
      if [ ! -s "$ans/$2.ans" ]; then
        echo "screenshots: warning: the download ended before $2 caught it" >&2
        printf '%s\n' "$s" >"$ans/$2.ans"
      fi
      return
    fi
    if ((SECONDS > deadline)); then
      echo "screenshots: the download never showed in $2" >&2
      screen "$1" >&2
      exit 1
    fi
    sleep 0.02
  done
}
# -N keeps the spaces at the end of a row, which may carry a background.
# Cells erased in a background (how ferry's renderer ends a bar across the
# screen) are left out even so; ansiflat -width fills those rows out.
capture() { T capture-pane -e -N -p -t "$1" >"$ans/$2.ans"; }

# 1. Both panes while the big release downloads.
start demo "$work/ferry" --demo
wait_for demo 'SFTP ·.*' 20
wait_for demo 'releases/'
keys demo Tab Down Down Down Enter
wait_for demo '/releases +'
keys demo Down Enter
wait_for demo 'ferry-big\.iso'
keys demo Down F5 # checksums.sha256
wait_for demo '1 done'
keys demo Down
T send-keys -t demo F5 # ferry-big.iso
catch_mid demo panes '2 done'
wait_for demo '2 done' 60

# 2. The queue, focused, while the release downloads again into another
# directory: finished jobs above the running one.
keys demo Tab Down Enter # the left pane into "upload me/"
wait_for demo 'upload me +'
keys demo Tab F2 Tab # show the queue, focus back on the right pane
T send-keys -t demo F5
sleep 0.1
T send-keys -t demo F2 Down Down # focus the queue, select the running job
catch_mid demo queue '3 done'
wait_for demo '3 done' 60

# 3. The site manager.
keys demo Escape C-b
wait_for demo 'demo-sftp|demo-ftps|Sites'
sleep 0.3
capture demo sites
keys demo Escape

# 4. The host-key prompt: a fresh ferry with an empty known_hosts dials the
# demo's SFTP server, whose address the right pane's header names.
addr=$(screen demo | grep -Eo 'demo@127\.0\.0\.1:[0-9]+' | head -1 || true)
if [ -z "$addr" ]; then
  echo "screenshots: no SFTP address on the demo's screen" >&2
  screen demo >&2
  exit 1
fi
# It starts in the demo's local directory, so its left pane shows no more
# than the demo's.
here=$(screen demo | grep -Eo '/[^ ]*ferry-demo-[0-9]+/local' | head -1 || true)
dir=${here:-$work/home} start hostkey "$work/ferry" "sftp://$addr/"
wait_for hostkey 'SHA256:' 20
sleep 0.3
capture hostkey hostkey
T send-keys -t hostkey Escape

for name in panes queue sites hostkey; do
  if [ "$png" = 1 ]; then
    "$work/ansiflat" -width "$cols" "$ans/$name.ans" >"$ans/$name.flat"
    # freeze reads standard input instead of the file when that is a pipe.
    "${freeze[@]}" -l ansi --window --padding 20 --margin 0 --font.size 10 \
      "${font[@]}" -o "$out/$name.png" "$ans/$name.flat" </dev/null >/dev/null
    ls -l "$out/$name.png"
  else
    cp "$ans/$name.ans" "$out/"
    ls -l "$out/$name.ans"
  fi
done
