#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check.sh: what `make check` (and so CI) runs, in order of cost:
#   1 host unit tests (C on the kselftest harness, shell TAP tests; once each)
#   1b a bounded fuzz smoke of lr_explain's readers (make -C tests fuzz, CHECK_FUZZ_SECONDS,
#     default 30, none to skip); its regression inputs are replayed by step 1
#   2 patch --dry-run of every patch set against every kernel source this machine can get
#   3 a build of mainline (cached: a no-op when nothing changed)
#   4 the guest images
#   5 the cases on mainline, quick profile, in real QEMU guests: every case of vm/cases.list,
#     or CHECK_CASES="…"; then that run's index.html and one timeline.svg opened in headless
#     chromium (tests/browser/run.sh)
#   5a one pair: baseline with the client's and the server's kernel resolved, booted and
#     named apart (KERNELS=mainline/7.3: two names of one cached build, results in
#     mainline+7.3/; a 5.10/mainline pair would cost a 5.10 build, 5-7 min cold)
#   5b lr_explain over the run step 5 just made: every passed case dir classified as its own
#     impairment, from each form of its capture (scripts/explain.sh --score, "# explain score")
#   6 the runner's failure drills (tests/drills/run.sh, a few minutes), then its live progress
#     on a terminal (tmux) and under CI (tests/progress/run.sh, ~1 min)
#   7 a quick subset of the kernel mutants (scripts/mutants.sh, MUTANTS=CHECK_MUTANTS,
#     default "2 3 5", none to skip; ~2-3 min, plus one more cached kernel build)
# SHARD=k/n: step 5 runs the k-th shard of the cases (scripts/shard.sh); 6 and 7 only k=1.
# At the end, on stderr: the time of each step ("time: unit 41s, …; total …s").
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

# step NAME CMD...: run one step; its stdout (TAP) is counted, stderr kept in the log.
# A step that prints no TAP at all counts as one test on its exit status.
# the time of every step, printed at the end (the cold breakdown: where the minutes go)
times=()
step() {
	local name=$1 out=$logdir/$1.tap rc f0=$fail t0=$SECONDS; shift
	log "check: $name"
	"$@" >"$out" 2>"$logdir/$name.err"; rc=$?
	times+=("$name $((SECONDS - t0))")
	cat "$out"
	if count "$name" "$out"; then
		# a runner that failed without a failing test line still failed
		if [ $rc -ne 0 ] && [ $fail -eq $f0 ]; then
			echo "not ok - $name exited $rc (see $logdir/$name.err)"; fail=$((fail + 1))
		fi
	elif [ $rc -eq 0 ]; then
		echo "ok - $name"; pass=$((pass + 1))
	else
		echo "not ok - $name exited $rc (see $logdir/$name.err)"; fail=$((fail + 1))
		tail -5 "$logdir/$name.err" >&2
	fi
	return $rc
}

# the one KTAP reader every step is counted with (build/host/lr_ktap): without it, every
# step that prints TAP fails (lib.sh lr_ktap)
make -s -C "$LR_TOP/tests" host >"$logdir/host.log" 2>&1 ||
	warn "make -C tests host failed (see $logdir/host.log): no TAP can be counted"
# the C unit tests and tests/unit/*.sh (the tests Makefile runs both)
step unit make -s -C "$LR_TOP/tests" unit
# lr_explain's readers under libFuzzer for a bounded time (a crash is kept in
# tests/explain/regress/ and fails this step)
[ "${CHECK_FUZZ_SECONDS:-30}" = none ] ||
	step fuzz make -s -C "$LR_TOP/tests" KHDR=/nonexistent fuzz FUZZ_SECONDS="${CHECK_FUZZ_SECONDS:-30}"
step dryrun "$LR_TOP/scripts/kernel.sh" dryrun
if step kernel-mainline "$LR_TOP/scripts/kernel.sh" build mainline &&
   step rootfs "$LR_TOP/rootfs/build.sh"; then
	# one run, cases in parallel (each its own namespace and VM pair; they wait on timers)
	# SHARD=k/n (make check SHARD=…) runs only that shard of the cases
	step cases env KERNELS=mainline CASES="$CHECK_CASES" PROFILE=quick JOBS="${CHECK_JOBS:-3}" SHARD="$check_shard" \
		"$LR_TOP/vm/run.sh" --all --tap
	# the run's dir, from the runner's closing "summary:" line (none: both steps fail on it)
	run=$(sed -n 's|.*summary: \(.*\)/summary\.md$|\1|p' "$logdir/cases.err" | tail -1)
	# a pair: each guest on its side's kernel, results under <client>+<server>/
	step pair env KERNELS=mainline/7.3 CASES=baseline PROFILE=quick "$LR_TOP/vm/run.sh" --all --tap
	# that run's index.html and one timeline.svg in headless chromium
	step browser "$LR_TOP/tests/browser/run.sh" "${run:-no run from the cases step}"
	# the customer-evidence reader on the cases' own evidence
	if [ -n "$run" ]; then
		step explain "$LR_TOP/scripts/explain.sh" --score "$run"
	else
		echo "not ok - explain: the cases step named no run"; fail=$((fail + 1))
	fi
	# the runner's failure drills: a killed client, a hung lockd, Ctrl-C and SIGTERM at
	# each phase, two runs at once; each also checks that nothing of its run is left
	if [ $first_shard != 0 ]; then
		echo "ok - drills, progress and mutants # SKIP shard $check_shard: they run in shard 1"
		skip=$((skip + 1))
	else
		step drills "$LR_TOP/tests/drills/run.sh"
		# what a person watching sees: the live status area in a tmux pane, the plain
		# lines and heartbeat under CI (one short case each, ~1 min)
		step progress "$LR_TOP/tests/progress/run.sh"
		# the tests have teeth: the unmutated PATCHSET=mutants kernel passes these mutants'
		# cases, and each mutant fails one (tests/mutants.list; `make mutants` runs them all)
		[ "${CHECK_MUTANTS:-}" = none ] ||
			step mutants env MUTANTS="${CHECK_MUTANTS:-2 3 5}" KERNEL=mainline PROFILE=quick \
				JOBS="${CHECK_JOBS:-3}" "$LR_TOP/scripts/mutants.sh" --tap
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
