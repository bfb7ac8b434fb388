#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/progress/run.sh: a person watching a run sees what it does (issue 17), tested as a
# person would see it: TAP.
#   1 on a terminal (tmux, 160x40): `make run-all` with one short case; the pane, captured
#     every second, shows the status area going through the test's phases (booting, the
#     test's own "waiting for 'still trying'"), done/total, and ends with the case's line
#     and no status area left over
#   2 not on a terminal, CI=true, LR_PROGRESS_BEAT=10: the log has no escape code, a line
#     per phase change, and never a silence longer than the beat (+ 3 s of slack)
# Cases: CASES (default svc-sleep/lock; fin-blackhole/lock shows every wait, in ~4 min).
# LR_PROGRESS_KEEP=dir keeps the pane captures of 1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/unit/tap.inc"
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux not installed (apt-get install tmux)"; exit 0; }
# one tmux server of our own: nothing of the user's is touched, nothing of ours is left
export TMUX_TMPDIR
cases=${CASES:-svc-sleep/lock}
tmp=$(mktemp -d /tmp/lockd-repro-progress.XXXXXX)
TMUX_TMPDIR=$tmp
sess=lr-progress
trap 'tmux kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
# ---- 1: the terminal ----
tmux new-session -d -s "$sess" -x 160 -y 40 \
	"cd '$top' && env -u CI make run-all KERNELS=mainline CASES='$cases' JOBS=2; echo LR-DONE \$?; sleep 600"
for i in $(seq 1 900); do
	tmux capture-pane -p -t "$sess" >"$tmp/pane.$i" 2>/dev/null || break
	grep -q '^LR-DONE' "$tmp/pane.$i" && break
	sleep 1
done
last=$tmp/pane.$i
rc=$(sed -n 's/^LR-DONE \([0-9]*\)/\1/p' "$last")
areas=$(cat "$tmp"/pane.* | grep -c '^--- [0-9]*/[0-9]* done')
boot=$(cat "$tmp"/pane.* | grep -c '^  mainline/.*  \(booting\|server ready\|client mounted\)')
wait_=$(cat "$tmp"/pane.* | grep -c "^  mainline/.*waiting for")
left=$(grep -c '^--- [0-9]*/[0-9]* done' "$last")
line=$(grep -c '^==> \[1/' "$last")
[ "$rc" = 0 ] && [ "$areas" -ge 5 ] && [ "$boot" -ge 1 ] && [ "$wait_" -ge 1 ] &&
	[ "$left" = 0 ] && [ "$line" -ge 1 ]
r=$?
[ $r = 0 ] || cp "$last" /tmp/lockd-repro-progress.last
ok $r "terminal: the status area went through the phases" "make exit ${rc:-none}, $i \
captures: $areas with the area, $boot booting/mounted, $wait_ with the test's own wait, \
$left area(s) left at the end, $line case line(s); last pane: /tmp/lockd-repro-progress.last"
# one pane in the middle of the wait, for the person reading the TAP
mid=$(grep -l "waiting for" "$tmp"/pane.* | head -1)
[ -n "$mid" ] && grep -E '^(---|  mainline/)' "$mid" | sed 's/^/# /'

# LR_PROGRESS_KEEP=dir keeps every capture (the README's recorded session)
[ -n "${LR_PROGRESS_KEEP:-}" ] && mkdir -p "$LR_PROGRESS_KEEP" && cp "$tmp"/pane.* "$LR_PROGRESS_KEEP"/

# ---- 2: CI ----
(cd "$top" && CI=true LR_PROGRESS_BEAT=10 make run-all KERNELS=mainline CASES="$cases" JOBS=2) \
	2>&1 | while IFS= read -r l; do printf '%s %s\n' "$(date +%s)" "$l"; done >"$tmp/ci.log"
esc=$(grep -c $'\033' "$tmp/ci.log")
# the longest silence, and the line it followed (where the run was quiet)
read -r gap after < <(awk 'NR > 1 && $1 - p > m { m = $1 - p; a = l } { p = $1; l = $0 }
	END { print m + 0, substr(a, index(a, " ") + 1) }' "$tmp/ci.log")
phases=$(grep -c "^[0-9]* ==> mainline/.*: " "$tmp/ci.log")
beats=$(grep -c "^[0-9]* ==> progress: " "$tmp/ci.log")
[ "$esc" = 0 ] && [ "$gap" -le 13 ] && [ "$phases" -ge 3 ] && [ "$beats" -ge 1 ]
ok $? "CI: plain lines, a phase line per change, silence at most the beat" \
	"$esc escape code(s), longest silence ${gap} s (after: ${after:-the start}), $phases phase line(s), $beats heartbeat(s)"
tap_end
