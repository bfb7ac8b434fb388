#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# drills: the case runner's failure drills (issue 11). Each makes a `vm/run.sh --all`
# (KERNELS=mainline, JOBS=1, PROFILE=quick, baseline unless said) go wrong on purpose and
# checks how it ends: the case failed with its evidence kept, or, when the run was
# interrupted, the run stopped at once with a non-zero exit and the case dropped (no case
# dir, finished cases kept); and nothing of the run left: no process of its group, QEMU,
# tcpdump, namespace (the taps and bridges live only in there) or temporary case dir.
# TAP on stdout (one line per drill), progress on stderr; each drill's run keeps its
# results and output in build/drills/<drill>/.
#
#   tests/drills/run.sh [DRILL...]      default: every drill, in this order
#
#   int-prep-kernel int-prep-images   Ctrl-C (SIGINT to the process group) to `make run-all`
#                     started as a script's background job (SIGINT ignored on entry, as a
#                     non-interactive shell starts it) while it resolves the kernel / builds
#                     the guest images (the real preparation, no image overrides)
#   int-boot int-test int-teardown    Ctrl-C at boot (the client kernel up, not mounted),
#                     mid-test ("case baseline start"), in the guests' teardown ("case
#                     baseline exit": the client saving its logs and powering off)
#   term-boot term-test term-teardown SIGTERM to vm/run.sh alone (kill PID), the same
#                     moments; term-test runs baseline first and must keep it
#   term-turn         JOBS=2: SIGTERM to vm/run.sh while one of baseline and svc-sleep/getlk
#                     boots and the other waits for its turn (vm/run.sh boot_slot_take): no
#                     QEMU of its own yet, the flock it waits in must go with it
#   client-killed     SIGKILL to the client's QEMU after baseline's first KTAP result: fail,
#                     "the client wrote no status", console and KTAP kept
#   lockd-hang        the server's lockd stalled for good (`svc-sleep on` through its agent
#                     before the client mounts, never off) under svc-sleep/lock with
#                     LR_CASE_TIMEOUT=50 (harness timeout 20 s, LR_TEST_TIMEOUT): fail with
#                     the test's `not ok` ("terminated by timeout") and both guests' dmesg
#   two-runs          two vm/run.sh --all at once in one results dir: each its own run dir
#                     and namespace (seen up together), each verdict its own
#
# Needs root, /dev/net/tun and QEMU (vm/run.sh's preflight) and a mainline kernel and guest
# images that build (make check builds both in earlier steps); without root: 1..0 # SKIP.
# Every wait polls (slowwait) with a bound, LR_DRILL_WAIT seconds (default 240); a drill
# that overruns fails and stops its run.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
. "$LR_TOP/vm/common.sh"

ALL="int-prep-kernel int-prep-images int-boot term-boot int-test term-test int-teardown
	term-teardown term-turn client-killed lockd-hang two-runs"
D=$LR_BUILD/drills
WAIT=${LR_DRILL_WAIT:-240}	# bound on any moment a drill waits for, and on a run's end

if [ "$(id -u)" != 0 ] || ! (exec 3<>/dev/net/tun) 2>/dev/null; then
	echo "1..0 # SKIP the drills need root and /dev/net/tun (vm/run.sh)"
	exit 0
fi
drills=${*:-$ALL}
for d in $drills; do
	case " $(echo $ALL) " in *" $d "*) ;; *) die "unknown drill '$d' (drills: $(echo $ALL))" ;; esac
done

# Every run in a process group of its own (job control): its signals are its own, SIGINT is
# not ignored in it (unless a drill says so), and the drill stops the whole group if it must.
set -m
lr_trap_cleanup
rm -rf "$D" && mkdir -p "$D" || die "cannot make $D"

# one kernel and one pair of images for the drills that do not drill the preparation
kinfo=$D/kernel.info
"$LR_TOP/scripts/kernel.sh" info mainline >"$kinfo" 2>"$D/kernel.err" && [ -f "$(kv "$kinfo" bzimage)" ] ||
	die "no mainline kernel (scripts/kernel.sh info mainline: $(tail -1 "$D/kernel.err"))"
"$LR_TOP/rootfs/build.sh" --print-paths >"$D/images" 2>"$D/images.err" ||
	die "no guest images (rootfs/build.sh: $(tail -1 "$D/images.err"))"
