#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check.sh: what `make check` (and so CI) runs:
#   unit      host unit tests (C on the kselftest harness, shell TAP tests; once each)
#   fuzz      a bounded fuzz smoke of lr_explain's readers (make -C tests fuzz,
#             CHECK_FUZZ_SECONDS, default 30, none to skip); its regression inputs are
#             replayed by unit
#   dryrun    patch --dry-run of every patch set against every kernel source this machine
#             can get
#   kernel-mainline  the one kernel build (cached: a no-op when nothing changed), PATCHSET=
#             mutants (below)
#   rootfs    the guest images
#   cases     every case of vm/cases.list (or CHECK_CASES="…") on mainline, quick profile,
#             in real QEMU guests, CHECK_JOBS (3) pairs at once; then browser: that run's
#             index.html and one timeline.svg in headless chromium (tests/browser/run.sh);
#             explain: lr_explain over that run, every passed case dir classified as its
#             own impairment from each form of its capture ("# explain score")
#   kernel-pair, pair  baseline on a version-mixed pair, CHECK_PAIR (default 5.10/mainline:
#             a 5.10 client, the mainline server; none to skip): the other side's kernel
#             built, each guest booted on its side's kernel, results in 5.10+mainline/
#   drills    the runner's failure drills (tests/drills/run.sh); progress: its live progress
#             on a terminal (tmux) and under CI (tests/progress/run.sh)
#   mutants   a quick subset of the kernel mutants (scripts/mutants.sh, MUTANTS=
#             CHECK_MUTANTS, default "2 3 5", none to skip), CHECK_LANE_JOBS (2) at once
# The steps run in two phases of lanes (the plan below); the TAP is printed and counted in
# the order above once all have ended. SHARD=k/n: cases runs the k-th shard of the cases
# (scripts/shard.sh); kernel-pair, pair, drills, progress and mutants only k=1.
# At the end, on stderr: the time of each step ("time: unit 41s, …; total …s"; steps of
# different lanes overlap, so the total is less than their sum).
# Every step is TAP; the last line counts every ok / not ok line: "N passed, N failed, N skipped"
# (a step whose TAP is short of its plan, or has none, counts one more failed).
# Exit 0 only when nothing failed.
set -u
. "$(dirname "$0")/lib.sh"

CHECK_CASES=${CHECK_CASES:-}	# empty: all of vm/cases.list
logdir=$LR_BUILD/check
rm -rf "$logdir" && mkdir -p "$logdir"
pass=0 fail=0 skip=0 xfail=0
# SHARD=k/n (make check SHARD=…, one CI machine of n): the cases step runs only its shard of
# the cases; the drills and mutants, which run cases of their own, only in shard 1. No other
# step may see SHARD (the drills' and mutants' runs would be sharded too).
check_shard=${SHARD:-}
unset SHARD
[ -z "$check_shard" ] || SHARD=$check_shard KERNELS=mainline CASES=$CHECK_CASES PROFILE=quick \
	"$LR_TOP/scripts/shard.sh" pairs >/dev/null || exit 2
[ -z "$check_shard" ] || [ "${check_shard%%/*}" = 1 ]; first_shard=$?

# count NAME FILE: add the TAP/KTAP results in FILE to the totals, read by the one KTAP
# reader (build/host/lr_ktap through lib.sh lr_ktap; rules in tests/lib/ktap.h): every
# result line, the nested (indented) KTAP subtests too, e.g. the tests of a case beside the
# case's own verdict. XFAIL counts as passed; XPASS (a known bug no longer shows, the table
# is out of date) and errors (Bail out!, garbled lines) as failed, as in the case verdict;
# a stream short of its plan, or without one, adds one failure. 1: FILE has no TAP at all
# (and could be read).
count() {
	local p f s x xp e plan res complete docs why
	read -r p f s x xp e plan res complete docs why < <(lr_ktap "$2")
	[ "$docs" -gt 0 ] || [ "$e" -gt 0 ] || return 1
	pass=$((pass + p + x)) skip=$((skip + s)) fail=$((fail + f + xp + e)) xfail=$((xfail + x))
	[ "$complete" = 1 ] && return 0
	echo "not ok - $1: incomplete TAP: $why"; fail=$((fail + 1))
}

