#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# explain.sh: what `make explain` runs (README "Explaining a customer's incident").
#
#   scripts/explain.sh [--run] --dmesg FILE [--pcap FILE] [--kernel K] [--nlm-timeout S]
#                      [--server IP] [--hz N] [--dmesg-server FILE]
#       build/host/lr_explain's report; with --run, the `make run` it prints is run
#       (vm/run.sh, one case, one VM pair) and the incident's timeline is set beside the
#       lab's, lane for lane
#   scripts/explain.sh --case RESULTS/<run>/<kernel>/<case>     one case dir of a run
#   scripts/explain.sh --score RESULTS/<run>
#       TAP: every passed case dir of the run classified from its own dmesg.client,
#       dmesg.server and capture (as capture.pcap, as its timeline.txt and as tcpdump
#       text), against the impairment its name says; then "# explain score: K/N". A case
#       whose logs have no "not responding" line (a TEST or UNLOCK alone never stalls on
#       svc-sleep) must come out as none; every other must print this very case as the
#       reproduction.
# Exit: lr_explain's (0 a report, 2 unreadable input); --run: that, then the case's
# (0 passed, 1 failed); --score: 0 when every case scored.
set -u
. "$(dirname "$0")/lib.sh"

bin=$LR_BUILD/host/lr_explain
make -s -C "$LR_TOP/tests" KHDR=/nonexistent "$bin" >&2 || die "cannot build lr_explain (libpcap-dev installed?)"

# the class the suite expects of a case dir: its impairment, or none without a lockd line
expected() {
	local dir=$1 name
	name=$(basename "$dir")
	if ! grep -qs 'not responding' "$dir/dmesg.client" "$dir/dmesg.server"; then
		echo none; return
	fi
	case $name in
	baseline) echo none ;;
	customer-0619) echo "portmap-synack-lost + timed-out-callback" ;;
	soft-callback-*) echo timed-out-callback ;;
	svc-sleep-*|link-down-*|fin-blackhole-*|portmap-synack-lost-*) echo "${name%-*}" ;;
	*) echo "?" ;;
	esac
}

# the nlm_timeout the case ran with (its timings.json), for the model's figures
case_nlm() {
	grep -o '"nlm_timeout": [0-9]*' "$1/timings.json" 2>/dev/null | head -1 | grep -o '[0-9]*$'
}

# classify CASE_DIR CAPTURE: the class lr_explain gives the case dir's logs with CAPTURE
classify() {
	local dir=$1 cap=$2 nlm
	nlm=$(case_nlm "$dir")
	"$bin" --dmesg "$dir/dmesg.client" \
		$( [ -f "$dir/dmesg.server" ] && echo --dmesg-server "$dir/dmesg.server") \
		--pcap "$cap" ${nlm:+--nlm-timeout "$nlm"} 2>&1 |
		sed -n 's/^class: \([^(]*\).*/\1/p' | sed 's/ *$//'
}