# rootfs/build.sh makes a client image without tests (a warning) when tests/ does not build
for b in baseline svc_sleep; do
	cpio -t --quiet <"$(kv "$D/images" client)" 2>/dev/null | grep -qE "(^|/)lr/tests/$b\$" ||
		die "the client image has no lr/tests/$b ($(grep -m1 warning "$D/images.err"))"
done
export LR_BZIMAGE=$(kv "$kinfo" bzimage) LR_SERVER_IMG=$(kv "$D/images" server) \
	LR_CLIENT_IMG=$(kv "$D/images" client)

# ---- runs ----
# run_start DIR VAR=VALUE...: start vm/run.sh --all in the background, results in DIR/results,
# its output in DIR/out and DIR/err; RPID = its pid, which is also its process group
run_start() {
	local dir=$1; shift
	mkdir -p "$dir/results"
	env CASES=baseline KERNELS=mainline JOBS=1 PROFILE=quick LR_RESULTS="$dir/results" "$@" \
		"$LR_TOP/vm/run.sh" --all >"$dir/out" 2>"$dir/err" &
	RPID=$!
	defer "stop_group $RPID"
}
# stop_group PGID: the drill's own safety net: TERM the group, KILL what is left after 30 s
stop_group() {
	group_alive "$1" || return 0
	kill -TERM -- "-$1" 2>/dev/null
	slowwait 30 group_gone "$1" || kill -KILL -- "-$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
group_alive() { kill -0 -- "-$1" 2>/dev/null; }
group_gone() { ! group_alive "$1"; }
# run_end PID [TIMEOUT]: wait for the run; RC = its exit status (124: it overran and was
# stopped), TEND = when it ended
run_end() {
	if slowwait "${2:-$WAIT}" lr_gone "$1"; then
		wait "$1"; RC=$?
	else
		bad "the run did not end in ${2:-$WAIT}s; stopped"
		stop_group "$1"; RC=124
	fi
	TEND=$(now)
}

# seen GLOB ERE: a file GLOB names has a line matching ERE (GLOB is expanded here: the run
# id is not known in advance; drill paths have no blanks)
seen() { grep -qsE -- "$2" $1; }
seen_or_gone() { seen "$2" "$3" || lr_gone "$1"; }
# until_seen PID GLOB ERE: poll until seen; 1 when the run PID ended first or WAIT passed
until_seen() {
	slowwait "$WAIT" seen_or_gone "$@"
	seen "$2" "$3" && return 0
	bad "no '$3' in $2 (the run $(lr_gone "$1" && echo "ended first" || echo "still runs after ${WAIT}s"))"
	return 1
}
run_dirs() { local d; for d in "$1"/results/*/; do [ -d "$d" ] && echo "${d%/}"; done; }

# leftovers DIR PGID: print what the run left behind, one line each
leftovers() {
	local dir=$1 pg=$2 r p
	# (an exited process not reaped yet is no leftover: its parent was the run)
	for p in $(pgrep -g "$pg"); do
		case $(ps -o stat= -p "$p") in Z*|'') ;; *) echo "process of the run: $(ps -o args= -p "$p")" ;; esac
	done
	pgrep -af "^(qemu-system|tcpdump|dumpcap|ip netns exec|setpriv).*$dir/" | sed 's/^/process: /'
	for r in $(run_dirs "$dir"); do
		ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$LR_NETNS_PREFIX${r##*/}-" |
			sed 's/^/namespace: /'
		find "$r" -name '.*.tmp' -o -name '*.tmp.*' | sed 's/^/temporary: /'
	done
	# the suite makes taps and bridges only inside its namespaces, never here
	ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^(tap[dm]-[sc]|brd|brm)(@|$)/ { print "host link: " $2 }'
}
# nothing_left DIR PGID: a failure for each thing the run left
nothing_left() {
	local l
	while IFS= read -r l; do bad "left behind: $l"; done < <(leftovers "$@")
}

