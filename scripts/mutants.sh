#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mutants.sh: do the tests catch regressions? (issue 11, `make mutants`)
#
#   scripts/mutants.sh [--tap]
#
# kernel-patches/7.3/mutants.patch (PATCHSET=mutants, mainline only) carries deliberate
# regressions of lockd/sunrpc, one switched on at a time by the kernel argument
# sunrpc.lr_mutant=N; tests/mutants.list names, for each, the cases that must catch it.
# This script builds that kernel, runs mutant 0 (no mutation) over the union of the
# selected mutants' cases (they must all pass: otherwise the score means nothing), then
# each mutant over its own cases, and prints a table (mutant, cases, killed/survived, the
# first failing assertion of its cases' KTAP) and "mutation score: K/N killed". A mutant
# is killed when at least one of its cases fails (XFAIL and SKIP are not failures).
#
# Environment:
#   KERNEL=mainline     the kernel (a line whose series has "mutants": 7.2, 7.3, mainline)
#   PROFILE=quick       timing profile of the cases
#   MUTANTS="4 six…"    numbers or names from tests/mutants.list; default: every "quick"
#                       one; "all": quick and slow (slow ones need fin-blackhole/lock, ~4 min quick)
#   JOBS=3              cases at once, counted over every mutant running at that moment
#                       (each mutant is one vm/run.sh --all; several run side by side)
# Results: results/mutants-<UTC>-<pid>/: m<N>/<run-id>/ (vm/run.sh's results of mutant N),
# table.txt. --tap: one TAP line per mutant on stdout (mutant 0: its cases passed; N:
# killed), the table on stderr (scripts/check.sh). Exit: 0 every mutant killed, 1 a
# survivor or a failure of mutant 0, 2 the suite could not run.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KERNEL=${KERNEL:-mainline}
PROFILE=${PROFILE:-quick}
JOBS=${JOBS:-3}
MUTANTS=${MUTANTS:-}
LIST=$LR_TOP/tests/mutants.list
tap=0
case "${1:-}" in
--tap) tap=1 ;;
'') ;;
*) die "usage: scripts/mutants.sh [--tap] (KERNEL= PROFILE= MUTANTS= JOBS=)" ;;
esac
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive number, not '$JOBS'"
[ -f "$LIST" ] || die "$LIST missing"
export PROFILE