# every passed case dir, from each form of its capture: capture.pcap (libpcap), its
# timeline.txt (tshark's packet list, as customers paste Wireshark's) and, with tcpdump
# here, `tcpdump -nn -tttt` of it
score() {
	local run=$1 dir n=0 good=0 scored=0 bad=0 want got name form cap tmp
	[ -d "$run" ] || die "--score: no run directory $run"
	tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' RETURN
	for dir in "$run"/*/*/; do
		dir=${dir%/}
		[ -f "$dir/dmesg.client" ] || continue
		name=$(basename "$(dirname "$dir")")/$(basename "$dir")
		if ! grep -q '^pass' "$dir/status" 2>/dev/null; then
			n=$((n + 1))
			echo "ok $n - $name # SKIP the case did not pass: $(head -c 100 "$dir/status" 2>/dev/null)"
			continue
		fi
		want=$(expected "$dir")
		for form in pcap tshark tcpdump; do
			case $form in
			pcap) cap=$dir/capture.pcap ;;
			tshark) cap=$dir/timeline.txt ;;
			tcpdump) cap=$tmp/tcpdump.txt
				command -v tcpdump >/dev/null &&
					TZ=UTC tcpdump -nn -tttt -r "$dir/capture.pcap" >"$cap" 2>/dev/null ||
					rm -f "$cap" ;;
			esac
			[ -s "$cap" ] || continue
			n=$((n + 1)) scored=$((scored + 1))
			got=$(classify "$dir" "$cap")
			if [ "$got" = "$want" ]; then
				good=$((good + 1))
				echo "ok $n - $name ($form): $got"
			else
				echo "not ok $n - $name ($form): got '$got', expected '$want'"
			fi
		done
		# the reproduction it prints is this very case (the pcap's report)
		[ "$want" = none ] && continue
		n=$((n + 1))
		got=$("$bin" --case "$dir" $(nlm=$(case_nlm "$dir"); echo ${nlm:+--nlm-timeout $nlm}) 2>&1 |
			sed -n 's/^reproduce: make run CASE=\([^ ]*\) .*/\1/p')
		if [ "${got//\//-}" = "$(basename "$dir")" ]; then
			echo "ok $n - $name: reproduce names CASE=$got"
		else
			echo "not ok $n - $name: reproduce names CASE='$got'"; bad=$((bad + 1))
		fi
	done
	echo "1..$n"
	echo "# explain score: $good/$scored (passed case dirs x capture forms) classified as their own impairment"
	[ "$bad" -eq 0 ] || echo "# $bad reproduction command(s) name another case"
	[ "$scored" -gt 0 ] && [ "$good" -eq "$scored" ] && [ "$bad" -eq 0 ]
}

# --run: the printed reproduction, run; then both timelines side by side
run_repro() {
	local report=$1 cmd cas kern patch rc dir lab
	cmd=$(sed -n 's/^reproduce: \(make run .*\)/\1/p' "$report")
	[ -n "$cmd" ] || die "--run: the report names no case to run"
	cas=$(sed -n 's/.* CASE=\([^ ]*\).*/\1/p' <<<"$cmd")
	kern=$(sed -n 's/.* KERNEL=\([^ ]*\).*/\1/p' <<<"$cmd")
	patch=$(sed -n 's/.* PATCHSET=\([^ ]*\).*/\1/p' <<<"$cmd")
	log "explain --run: $cmd"
	PROFILE=customer PATCHSET=${patch:-svc-sleep} "$LR_TOP/vm/run.sh" --kernel "$kern" "$cas" \
		2> >(tee "$LR_BUILD/explain-run.err" >&2); rc=$?
	dir=$(sed -n 's/^results: //p' "$LR_BUILD/explain-run.err" | tail -1)
	[ -d "$dir" ] || die "--run: the case left no results directory (exit $rc)"
	lab=$LR_BUILD/explain-lab.txt
	"$bin" --case "$dir" --nlm-timeout 10 >"$lab" || true
	echo
	echo "side by side: the incident | the lab ($dir, $(head -c 80 "$dir/status"))"
	pr -m -t -w 150 <(sed -n '/^timeline/,/^reproduce/p' "$report" | grep -v '^reproduce') \
		<(sed -n '/^timeline/,/^reproduce/p' "$lab" | grep -v '^reproduce')  | expand
	grep '^class' "$lab" | sed 's/^/lab /'
	return $rc
}

run=0 args=()
while [ $# -gt 0 ]; do
	case $1 in
	--run) run=1 ;;
	--score) [ $# -ge 2 ] || die "--score RUN_DIR"; score "$2"; exit ;;
	*) args+=("$1") ;;
	esac
	shift
done
report=$LR_BUILD/explain-report.txt
mkdir -p "$LR_BUILD"
"$bin" "${args[@]}" >"$report"; rc=$?
cat "$report"
[ $rc -eq 0 ] || exit $rc
[ $run -eq 0 ] || run_repro "$report"