# ---- verdicts ----
# A drill collects its failures with bad, says what it saw with note, and ends with done_drill.
N=0 FAILED=0 T_ALL=$(now)
begin() { DRILL=$1 WHY=() NOTES=() T_DRILL=$(now); log "drill $1"; }
bad() { WHY+=("$*"); }
note() { NOTES+=("$*"); }
check() {	# check MSG CMD...: bad MSG unless CMD succeeds
	local m=$1; shift
	"$@" || bad "$m"
}
done_drill() {
	local s l
	s=$(elapsed "$T_DRILL" "$(now)")
	N=$((N + 1))
	if [ ${#WHY[@]} -eq 0 ]; then
		echo "ok $N - $DRILL (${s}s)${NOTES[0]:+: ${NOTES[*]}}"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $N - $DRILL (${s}s): ${WHY[0]}"
		for l in "${WHY[@]:1}" "${NOTES[@]}"; do echo "# $l"; done
	fi
}

# case_state DIR KERNEL CASE: absent | complete (result and status, a verdict) | partial
case_state() {
	local c r
	c=$(echo "$1"/results/*/"$2/${3//\//-}")
	[ -e "$c" ] || { echo absent; return; }
	r=$c/result
	[ -f "$c/status" ] && [ -n "$(kv "$r" verdict 2>/dev/null)" ] && echo complete || echo partial
}
# the case's final dir (after the run)
case_dir() { echo "$1"/results/*/"$2/${3//\//-}"; }

# ---- the drills ----
# interrupted DIR PGID T_SIGNAL CASE [KEPT]: the checks of every interrupted run: a non-zero
# exit soon after the signal, CASE dropped, KEPT (a case that finished before) kept, nothing left
interrupted() {
	local dir=$1 pg=$2 ts=$3 c=$4 k=${5:-} s st
	s=$(elapsed "$ts" "$TEND")
	note "exit $RC ${s}s after the signal"
	[ "$RC" != 0 ] || bad "the run exited 0 after the signal (${s}s later)"
	awk -v s="$s" 'BEGIN { exit !(s > 60) }' && bad "the run took ${s}s to stop (> 60 s)"
	st=$(case_state "$dir" mainline "$c")
	case $st in
	absent) note "$c dropped (no case dir)" ;;
	complete) note "$c had finished and was kept" ;;
	*) bad "$c half-written: $(case_dir "$dir" mainline "$c")" ;;
	esac
	if [ -n "$k" ]; then
		[ "$(case_state "$dir" mainline "$k")" = complete ] && note "$k kept" ||
			bad "the finished case $k was not kept"
		jq -e --arg k "$k" 'any(.cases[]; .case == $k)' "$dir"/results/*/summary.json \
			>/dev/null 2>&1 || bad "summary.json does not list $k"
	fi
	nothing_left "$dir" "$pg"
}

# drill_prep NAME LOGLINE: make run-all with SIGINT ignored on entry, Ctrl-C at LOGLINE
drill_prep() {
	local dir=$D/$1 ts ign
	begin "$1"
	mkdir -p "$dir/results"
	( trap '' INT; cd "$LR_TOP" &&
	  exec env -u LR_BZIMAGE -u LR_SERVER_IMG -u LR_CLIENT_IMG CASES=baseline KERNELS=mainline \
		JOBS=1 PROFILE=quick LR_RESULTS="$dir/results" make -s run-all ) >"$dir/out" 2>"$dir/err" &
	RPID=$!
	defer "stop_group $RPID"
	slowwait 10 eval "[ \"\$(cat /proc/$RPID/comm 2>/dev/null)\" = make ]"
	ign=$(awk '/^SigIgn:/ { print $2 }' /proc/$RPID/status 2>/dev/null)
	(( 0x${ign:-0} & 2 )) || bad "make did not start with SIGINT ignored (SigIgn ${ign:-?})"
	if until_seen "$RPID" "$dir/err" "$2"; then
		kill -INT -- "-$RPID"; ts=$(now)
		run_end "$RPID"
		interrupted "$dir" "$RPID" "$ts" baseline
		seen "$dir/err" '^==> run ' && bad "the run went on to the cases after the signal"
	fi
	done_drill
}

# drill_signal NAME SIG MOMENT [CASES]: SIG (INT: to the group, as Ctrl-C; TERM: to
# vm/run.sh alone) when the last case of CASES reaches MOMENT (boot|test|teardown)
drill_signal() {
	local name=$1 sig=$2 moment=$3 cases=${4:-baseline} dir=$D/$1 c t ere ts kept=
	c=${cases##* }
	[ "$c" = "$cases" ] || kept=${cases%% *}
	begin "$name"
	run_start "$dir" CASES="$cases"
	t="$dir/results/*/mainline/.${c//\//-}.tmp/console.client"
	case $moment in
	boot) ere='Linux version' ;;
	test) ere="^lr: case $c start" ;;
	teardown) ere="^lr: case $c exit" ;;
	esac
	if until_seen "$RPID" "$t" "$ere"; then
		[ "$moment" = boot ] && seen "$t" '^lr: client mounted' && bad "the client had mounted already"
		if [ "$sig" = INT ]; then kill -INT -- "-$RPID"; else kill -TERM "$RPID"; fi
		ts=$(now)
		run_end "$RPID"
		interrupted "$dir" "$RPID" "$ts" "$c" $kept
	fi
	done_drill
}

