#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of scripts/lib.sh kill_tree: an interrupted `make check` stops each lane
# with it. A tree of real processes, as check.sh's lane -> step script -> its foreground
# tar or make: a subshell, a script that traps TERM, its foreground sleep.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"
tap_scratch kill

# bash runs the script's TERM trap only once its foreground sleep has ended: 317 s
# unless the sleep gets the signal too
( bash -c "trap 'echo trapped >$t/trap; exit 143' TERM; sleep 317; echo done >$t/trap"; : ) &
lane=$!
script() { pgrep -P "$lane" -x bash; }
child() { local s; s=$(script) && pgrep -P "$s" -x sleep; }
slowwait 10 child >/dev/null
ok $? "the tree is up: the lane, the script, its foreground sleep"
tree="$lane $(script) $(child)"

t0=$(date +%s)
kill_tree TERM "$lane"
wait "$lane" 2>/dev/null
gone() { local p; for p in $tree; do lr_gone "$p" || return 1; done; return 0; }
slowwait 10 gone
ok $? "every process of the tree has ended" "left: $(ps -o pid=,args= -p "${tree// /,}")"
[ $(($(date +%s) - t0)) -lt 10 ]
ok $? "within seconds, not when the foreground sleep would have ended"
[ "$(cat "$t/trap" 2>/dev/null)" = trapped ]
ok $? "the script's own TERM trap ran (its cleanup)" "trap file: '$(cat "$t/trap" 2>/dev/null)'"
kill_tree TERM 999999999
ok $? "a pid that has gone: no error"
tap_end
