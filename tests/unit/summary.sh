#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of scripts/summary.sh on a small fake run built here: a reason with the
# characters each format escapes comes out intact in junit.xml (well-formed XML),
# summary.md (| escaped in the table) and summary.json; a key given twice in a result
# file counts by its first line (as kv); the time table and the overhead figures come from
# the results' time_* keys, the boot turns' waits from boot_wait_host_s; a mixed pair's kernel names both sides. Needs jq and python3 (the XML parser).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
tap_scratch summary

r=$t/20261202T000000Z-1
mkdir -p "$r/mainline/baseline" "$r/mainline/svc-sleep-lock"
printf 'run_id=%s\nsuite_commit=abc\nprofile=quick\nkernels=mainline\njobs=3\n' "${r##*/}" >"$r/versions"
why='2 test(s) failed: a|b & <c> "d" x=y'
printf 'kernel=mainline\ncase=baseline\nverdict=fail\nreason=%s\npass=6\nfail=2\nskip=0\nerror=0\nduration_s=30.5\nreason=second\ntime_overhead_s=12.5\ntime_scenario_s=18.00\ntime_host_s=3.1\nprep_host_s=1.1\nafter_done_host_s=2.0\nboot_wait_host_s=0.02\n' \
	"$why" >"$r/mainline/baseline/result"
printf 'kernel=mainline\ncase=svc-sleep/lock\nverdict=pass\nreason=1 passed\npass=1\nfail=0\nskip=0\nerror=0\nduration_s=40\ntime_overhead_s=20.5\ntime_scenario_s=19.5\nboot_wait_host_s=4.5\n' \
	>"$r/mainline/svc-sleep-lock/result"
# a mixed pair (two cases): its kernel line names both sides, once
mkdir -p "$r/5.10+mainline/baseline" "$r/5.10+mainline/svc-sleep-lock"
for c in baseline svc-sleep/lock; do
	printf 'kernel=5.10+mainline\ncase=%s\nverdict=pass\nreason=ok\nclient_kernel=5.10\nclient_version=5.10.223\nserver_kernel=mainline\nserver_version=7.3.4\n' \
		"$c" >"$r/5.10+mainline/${c//\//-}/result"
done
"$top/scripts/summary.sh" "$r" >"$t/out" 2>&1; rc=$?
ok $rc "summary.sh writes the run's files" "$(tail -1 "$t/out")"

m=$(python3 -c 'import sys, xml.etree.ElementTree as E
t = E.parse(sys.argv[1]).getroot()
print(t.get("tests"), t.get("failures"), t.find("testcase/failure").get("message"))' "$r/junit.xml" 2>&1)
[ "$m" = "4 1 $why" ]
ok $? "junit.xml parses, the failure message intact" "$m"

grep -qF "| mainline | baseline | fail | 6 | 2 | 0 |  | ${why//|/\\|} |" "$r/summary.md"
ok $? "summary.md: the reason's | escaped in the table, the first reason= line" \
	"$(grep '| baseline |' "$r/summary.md" | head -1)"

j=$(jq -r '.cases[] | select(.kernel == "mainline" and .case == "baseline") | "\(.reason)|\(.time.overhead_s)|\(.time.scenario_s)"' "$r/summary.json")
[ "$j" = "$why|12.5|18" ]
ok $? "summary.json: the reason and the time_* keys" "$j"

grep -q '^overhead: median 16.50 s, max 20.50 s (2 cases)$' "$r/summary.md" &&
	grep -qF '| 3.1 (1.1+2.0) | 12.5 |' "$r/summary.md"
ok $? "the time table: overhead median and max, host (prep+after)" "$(grep -E '^overhead|\| baseline \| 30' "$r/summary.md")"
[ "$(grep -c '^5.10+mainline: client 5.10 (5.10.223), server mainline (7.3.4)$' "$r/summary.md")" = 1 ] &&
	! grep -q '^mainline: client' "$r/summary.md"
ok $? "a mixed pair's kernel line, once; none for a kernel on both sides" "$(grep ': client ' "$r/summary.md")"
j=$(jq -c '.boot_wait' "$r/summary.json")
[ "$j" = '{"cases":2,"median_s":2.26,"max_s":4.5}' ] &&
	grep -qF 'a case waited for its turn: median' "$r/summary.md" &&
	grep -q '^2.26 s, max 4.50 s (2 cases; not in their durations).$' "$r/summary.md"
ok $? "the boot turns' waits: median and max in summary.json and summary.md" "$j"
tap_end