# drill_turn: SIGTERM while one lane waits for its turn to boot. Either lane may take
# the first turn (CI's loaded check saw svc-sleep/getlk first): the one whose client
# console is up boots, the other waits in flock with no console of its own.
drill_turn() {
	local dir=$D/term-turn ts r c b= w=
	begin term-turn
	run_start "$dir" JOBS=2 CASES="baseline svc-sleep/getlk"
	r="$dir/results/*/mainline"
	if until_seen "$RPID" "$r/.*.tmp/console.client" 'Linux version' &&
	   slowwait 30 eval "pgrep -g $RPID -x flock >/dev/null"; then
		for c in baseline svc-sleep-getlk; do
			if seen "$r/.$c.tmp/console.client" 'Linux version'; then
				b=$c
			else
				w=$c
			fi
		done
		[ -n "$b" ] && [ -n "$w" ] || bad "not one lane booting and one waiting (booting: ${b:-none})"
		seen "$r/.$b.tmp/console.client" '^lr: client mounted' &&
			bad "$b had mounted already"
		[ -d "$(echo $r/.$w.tmp)" ] || bad "$w had not started"
		[ -z "$(ls $r/.$w.tmp/console.* 2>/dev/null)" ] ||
			bad "$w booted beside $b: $(ls $r/.$w.tmp/console.*)"
		kill -TERM "$RPID"; ts=$(now)
		run_end "$RPID"
		interrupted "$dir" "$RPID" "$ts" "${b/svc-sleep-getlk/svc-sleep/getlk}"
		w=${w/svc-sleep-getlk/svc-sleep/getlk}
		[ "$(case_state "$dir" mainline "$w")" = absent ] &&
			note "$w dropped" || bad "$w left a case dir"
	else
		bad "no lane waiting for its turn while the other booted"
	fi
	done_drill
}

drill_client_killed() {
	local dir=$D/client-killed c q st
	begin client-killed
	run_start "$dir"
	if until_seen "$RPID" "$dir/results/*/mainline/.baseline.tmp/ktap" '^(not )?ok 1 '; then
		q=$(pgrep -f "^qemu-system-x86_64 -name lr-client .*$dir/results/.*/console.client")
		[ -n "$q" ] && kill -KILL $q || bad "no client QEMU to kill"
		run_end "$RPID"
		note "exit $RC"
		[ "$RC" = 1 ] || bad "exit $RC, not 1 (a case failed)"
		c=$(case_dir "$dir" mainline baseline)
		st=$(head -1 "$c/status" 2>/dev/null)
		note "status '$st'"
		case $st in "fail: "*"wrote no status"*) ;; *) bad "status '$st', not the missing status" ;; esac
		check "no client console kept" grep -qs 'lr: case baseline start' "$c/console.client"
		check "no KTAP kept" grep -qsE '^(not )?ok 1 ' "$c/ktap"
		check "no dmesg.client (console) kept" test -s "$c/dmesg.client"
		check "no dmesg.server kept" test -s "$c/dmesg.server"
		check "no capture kept" test -s "$c/capture.pcap"
		nothing_left "$dir" "$RPID"
	fi
	done_drill
}