# run_step NAME CMD...: run one step to its files in $logdir: NAME.tap (stdout, TAP),
# NAME.err, NAME.rc (exit status), NAME.time (seconds). Steps of different lanes run at
# once (below); finish_step counts them, in the main shell, in a fixed order.
run_step() {
	local name=$1 t0=$SECONDS rc; shift
	log "check: $name"
	"$@" >"$logdir/$name.tap" 2>"$logdir/$name.err"; rc=$?
	echo $rc >"$logdir/$name.rc"
	echo $((SECONDS - t0)) >"$logdir/$name.time"
	return $rc
}

# finish_step NAME: print the step's TAP and count it; a step that prints no TAP at all
# counts as one test on its exit status. The step has ended (its lane was waited for).
times=()	# the time of every step, printed at the end (the cold breakdown)
finish_step() {
	local name=$1 out=$logdir/$1.tap rc f0=$fail
	rc=$(cat "$logdir/$name.rc" 2>/dev/null || echo 125)
	times+=("$name $(cat "$logdir/$name.time" 2>/dev/null || echo 0)")
	cat "$out" 2>/dev/null
	if count "$name" "$out"; then
		# a runner that failed without a failing test line still failed
		if [ "$rc" -ne 0 ] && [ $fail -eq $f0 ]; then
			echo "not ok - $name exited $rc (see $logdir/$name.err)"; fail=$((fail + 1))
		fi
	elif [ "$rc" -eq 0 ]; then
		echo "ok - $name"; pass=$((pass + 1))
	else
		echo "not ok - $name exited $rc (see $logdir/$name.err)"; fail=$((fail + 1))
		tail -5 "$logdir/$name.err" >&2
	fi
	return "$rc"
}

# lane CMD...: run CMD (run_step calls) in the background; LANE = its pid. An interrupted
# check stops every lane (TERM: vm/run.sh and the drills clean up after themselves).
declare -A LANES=()
lane() { "$@" & LANE=$!; LANES[$LANE]=1; }
lane_wait() { wait "$1"; unset "LANES[$1]"; }
# (a lane is a subshell: its steps are its children and theirs; all get TERM, or a step's
# script waits for its foreground tar or make to end before its own trap runs)
lr_trap_cleanup
defer 'for p in "${!LANES[@]}"; do kill_tree TERM $p; done; wait'

# the one KTAP reader every step is counted with (build/host/lr_ktap): without it, every
# step that prints TAP fails (lib.sh lr_ktap). First and alone: unit and rootfs build in
# tests/ too.
make -s -C "$LR_TOP/tests" host >"$logdir/host.log" 2>&1 ||
	warn "make -C tests host failed (see $logdir/host.log): no TAP can be counted"

