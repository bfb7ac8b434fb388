#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# summary.sh RUN_DIR [FINAL_DIR]: rewrite a run's summary.md, summary.json, junit.xml, the
# version sweep (several kernels) and index.html from its finished cases' result files and
# its versions file. vm/run.sh calls it after each case (under the run's flock); make merge
# calls it once on the merged run, so one writer makes both. FINAL_DIR: the name the run
# will have once renamed into place (merge builds it under a temporary name): the case dirs
# in summary.json name it. Every file is written atomically.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: scripts/summary.sh RUN_DIR [FINAL_DIR]"
RUN_DIR=${1%/}
final=${2:-$RUN_DIR}
[ -f "$RUN_DIR/versions" ] || die "$RUN_DIR is not a run (no versions)"
need_cmd jq
RUN_ID=$(kv "$RUN_DIR/versions" run_id)
PROFILE=$(kv "$RUN_DIR/versions" profile)
shopt -s nullglob
results=("$RUN_DIR"/*/*/result)

# Every result file read once, into V["<result>|<key>"] (the first line of a key wins, as
# kv's) and its time_* keys into TIMES[<result>]. This runs after each case beside the TCG
# guests: a kv per field was ~50 forks of sed and head a case, 27 s (30 s of CPU) for a run
# of 18 cases on the slow machine, and again after every case.
declare -A V=() TIMES=()
for r in "${results[@]}"; do
	while IFS= read -r l; do
		[[ $l == *=* ]] || continue
		k=${l%%=*}
		[ -n "${V[$r|$k]+set}" ] && continue
		V[$r|$k]=${l#*=}
		[[ $k == time_*_s ]] && { k=${k#time_}; TIMES[$r]+="${k%_s}=${l#*=}"$'\n'; }
	done <"$r"
done

# (the replacements quoted: bash 5.2's patsub_replacement reads an unquoted & in them as
# the matched text, which made "<" "<lt;")
xml_str() { local s=${1//&/"&amp;"}; s=${s//</"&lt;"}; s=${s//>/"&gt;"}; printf '%s' "${s//\"/"&quot;"}"; }

# cache_json: the footprint (issue 18), the kernel cache now and what was ever fetched
# into it; measured once, at the run's last summary (.times is there: du is slow), null
# before
cache_json() {
	[ -f "$RUN_DIR/.times" ] || { echo null; return; }
	jq -n --arg dir "$LR_CACHE" --arg b "$("$LR_TOP/scripts/cache.sh" size)" \
		--arg d "$("$LR_TOP/scripts/cache.sh" downloaded)" \
		'{dir: $dir, bytes: ($b | tonumber? // null), downloaded_bytes: ($d | tonumber? // null)}'
}
# time_table: where each case's time went (time_breakdown), and the run's own figures
# (.times: the parent's build/images/cases/total), as a markdown section
time_table() {
	local r t=
	for r in "${results[@]}"; do [ -n "${V[$r|time_overhead_s]+set}" ] && t=1; done
	[ -n "$t" ] || return 0
	echo; echo "## Time (s)"; echo
	echo "Per case, host seconds: boot = QEMU start to the client's mount; setup, scenario and"
	echo "teardown measured by the client (tests/lib/phase.h: the scenario runs from the"
	echo "impairment going on to the teardown, the protocol's own waiting) and scaled by the"
	echo "guest clock's rate against the host's (TCG on a loaded host runs it slow: 'clock');"
	echo "host = the rest, on the host: (prep + after) are its measured parts, the namespace and"
	echo "capture before the guests start and, once the client's QEMU has gone, the server's"
	echo "power-off, the capture's end and its decoded timeline; overhead = duration - scenario."; echo
	echo "| kernel | case | duration | boot | setup | scenario | teardown | host | overhead | clock |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for r in "${results[@]}"; do
		printf '| %s | %s | %s | %s | %s | %s | %s | ' "${V[$r|kernel]:-}" "${V[$r|case]:-}" \
			"${V[$r|duration_s]:-}" "${V[$r|time_boot_s]:-}" "${V[$r|time_setup_s]:-}" \
			"${V[$r|time_scenario_s]:-}" "${V[$r|time_teardown_s]:-}"
		host_cell "$r"
		printf ' | %s | %s |\n' "${V[$r|time_overhead_s]:-}" "${V[$r|time_clock_rate]:-}"
	done
	[ -n "$overhead" ] && { set -- $overhead
		echo; echo "overhead: median $2 s, max $3 s ($1 cases)"; }
	[ -f "$RUN_DIR/.times" ] && { echo; echo "Run: $(sed 's/_s=/ /; s/$/ s/' "$RUN_DIR/.times" | paste -sd ';' | sed 's/;/; /g')."; }
	return 0
}

# host_cell RESULT: "host (prep+after)", the parts when the case measured them
host_cell() {
	local p=${V[$1|prep_host_s]:-} a=${V[$1|after_done_host_s]:-}
	printf '%s%s' "${V[$1|time_host_s]:-}" "${p:+${a:+ ($p+$a)}}"
}

# stats KEY: "count median max" of KEY over the finished cases' result files; empty if none
stats() {
	local r
	for r in "${results[@]}"; do printf '%s\n' "${V[$r|$1]:-}"; done | grep -E '^[0-9.]+$' | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) exit
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%d %.2f %.2f\n", NR, m, v[NR] }'
}
# boot: QEMU start to "client mounted" of every pair that mounted; overhead: each case's
# duration - its scenario (vm/run.sh time_breakdown)
boot=$(stats pair_start_to_mounted_s)
overhead=$(stats time_overhead_s)
# the lanes' turns at booting: each case's wait before it started (vm/run.sh boot_slot_take)
bwait=$(stats boot_wait_host_s)
jobs=$(kv "$RUN_DIR/versions" jobs 2>/dev/null)
shard=$(kv "$RUN_DIR/versions" shard 2>/dev/null)
merged=$(kv "$RUN_DIR/versions" merged_from 2>/dev/null)
{
	echo "# lockd-repro run $RUN_ID"; echo
	echo -n "profile: $PROFILE."
	[ -n "$shard" ] && echo -n " Shard $shard of the kernel × case list."
	[ -n "$merged" ] && echo -n " Merged from the shard runs $merged."
	echo " Verdicts per kernel × case; counts from the case's KTAP."; echo
	echo "| kernel | case | verdict | pass | fail | skip | start→mounted (s) | reason |"
	echo "|---|---|---|---|---|---|---|---|"
	for r in "${results[@]}"; do
		l=${V[$r|reason]:-}
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${V[$r|kernel]:-}" \
			"${V[$r|case]:-}" "${V[$r|verdict]:-}" "${V[$r|pass]:-}" "${V[$r|fail]:-}" \
			"${V[$r|skip]:-}" "${V[$r|pair_start_to_mounted_s]:-}" "${l//|/\\|}"
	done
	if [ -n "$boot" ]; then
		set -- $boot
		echo
		echo "Boot, QEMU start of the server to the client's \"lr: client mounted\" (host s), over"
		echo "the $1 pair(s) that mounted${jobs:+, $jobs at once}${merged:+ within each shard}: median $2 s, max $3 s."
	fi
	if [ -n "$bwait" ]; then
		set -- $bwait
		echo
		echo "The pairs booted in turn; before it started, a case waited for its turn: median"
		echo "$2 s, max $3 s ($1 cases; not in their durations)."
	fi
	time_table
	# a pair names both sides: the client's kernel and the server's, each's version
	declare -A named=()	# (a kernel dir's first case names it)
	for r in "${results[@]}"; do
		d=${r%/*/result}
		[ -z "${named[$d]:-}" ] || continue
		named[$d]=1
		[ "${V[$r|client_kernel]:-}" != "${V[$r|server_kernel]:-}" ] &&
			printf '\n%s: client %s (%s), server %s (%s)\n' "${V[$r|kernel]:-}" \
				"${V[$r|client_kernel]:-}" "${V[$r|client_version]:-}" \
				"${V[$r|server_kernel]:-}" "${V[$r|server_version]:-}"
	done
	# per kernel: the seed's three questions, from the cases' timings.json
	[ -x "$LR_BUILD/host/lr_report" ] && "$LR_BUILD/host/lr_report" "$RUN_DIR"
} | atomic_write "$RUN_DIR/summary.md"

# summary.json through jq (docs/results-schema.md): one object per case, then the run
for r in "${results[@]}"; do
	d=${r%/result}
	jq -n --arg kernel "${V[$r|kernel]:-}" --arg case "${V[$r|case]:-}" \
		--arg verdict "${V[$r|verdict]:-}" --arg pass "${V[$r|pass]:-}" \
		--arg fail "${V[$r|fail]:-}" --arg skip "${V[$r|skip]:-}" \
		--arg error "${V[$r|error]:-}" --arg mounted "${V[$r|pair_start_to_mounted_s]:-}" \
		--arg duration "${V[$r|duration_s]:-}" --arg reason "${V[$r|reason]:-}" \
		--arg times "${TIMES[$r]:-}" \
		--arg dir "$final/${d#"$RUN_DIR"/}" --arg ck "${V[$r|client_kernel]:-}" \
		--arg sk "${V[$r|server_kernel]:-}" --arg cv "${V[$r|client_version]:-}" \
		--arg sv "${V[$r|server_version]:-}" '
		def n: if . == "" then null else tonumber end;
		{kernel: $kernel, client_kernel: $ck, server_kernel: $sk, client_version: $cv,
		 server_version: $sv, case: $case, verdict: $verdict, pass: ($pass | n),
		 fail: ($fail | n), skip: ($skip | n), error: ($error | n),
		 pair_start_to_mounted_s: ($mounted | n), duration_s: ($duration | n),
		 time: ($times | split("\n") | map(select(. != "") | split("=") |
			{key: (.[0] + "_s"), value: (.[1] | tonumber)}) | from_entries),
		 reason: $reason, dir: $dir}'
done | jq -s --arg run_id "$RUN_ID" --arg profile "$PROFILE" \
	--arg suite "$(kv "$RUN_DIR/versions" suite_commit)" \
	--arg kernels "$(kv "$RUN_DIR/versions" kernels 2>/dev/null)" --arg jobs "$jobs" \
	--arg shard "$shard" --arg list "$(kv "$RUN_DIR/versions" shard_list 2>/dev/null)" \
	--arg sha "$(kv "$RUN_DIR/versions" shard_list_sha256 2>/dev/null)" \
	--arg exp "$(kv "$RUN_DIR/versions" shard_expected_s 2>/dev/null)" \
	--arg sn "$(kv "$RUN_DIR/versions" shard_n 2>/dev/null)" \
	--arg merged "$merged" --arg boot "$boot" --arg bwait "$bwait" \
	--arg run_times "$(cat "$RUN_DIR/.times" 2>/dev/null)" --argjson cache "$(cache_json)" \
	--arg overhead "$overhead" '
	def n: if . == "" then null else tonumber end;
	def words: split(" ") | map(select(length > 0));
	def stats(k): if . == "" then null else (words | map(tonumber) |
		{(k): .[0], median_s: .[1], max_s: .[2]}) end;
	{run_id: $run_id, profile: $profile, suite_commit: $suite,
	 kernels: ($kernels | words), jobs: ($jobs | n),
	 shard: (if $list == "" then null else
		{k: (if $shard == "" then null else ($shard | split("/")[0] | tonumber) end),
		 n: ($sn | n), list: ($list | words), list_sha256: $sha, expected_s: ($exp | n)} end),
	 merged_from: (if $merged == "" then null else ($merged | words) end),
	 boot: ($boot | stats("pairs")), boot_wait: ($bwait | stats("cases")),
	 time: (($run_times | split("\n") | map(select(. != "") | split("=") |
		{key: .[0], value: (.[1] | tonumber)}) | from_entries) +
		{overhead: ($overhead | stats("cases"))}),
	 cache: $cache,
	 cases: .}' |
	atomic_write "$RUN_DIR/summary.json"

t=0 nf=0 ns=0
for r in "${results[@]}"; do
	t=$((t + 1))
	case ${V[$r|verdict]:-} in fail) nf=$((nf + 1)) ;; skip) ns=$((ns + 1)) ;; esac
done
{
	echo '<?xml version="1.0" encoding="UTF-8"?>'
	echo "<testsuite name=\"lockd-repro $RUN_ID\" tests=\"$t\" failures=\"$nf\" skipped=\"$ns\">"
	for r in "${results[@]}"; do
		printf '  <testcase classname="'; xml_str "${V[$r|kernel]:-}"
		printf '" name="'; xml_str "${V[$r|case]:-}"
		printf '" time="%s">' "${V[$r|duration_s]:-}"
		case ${V[$r|verdict]:-} in
		fail) printf '<failure message="'; xml_str "${V[$r|reason]:-}"; printf '"/>' ;;
		skip) printf '<skipped message="'; xml_str "${V[$r|reason]:-}"; printf '"/>' ;;
		esac
		echo '</testcase>'
	done
	echo '</testsuite>'
} | atomic_write "$RUN_DIR/junit.xml"
# a run of several kernels: the version sweep (sweep.md/json), linked from index.html
set -- "$RUN_DIR"/*/
[ $# -ge 2 ] && [ -x "$LR_BUILD/host/lr_compare" ] &&
	{ "$LR_BUILD/host/lr_compare" --sweep "$RUN_DIR" >/dev/null 2>&1 || [ $? = 2 ]; }
"$LR_TOP/scripts/index.sh" "$RUN_DIR" || warn "no index.html for $RUN_DIR"
exit 0