drill_lockd_hang() {
	local dir=$D/lockd-hang c st r ns
	begin lockd-hang
	run_start "$dir" CASES=svc-sleep/lock LR_CASE_TIMEOUT=50
	if until_seen "$RPID" "$dir/results/*/mainline/.svc-sleep-lock.tmp/console.server" '^lr: server ready'; then
		r=$(run_dirs "$dir" | head -1)
		ns=$LR_NETNS_PREFIX${r##*/}-1
		if ! seen "$dir/results/*/mainline/.svc-sleep-lock.tmp/console.client" '^lr: client mounted'; then
			note "svc-sleep on before the client mounted"
		fi
		"$LR_TOP/vm/net.sh" agent "$ns" server svc-sleep on >"$dir/agent.out" 2>&1 ||
			bad "svc-sleep on through the server agent failed: $(tail -1 "$dir/agent.out")"
		run_end "$RPID"
		note "exit $RC"
		[ "$RC" = 1 ] || bad "exit $RC, not 1 (a case failed)"
		c=$(case_dir "$dir" mainline svc-sleep/lock)
		st=$(head -1 "$c/status" 2>/dev/null)
		note "status '$st'"
		case $st in "fail: "*"failed"*) ;; *) bad "status '$st', not a failed test" ;; esac
		check "no 'not ok 1' in the KTAP" grep -qsE '^not ok 1 ' "$c/ktap"
		check "the KTAP does not say the harness timed the test out" \
			grep -qs 'terminated by timeout' "$c/ktap"
		check "the guest saved no status" test -s "$c/status.guest"
		for r in client server; do
			check "no dmesg.$r from the guest" test -s "$c/dmesg.$r"
			seen "$c/dmesg.$r" '^# lockd-repro: no dmesg' && bad "dmesg.$r is the console, not the guest's"
		done
		check "the server's dmesg does not show lockd stalled (nlmsvc_lock:N, sleep)" \
			grep -qsE 'nlmsvc_lock:[0-9]+, sleep' "$c/dmesg.server"
		nothing_left "$dir" "$RPID"
	fi
	done_drill
}

drill_two_runs() {
	local dir=$D/two-runs a b ra rb r n p rc v
	begin two-runs
	run_start "$dir"; a=$RPID
	run_start "$dir"; b=$RPID
	# both namespaces up at the same time: the runs really overlapped
	if slowwait "$WAIT" both_up "$dir" "$a" "$b"; then note "both namespaces up together"
	else bad "the two runs' namespaces were never up together"; fi
	run_end "$a"; ra=$RC
	run_end "$b"; rb=$RC
	n=$(run_dirs "$dir" | wc -l)
	[ "$n" = 2 ] || bad "$n run dirs, not 2"
	for p in "$a:$ra" "$b:$rb"; do
		rc=${p#*:} r=$(echo "$dir"/results/*-"${p%%:*}")
		v=$(kv "$r/mainline/baseline/result" verdict 2>/dev/null)
		note "run ${r##*/}: $v, exit $rc"
		case "$v:$rc" in pass:0|fail:1) ;; *) bad "run ${r##*/}: verdict '$v' but exit $rc" ;; esac
		[ "$(jq '.cases | length' "$r/summary.json" 2>/dev/null)" = 1 ] ||
			bad "run ${r##*/}: summary.json does not list exactly its one case"
		nothing_left "$dir" "${p%%:*}"
	done
	done_drill
}
# both_up DIR PID PID: each run's namespace exists
both_up() {
	local p l
	l=$(ip netns list 2>/dev/null | awk '{ print $1 }')
	for p in "$2" "$3"; do printf '%s\n' "$l" | grep -qE "^$LR_NETNS_PREFIX[0-9]{8}T[0-9]{6}Z-$p-" || return 1; done
}

set -- $drills
echo "1..$#"
for d; do
	case $d in
	int-prep-kernel) drill_prep "$d" '^==> kernel mainline: ' ;;
	int-prep-images) drill_prep "$d" '^==> guest images: ' ;;
	int-boot) drill_signal "$d" INT boot ;;
	term-boot) drill_signal "$d" TERM boot ;;
	int-test) drill_signal "$d" INT test ;;
	term-test) drill_signal "$d" TERM test "baseline svc-sleep/lock" ;;
	int-teardown) drill_signal "$d" INT teardown ;;
	term-teardown) drill_signal "$d" TERM teardown ;;
	term-turn) drill_turn ;;
	client-killed) drill_client_killed ;;
	lockd-hang) drill_lockd_hang ;;
	two-runs) drill_two_runs ;;
	esac
done
echo "# drills: $N run, $FAILED failed, $(elapsed "$T_ALL" "$(now)")s in all (results: $D)"
[ "$FAILED" = 0 ]