# The plan (issue 14: cold, 2 cores, ≤ 12 min). The minutes are the kernel build (CPU) and
# the cases (mostly timers: 3 TCG pairs keep the 2 cores ~40 % busy). So:
#   phase 1, CPU: the mainline build and the guest images, the critical path; beside them
#     at nice 10 (they fill what the build leaves idle, then the VM phase's idle time): the
#     unit tests, the fuzz smoke, the dry runs (mostly downloads).
#   phase 2, VMs: the cases (JOBS pairs) and, beside them, one lane of the runs that need a
#     pair of their own: drills, live progress, the mixed pair, the mutants. Then the
#     run's browser and explain checks.
# One kernel build serves every step: mainline with PATCHSET=mutants = the svc-sleep set
# (svc-sleep.patch, idle-knob.patch) + mutants.patch, whose mutations are all off unless
# the guests boot with sunrpc.lr_mutant=N (only scripts/mutants.sh does). The cases, drills
# and progress run it with the switch off; `make run-all` still builds PATCHSET=svc-sleep.
# A second build of ~200-450 s cold is what this saves.
# It is given to the build and, exported below, to the VM phase's steps, not to the unit,
# fuzz and dry-run lanes: their tests use the caller's or their own.
check_set=${CHECK_PATCHSET:-mutants}
lane run_step kernel-mainline env PATCHSET="$check_set" "$LR_TOP/scripts/kernel.sh" build mainline
k_lane=$LANE
lane run_step rootfs "$LR_TOP/rootfs/build.sh"; r_lane=$LANE
# the C unit tests and tests/unit/*.sh (the tests Makefile runs both)
lane run_step unit nice -n 10 make -s -C "$LR_TOP/tests" unit; u_lane=$LANE
# lr_explain's readers under libFuzzer for a bounded time (a crash is kept in
# tests/explain/regress/ and fails this step)
f_lane=
[ "${CHECK_FUZZ_SECONDS:-30}" = none ] || {
	lane run_step fuzz nice -n 10 make -s -C "$LR_TOP/tests" KHDR=/nonexistent fuzz \
		FUZZ_SECONDS="${CHECK_FUZZ_SECONDS:-30}"; f_lane=$LANE; }
lane run_step dryrun nice -n 10 "$LR_TOP/scripts/kernel.sh" dryrun; d_lane=$LANE
# The mixed pair (issue 16): baseline on CHECK_PAIR (client/server; none to skip), by
# default a 5.10 client against the mainline server, whose NLM TEST answer is wrong (the
# known-bug table decides from the server's version: XFAIL). Mainline is the check's build;
# the other side is built with the svc-sleep set at nice 19: kernel.sh builds one kernel
# at a time, so it starts when mainline's ends and takes what the cases leave idle.
export PATCHSET=$check_set
CHECK_PAIR=${CHECK_PAIR:-5.10/mainline}
side_set() { [ "$1" = mainline ] && echo "$PATCHSET" || echo svc-sleep; }
p_lane=
if [ $first_shard = 0 ] && [ "$CHECK_PAIR" != none ]; then
	pair_build() {
		local n
		for n in $(printf '%s\n' "${CHECK_PAIR%/*}" "${CHECK_PAIR#*/}" | grep -vx mainline | sort -u); do
			PATCHSET=svc-sleep nice -n 19 "$LR_TOP/scripts/kernel.sh" build "$n" || return
		done
	}
	lane run_step kernel-pair pair_build; p_lane=$LANE
fi
lane_wait $k_lane; k_rc=$?
lane_wait $r_lane; r_rc=$?

