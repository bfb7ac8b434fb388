#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of scripts/lib.sh lr_nap and slowwait: the poll loops of every run
# (a case's QEMU, the check's lanes) sleep in the shell, without a process a tick.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
# shellcheck source=../../scripts/lib.sh
. "$top/scripts/lib.sh"
tap_scratch waits

us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
t0=$(us); lr_nap 0.3; dt=$(( $(us) - t0 ))
[ "$dt" -ge 300000 ] && [ "$dt" -lt 2000000 ]
ok $? "lr_nap 0.3 sleeps 0.3 s" "took $dt us"

t0=$(us); slowwait 1 false; rc=$?; dt=$(( $(us) - t0 ))
[ $rc = 1 ] && [ "$dt" -ge 1000000 ] && [ "$dt" -lt 3000000 ]
ok $? "slowwait 1 false: fails after its 1 s" "rc $rc, took $dt us"

( lr_nap 0.4; : >"$t/flag" ) &
t0=$(us); slowwait 5 test -e "$t/flag"; rc=$?; dt=$(( $(us) - t0 ))
[ $rc = 0 ] && [ "$dt" -lt 2000000 ]
ok $? "slowwait returns once its command succeeds" "rc $rc, took $dt us"
wait

# the loop runs no program: a sleep or a date would be a process a tick (each one
# stood in by a function that notes its use)
sleep() { echo sleep >>"$t/used"; command sleep "$@"; }
date() { echo date >>"$t/used"; command date "$@"; }
slowwait 1 false
lr_nap 0.1
[ ! -e "$t/used" ]
ok $? "no sleep, no date while it polls" "used: $(sort -u "$t/used" 2>/dev/null | paste -sd' ')"
unset -f sleep date

# ready NAME: wait until a background script says its traps are in ($t/ready.NAME, written
# just before its lr_nap), then give it 0.2 s to be inside that nap's read. A fixed nap
# alone was a race: in CI's loaded unit stage bash had not yet sourced lib.sh when the
# TERM came, died of it with 143 and ran no cleanup (test 7: "143:cut" five times).
ready() { slowwait 30 test -e "$t/ready.$1" && lr_nap 0.2; }

# a TERM trap runs during lr_nap, not when a foreground sleep would have ended
bash -c ". '$top/scripts/lib.sh'; trap 'echo trapped >$t/trap; exit 143' TERM; : >$t/ready.trap; lr_nap 30" &
p=$!
ready trap
t0=$(us); kill -TERM $p; wait $p; dt=$(( $(us) - t0 ))
[ "$(cat "$t/trap" 2>/dev/null)" = trapped ] && [ "$dt" -lt 3000000 ]
ok $? "TERM during lr_nap: the trap runs at once" "trap '$(cat "$t/trap" 2>/dev/null)', $dt us"
# a cleanup entered from a TERM trap waits for a child it killed: bash does not reap it
# there, lr_gone counts the zombie as gone (kill -0 kept it "alive" for the whole bound)
cat >"$t/cleanup.sh" <<EOS
. '$top/scripts/lib.sh'
lr_trap_cleanup
sleep 300 & c=\$!
defer 't0=\${EPOCHREALTIME//[!0-9]/}; kill \$c; slowwait 5 lr_gone \$c; echo "\$? \$(( \${EPOCHREALTIME//[!0-9]/} - t0 ))" >$t/gone'
: >$t/ready.cleanup
lr_nap 60
EOS
bash "$t/cleanup.sh" &
p=$!
ready cleanup
kill -TERM $p; wait $p
read -r rc dt <"$t/gone" 2>/dev/null
[ "${rc:-}" = 0 ] && [ "${dt:-9999999}" -lt 2000000 ]
ok $? "a cleanup after TERM sees the child it killed gone" "slowwait rc '${rc:-}', ${dt:-?} us"
# TERM in lr_nap's read, then a cleanup that forks and naps for longer than the read's
# timeout: bash 5.2 kept the read's timer armed when its trap exited, and when it fired
# in the cleanup bash died of SIGSEGV (exit 139, the cleanup half done; in CI's drills a
# namespace and a case's temporary dir were left). 5 tries, each one the bug took. The
# deferred loop's own i: lr_cleanup's index was i too, and the loop never ended.
cat >"$t/cut.sh" <<EOS
. '$top/scripts/lib.sh'
lr_trap_cleanup
defer 'for i in 1 2 3 4 5 6; do x=\$(cat /proc/self/comm); lr_nap 0.05; done; echo end >$t/cut'
: >$t/ready.cut
while :; do lr_nap 0.1; done
EOS
res=
for i in 1 2 3 4 5; do
	rm -f "$t/cut" "$t/ready.cut"
	bash "$t/cut.sh" &
	p=$!
	ready cut
	kill -TERM $p; wait $p; rc=$?
	res+="$rc:$(cat "$t/cut" 2>/dev/null || echo cut) "
done
[ "$res" = "$(printf '143:end %.0s' 1 2 3 4 5)" ]
ok $? "a cleanup entered from a TERM in lr_nap runs to its end" "exit:cleanup $res"

# a trap that does not exit ends the nap too (the progress loop's stop)
bash -c ". '$top/scripts/lib.sh'; stop=0; trap 'stop=1; lr_wake' TERM; lr_nap 0.01; : >$t/ready.stop; lr_nap 30; echo \$stop >$t/stop" &
p=$!
ready stop
t0=$(us); kill -TERM $p; wait $p; dt=$(( $(us) - t0 ))
[ "$(cat "$t/stop" 2>/dev/null)" = 1 ] && [ "$dt" -lt 1000000 ]
ok $? "a trap that sets a flag and wakes: lr_nap returns at once" "stop '$(cat "$t/stop" 2>/dev/null)', $dt us"
tap_end