# ---- the table: mutants.list -> arrays by number ----
declare -A M_NAME M_SET M_CASES M_WHY
ALL=()
while IFS=$'\t' read -r n name set cases why; do
	[[ "$n" =~ ^[0-9]+$ ]] || continue
	M_NAME[$n]=$name M_SET[$n]=$set M_CASES[$n]=${cases//,/ } M_WHY[$n]=$why
	ALL+=("$n")
done < <(sed -e '/^#/d' -e '/^[[:space:]]*$/d' -e 's/\t\t*/\t/g' "$LIST")
[ ${#ALL[@]} -gt 0 ] || die "no mutant in $LIST"

SEL=()
if [ -z "$MUTANTS" ]; then
	for n in "${ALL[@]}"; do [ "${M_SET[$n]}" = quick ] && SEL+=("$n"); done
elif [ "$MUTANTS" = all ]; then
	SEL=("${ALL[@]}")
else
	for w in $MUTANTS; do
		f=
		for n in "${ALL[@]}"; do
			[ "$w" = "$n" ] || [ "$w" = "${M_NAME[$n]}" ] && f=$n
		done
		[ -n "$f" ] || die "MUTANTS: no mutant '$w' in tests/mutants.list"
		SEL+=("$f")
	done
fi
UNION=$(for n in "${SEL[@]}"; do printf '%s\n' ${M_CASES[$n]}; done | awk '!s[$0]++' | paste -sd' ')

# ---- the kernel and the images, once: every run below uses the same ones ----
T0=$(date +%s)
BASE=${LR_RESULTS:-$LR_TOP/results}/mutants-$(date -u +%Y%m%dT%H%M%SZ)-$$
mkdir -p "$BASE" || die "cannot create $BASE"
log "mutants: ${#SEL[@]} mutant(s) (${SEL[*]}) on $KERNEL, profile $PROFILE, $JOBS case(s) at a time; $BASE"
log "mutants: building $KERNEL with PATCHSET=mutants"
PATCHSET=mutants "$LR_TOP/scripts/kernel.sh" build "$KERNEL" >"$BASE/kernel.txt" 2>"$BASE/kernel.err" ||
	die "PATCHSET=mutants scripts/kernel.sh build $KERNEL failed: $(tail -1 "$BASE/kernel.err")"
grep -q SKIP "$BASE/kernel.txt" && die "kernel $KERNEL: $(cat "$BASE/kernel.txt")"
cat "$BASE/kernel.txt" >&2
"$LR_TOP/rootfs/build.sh" --print-paths >"$BASE/images.txt" 2>"$BASE/images.err" ||
	die "rootfs/build.sh failed: $(tail -1 "$BASE/images.err")"
# a copy: the tests are edited while this runs; every mutant must meet the same binaries
mkdir -p "$BASE/images"
for r in server client; do
	f=$(sed -n "s/^$r=//p" "$BASE/images.txt")
	[ -f "$f" ] || die "rootfs/build.sh printed no $r image"
	cp "$f" "$BASE/images/$r.cpio"
done
export LR_SERVER_IMG=$BASE/images/server.cpio LR_CLIENT_IMG=$BASE/images/client.cpio

# ---- one mutant: vm/run.sh --all over its cases, in the background ----
start_mutant() {	# start_mutant N CASES... (sets LAST_PID)
	local n=$1 j; shift
	j=$#; [ "$j" -le "$JOBS" ] || j=$JOBS
	mkdir -p "$BASE/m$n"
	LR_RESULTS=$BASE/m$n LR_KERNEL_ARGS="sunrpc.lr_mutant=$n" KERNELS=$KERNEL CASES="$*" \
		PATCHSET=mutants JOBS=$j "$LR_TOP/vm/run.sh" --all >"$BASE/m$n/run.out" 2>"$BASE/m$n/run.err" &
	LAST_PID=$!
}

# first_failure KTAP: the first failed assertion, one line: the model's "OUT OF WINDOW"
# line when the failed check is a window, else the harness's "Expected" line and its message
first_failure() {
	awk '
		function clean(s) { sub(/^# /, "", s); gsub(/[ \t]+/, " ", s); return s }
		/:Expected / {
			for (i = 1; i <= 3; i++)
				if (back[i] ~ /OUT OF WINDOW/) { print clean(back[i]); done = 1; exit }
			e = clean($0)
			split(e, a, ":"); want = a[1] ":" a[2] ":"
			if ((getline nxt) > 0 && index(clean(nxt), want) == 1) {
				sub(/^[^:]*:[0-9]+:[^:]*:/, "", nxt); e = e " -- " clean(nxt)
			}
			print e; done = 1; exit
		}
		# no assertion failed: the line that says why (e.g. "Test terminated by timeout")
		/^not ok / && nok == "" {
			for (i = 1; i <= 3; i++) if (back[i] !~ /^# *(FAIL|ok|not ok)/) break
			nok = (i <= 3 ? clean(back[i]) " -- " : "") $0
		}
		{ back[3] = back[2]; back[2] = back[1]; back[1] = $0 }
		END { if (!done && nok != "") print nok }
	' "$1" 2>/dev/null
}

# judge N: verdict of mutant N from its results: sets J_STATE (killed|survived|passed|
# failed|error), J_WHY (the first failure, or why nothing could be judged), J_CASES
# (case=verdict list)
judge() {
	local n=$1 c d r v ff run on=1
	J_STATE= J_WHY= J_CASES=
	run=$(ls -d "$BASE/m$n"/*/ 2>/dev/null | head -1)
	local nfail=0 npass=0 nother=0
	for c in ${M_CASES[$n]:-$UNION}; do
		d=${run%/}/$KERNEL/${c//\//-}
		r=$d/result
		v=$(sed -n 's/^verdict=//p' "$r" 2>/dev/null | head -1)
		[ -n "$v" ] || v=missing
		J_CASES+="$c=$v "
		case $v in
		pass) npass=$((npass + 1)) ;;
		fail)
			nfail=$((nfail + 1))
			if [ -z "$J_WHY" ]; then
				ff=$(first_failure "$d/ktap")
				[ -n "$ff" ] || ff=$(sed -n 's/^reason=//p' "$r" | head -1)
				J_WHY="$c: $ff"
			fi
			;;
		*) nother=$((nother + 1)) ;;
		esac
		# the switch reached the guest kernel: it says so at boot
		if [ "$n" != 0 ] && [ "$v" != missing ] &&
		   ! grep -qs "lockd-repro mutant $n on" "$d/dmesg.client" "$d/console.client"; then
			on=0
		fi
	done
	J_CASES=${J_CASES% }
	if [ -z "$run" ] || [ $nother -gt 0 ]; then
		J_STATE=error
		J_WHY="no verdict for every case (skipped or not run): see $BASE/m$n/run.err"
	elif [ $on = 0 ]; then
		J_STATE=error J_WHY="the client kernel never said 'lockd-repro mutant $n on'"
	elif [ "$n" = 0 ]; then
		[ $nfail = 0 ] && J_STATE=passed || J_STATE=failed
	elif [ $nfail -gt 0 ]; then
		J_STATE=killed
	else
		J_STATE=survived J_WHY="every case passed"
	fi
}

# ---- mutant 0 first, alone: the unmutated kernel must pass every case ----
# (cleanup: an interrupted run stops its vm/run.sh children, which clean up after themselves)
declare -A RUNNING=()
lr_trap_cleanup
defer 'for p in "${!RUNNING[@]}"; do kill -TERM $p 2>/dev/null; done; wait'
declare -A STATE WHY CASESV DUR
t=$(date +%s)
log "mutants: mutant 0 (no mutation) over $UNION"
M_CASES[0]=$UNION M_NAME[0]=none
start_mutant 0 $UNION
RUNNING[$LAST_PID]=0
wait "$LAST_PID"
unset "RUNNING[$LAST_PID]"
judge 0
STATE[0]=$J_STATE WHY[0]=$J_WHY CASESV[0]=$J_CASES DUR[0]=$(($(date +%s) - t))
log "mutants: mutant 0: $J_STATE (${DUR[0]} s) $J_CASES"

# ---- then the mutants, JOBS cases at a time over all of them ----
declare -A STARTED
if [ "${STATE[0]}" = passed ]; then
	used=0
	declare -A NEED
	finish_one() {	# wait for one running mutant and judge it
		local p n
		wait -n -p p "${!RUNNING[@]}"
		[ -n "${p:-}" ] || return
		n=${RUNNING[$p]}
		unset "RUNNING[$p]"
		used=$((used - NEED[$n]))
		judge "$n"
		STATE[$n]=$J_STATE WHY[$n]=$J_WHY CASESV[$n]=$J_CASES DUR[$n]=$(($(date +%s) - STARTED[$n]))
		log "mutants: mutant $n ${M_NAME[$n]}: $J_STATE (${DUR[$n]} s)${J_WHY:+: $J_WHY}"
	}
	for n in "${SEL[@]}"; do
		set -- ${M_CASES[$n]}
		NEED[$n]=$#
		[ "${NEED[$n]}" -le "$JOBS" ] || NEED[$n]=$JOBS
		while [ ${#RUNNING[@]} -gt 0 ] && [ $((used + NEED[$n])) -gt "$JOBS" ]; do finish_one; done
		log "mutants: mutant $n ${M_NAME[$n]} (sunrpc.lr_mutant=$n) over ${M_CASES[$n]}"
		STARTED[$n]=$(date +%s)
		start_mutant "$n" ${M_CASES[$n]}
		RUNNING[$LAST_PID]=$n
		used=$((used + NEED[$n]))
	done
	while [ ${#RUNNING[@]} -gt 0 ]; do finish_one; done
fi

# ---- the table ----
killed=0 total=0 rc=0
table() {
	printf '%-3s %-24s %-28s %-9s %s\n' N mutant cases result "first failing assertion"
	printf '%-3s %-24s %-28s %-9s %s\n' 0 none "$(set -- $UNION; echo "$# cases")" "${STATE[0]}" \
		"${WHY[0]:-${CASESV[0]}}"
	for n in "${SEL[@]}"; do
		printf '%-3s %-24s %-28s %-9s %s\n' "$n" "${M_NAME[$n]}" "${M_CASES[$n]// /,}" \
			"${STATE[$n]:-not run}" "${WHY[$n]:-}"
	done
}
for n in "${SEL[@]}"; do
	total=$((total + 1))
	[ "${STATE[$n]:-}" = killed ] && killed=$((killed + 1))
done
{
	table
	echo
	if [ "${STATE[0]}" != passed ]; then
		echo "mutant 0 (no mutation) did not pass its cases (${STATE[0]}): the mutants were not run, a score would mean nothing"
	fi
	echo "mutation score: $killed/$total killed"
	echo "time: $(( ($(date +%s) - T0) / 60 )) min $(( ($(date +%s) - T0) % 60 )) s; results: $BASE"
} >"$BASE/table.txt"
if [ $tap = 1 ]; then
	cat "$BASE/table.txt" >&2
	i=1
	if [ "${STATE[0]}" = passed ]; then echo "ok $i - mutant 0 (no mutation): $UNION passed"
	else echo "not ok $i - mutant 0 (no mutation): ${STATE[0]}: ${WHY[0]:-${CASESV[0]}}"; fi
	for n in "${SEL[@]}"; do
		i=$((i + 1))
		if [ "${STATE[0]}" != passed ]; then echo "ok $i - mutant $n ${M_NAME[$n]} # SKIP not run: mutant 0 did not pass"
		elif [ "${STATE[$n]:-}" = killed ]; then echo "ok $i - mutant $n ${M_NAME[$n]} killed by ${WHY[$n]%%:*}"
		else echo "not ok $i - mutant $n ${M_NAME[$n]} ${STATE[$n]:-not run}${WHY[$n]:+: ${WHY[$n]}}"; fi
	done
	echo "1..$i"
else
	cat "$BASE/table.txt"
fi

case ${STATE[0]} in passed) ;; failed) rc=1 ;; *) rc=2 ;; esac
[ $rc = 0 ] || exit $rc
for n in "${SEL[@]}"; do
	case ${STATE[$n]:-} in
	killed) ;;
	survived | failed) [ $rc = 2 ] || rc=1 ;;
	*) rc=2 ;;
	esac
done
exit $rc