# phase 2: the second lane (drills, progress, mutants, the mixed pair: all only in shard 1
# of SHARD=k/n), then the cases in this shell's own lane
vm_lane() {
	if [ $first_shard = 0 ]; then
		# the runner's failure drills: a killed client, a hung lockd, Ctrl-C and SIGTERM at
		# each phase, two runs at once; each also checks that nothing of its run is left
		run_step drills "$LR_TOP/tests/drills/run.sh"
		# what a person watching sees: the live status area in a tmux pane, the plain
		# lines and heartbeat under CI (one short case each, ~1 min)
		run_step progress "$LR_TOP/tests/progress/run.sh"
	fi
	# the tests have teeth: the unmutated PATCHSET=mutants kernel passes these mutants'
	# cases, and each mutant fails one (tests/mutants.list; `make mutants` runs them all)
	[ $first_shard != 0 ] || [ "${CHECK_MUTANTS:-}" = none ] ||
		run_step mutants env MUTANTS="${CHECK_MUTANTS:-2 3 5}" KERNEL=mainline PROFILE=quick \
			JOBS="${CHECK_LANE_JOBS:-2}" "$LR_TOP/scripts/mutants.sh" --tap
	# the mixed pair, once its other kernel is built (the kernel-pair lane)
	if [ $first_shard = 0 ] && [ "$CHECK_PAIR" != none ]; then
		slowwait 7200 test -f "$logdir/kernel-pair.rc"
		run_step pair env KERNELS="$CHECK_PAIR" CLIENT_PATCHSET="$(side_set "${CHECK_PAIR%/*}")" \
			SERVER_PATCHSET="$(side_set "${CHECK_PAIR#*/}")" CASES=baseline PROFILE=quick JOBS=1 \
			"$LR_TOP/vm/run.sh" --all --tap
	fi
}
run=
if [ "$k_rc" = 0 ] && [ "$r_rc" = 0 ]; then
	lane vm_lane; v_lane=$LANE
	# one run, cases in parallel (each its own namespace and VM pair; they wait on timers)
	# SHARD=k/n (make check SHARD=…) runs only that shard of the cases
	run_step cases env KERNELS=mainline CASES="$CHECK_CASES" PROFILE=quick JOBS="${CHECK_JOBS:-3}" \
		SHARD="$check_shard" "$LR_TOP/vm/run.sh" --all --tap
	# the run's dir, from the runner's closing "summary:" line (none: both steps fail on it)
	run=$(sed -n 's|.*summary: \(.*\)/summary\.md$|\1|p' "$logdir/cases.err" | tail -1)
	# that run's index.html and one timeline.svg in headless chromium
	run_step browser "$LR_TOP/tests/browser/run.sh" "${run:-no run from the cases step}"
	# the customer-evidence reader on the cases' own evidence
	[ -z "$run" ] || run_step explain "$LR_TOP/scripts/explain.sh" --score "$run"
	lane_wait $v_lane
fi
for l in $u_lane $f_lane $d_lane $p_lane; do lane_wait $l; done

# the counts, in the order of the plan
finish_step unit
[ "${CHECK_FUZZ_SECONDS:-30}" = none ] || finish_step fuzz
finish_step dryrun
finish_step kernel-mainline
finish_step rootfs
if [ "$k_rc" = 0 ] && [ "$r_rc" = 0 ]; then
	finish_step cases
	finish_step browser
	if [ -n "$run" ]; then
		finish_step explain
	else
		echo "not ok - explain: the cases step named no run"; fail=$((fail + 1))
	fi
	if [ $first_shard != 0 ]; then
		echo "ok - kernel-pair, pair, drills, progress and mutants # SKIP shard $check_shard: they run in shard 1"
		skip=$((skip + 1))
	else
		[ "$CHECK_PAIR" = none ] || { finish_step kernel-pair; finish_step pair; }
		finish_step drills
		finish_step progress
		[ "${CHECK_MUTANTS:-}" = none ] || finish_step mutants
	fi
else
	echo "not ok - cases not run: no kernel or no guest images"; fail=$((fail + 1))
fi

echo "logs: $logdir" >&2
# the footprint (issue 18; make cache lists the entries)
echo "cache: $(numfmt --to=iec --suffix=B "$("$LR_TOP/scripts/cache.sh" size)") kept in $LR_CACHE," \
	"$(numfmt --to=iec --suffix=B "$("$LR_TOP/scripts/cache.sh" downloaded)") downloaded into it" >&2
# the breakdown, on stderr so that the TAP and the last line stay as they were
{ printf 'time:'; printf ' %ss,' "${times[@]}"; echo " total ${SECONDS}s"; } | sed 's/, total/; total/' >&2
# XFAIL: an expected failure (a known kernel bug reproduced, tests/lib/known_bugs.c, or a
# harness self-test that must time out); it counts as passed
[ $xfail -eq 0 ] || echo "($xfail of the passed are expected failures, XFAIL: grep XFAIL $logdir/*.tap)"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
