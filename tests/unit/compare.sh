#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of the results tools on small runs built here: lr_compare (exit 0/1/2,
# differences, compare.md/json written into B's run), its --sweep (the first changed
# kernel marked, the model in units of nlm_timeout), lr_svg (a picture from a case, 2 for
# a dir that is no case) and scripts/index.sh (matrix, image, compare link). Needs
# build/host/ (make -C tests host) and jq.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
host=${LR_BUILD:-$top/build}/host
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"

tap_scratch compare

# mkcase RUN KERNEL CASE VERDICT VERSION NLM_TIMEOUT STILL_TRYING: one case dir as
# vm/run.sh leaves it (result, timings.json, a trace and a capture of two packets)
mkcase() {
	local d=$1/$2/${3//\//-} exp=$(($6 * 6))
	mkdir -p "$d"
	[ -f "$1/versions" ] || echo "run_id=$(basename "$1")" >"$1/versions"
	printf 'kernel=%s\ncase=%s\nverdict=%s\nreason=r\nduration_s=1\n' "$2" "$3" "$4" >"$d/result"
	cat >"$d/timings.json" <<EOF
[{"test": "lock", "scenario": "svc-sleep", "kernel": "$5", "profile": "quick",
  "params": {"nlm_timeout": $6, "hz": 250, "tcp_syn_retries": 6, "tcp_syn_linear_timeouts": 4,
             "rules": "mainline"}, "tick_rate": 1.0, "t0_kmsg_s": 100.0,
  "moments": [{"what": "still trying", "from": "the fcntl() call", "expect_s": $exp,
               "lo_s": $((exp - 1)), "hi_s": $((exp + 2)), "measured_s": $7, "why": "w"},
              {"what": "re-sends", "from": "the fcntl() call", "expect_s": null, "lo_s": null,
               "hi_s": null, "measured_s": 2, "why": "measured 3.2 9.4"}], "note": ""}]
EOF
	printf '# trace\n    +0.004 [  100.004000] RPC:       worker connecting xprt 1 via tcp to 192.168.53.40 (port 4045)\n   +%s [  %s] lockd: server 192.168.53.40 not responding, still trying\n' \
		"$7" "$(awk -v m="$7" 'BEGIN { printf "%.6f", 100 + m }')" >"$d/rpc_debug.txt"
	printf '# timeline\nNo.\tTime\n1\tx\t10.0\t192.168.53.214\t192.168.53.40\tTCP\t74\t709 → 4045 [SYN] Seq=0\t709\t4045\t\n2\tx\t10.01\t192.168.53.214\t192.168.53.40\tNLM\t230\tV4 LOCK Call FH:0x1\t709\t4045\t0x11\n' >"$d/timeline.txt"
}

mkcase "$t/a" mainline svc-sleep/lock pass 7.3.4 3 18.10
mkcase "$t/b" mainline svc-sleep/lock pass 7.3.4 3 20.10
mkcase "$t/c" mainline svc-sleep/lock fail 7.3.4 3 18.10
mkcase "$t/d" mainline link-down/lock pass 7.3.4 3 18.10

out=$("$host/lr_compare" "$t/a" "$t/a" 2>/dev/null); rc=$?
[ $rc = 0 ]; ok $? "a run against itself exits 0" "exit $rc"
grep -q '| still trying | the fcntl() call | 18.10 | 18.10 | +0.00 |' <<<"$out" &&
	! grep -E '\| [+-][0-9.]+ \|' <<<"$out" | grep -vq '+0.00'
ok $? "a run against itself: every difference 0"
[ -s "$t/a/compare.md" ] && jq -e '.verdicts_differ == 0 and .common == 1' "$t/a/compare.json" >/dev/null
ok $? "compare.md and compare.json written into B's run"
out=$("$host/lr_compare" "$t/a" "$t/b" 2>/dev/null); rc=$?
[ $rc = 0 ] && grep -q '| still trying | the fcntl() call | 18.10 | 20.10 | +2.00 |' <<<"$out"
ok $? "a moment that moved: A, B and B - A, exit 0 while the verdicts agree" "exit $rc"
"$host/lr_compare" "$t/a/mainline" "$t/c/mainline" >/dev/null 2>&1; rc=$?
[ $rc = 1 ]; ok $? "a verdict that differs exits 1 (kernel dirs as sides)" "exit $rc"
msg=$("$host/lr_compare" "$t/nonexistent" "$t/a" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ]; ok $? "a side that is not a run: one line, exit 2" "exit $rc: $msg"
"$host/lr_compare" "$t/a" "$t/d" >/dev/null 2>&1; rc=$?
[ $rc = 2 ]; ok $? "no case on both sides exits 2" "exit $rc"

# a sweep: one run of two kernels, 4.19's 9 T against mainline's 6 T
mkcase "$t/s" 4.19 svc-sleep/lock pass 4.19.304 10 94.25
mkcase "$t/s" mainline svc-sleep/lock pass 7.3.4 3 18.09
sed -i 's/"expect_s": 60,/"expect_s": 90,/; s/"lo_s": 59,/"lo_s": 89,/; s/"hi_s": 62,/"hi_s": 97,/' \
	"$t/s/4.19/svc-sleep-lock/timings.json"
out=$("$host/lr_compare" --sweep "$t/s" 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^| 4.19.304 (quick) | pass | 94.25 |' <<<"$out" &&
	grep -q '^| 7.3.4 (quick) | pass | \*\*18.09\*\* |.*model 90.00 s (9 T) -> 18.00 s (6 T)' <<<"$out"
ok $? "sweep: rows in version order, the first change bold, the model in units of T" "exit $rc"
"$host/lr_compare" --sweep "$t/a" >/dev/null 2>&1; rc=$?
[ $rc = 2 ]; ok $? "sweep of a one-kernel run exits 2" "exit $rc"

# the picture and the page
"$host/lr_svg" "$t/a/mainline/svc-sleep-lock"; rc=$?
[ $rc = 0 ] && grep -q '<svg xmlns' "$t/a/mainline/svc-sleep-lock/timeline.svg" &&
	grep -q 'still trying' "$t/a/mainline/svc-sleep-lock/timeline.svg" &&
	! ls "$t/a/mainline/svc-sleep-lock/" | grep -q '\.tmp'
ok $? "lr_svg writes timeline.svg (and no temporary file)" "exit $rc"
"$host/lr_svg" "$t/a" 2>/dev/null; rc=$?
[ $rc = 2 ]; ok $? "lr_svg of a dir that is no case exits 2" "exit $rc"
printf '{"run_id": "a", "profile": "quick", "cases": [{"kernel": "mainline", "case": "svc-sleep/lock", "verdict": "pass", "reason": "r <b>", "duration_s": 1, "dir": "%s"}]}\n' \
	"$t/a/mainline/svc-sleep-lock" >"$t/a/summary.json"
printf '# run\n\n## mainline: the answers <x>\n' >"$t/a/summary.md"
"$top/scripts/index.sh" "$t/a" 2>/dev/null; rc=$?
h=$t/a/index.html
[ $rc = 0 ] && grep -q 'id="matrix"' "$h" && grep -q '<img src="mainline/svc-sleep-lock/timeline.svg"' "$h" &&
	grep -q 'href="compare.md"' "$h" && grep -q 'r &lt;b&gt;' "$h" && grep -q 'the answers &lt;x&gt;' "$h"
ok $? "index.html: matrix, the SVG, the compare link, text escaped" "exit $rc"
tap_end
