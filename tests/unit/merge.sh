#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of SHARD=k/n and make merge on small fake runs built here: scripts/shard.sh
# (every kernel × case pair in exactly one shard, the same split every time, LPT balance,
# longest first, one-line refusals) and scripts/merge.sh (the merged run's summaries equal
# an unsharded run's verdict table; exit 1 when a case failed; exit 2 with one line for
# different suite commits, kernels or profiles, a missing or a duplicated case; nothing
# left half-made in results). Needs jq; build/host/ is used when present.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"

tap_scratch merge
shard=$top/scripts/shard.sh merge=$top/scripts/merge.sh
export PROFILE=quick KERNELS="4.19 mainline"
export CASES="fin-blackhole/lock baseline svc-sleep/lock link-down/lock portmap-synack-lost/lock customer-0619"

# ---- the split ----
all=$(SHARD= "$shard" pairs | sort)
bad=
for ns in 1 2 3 5; do
	got=$(for k in $(seq "$ns"); do SHARD=$k/$ns "$shard" pairs; done | sort)
	[ "$got" = "$all" ] || bad+=" n=$ns"
done
[ -z "$bad" ] && [ "$(wc -l <<<"$all")" = 12 ]
ok $? "every kernel × case pair in exactly one shard (n = 1, 2, 3, 5)" "$bad"
a=$(SHARD=2/3 "$shard" pairs) b=$(SHARD=2/3 "$shard" pairs)
[ -n "$a" ] && [ "$a" = "$b" ]; ok $? "the same split every time"
plan=$(SHARD=3 "$shard" plan)
loads=$(sed -n 's/^shard [0-9]*\/3 expected \([0-9]*\) s$/\1/p' <<<"$plan" | sort -n)
[ "$(wc -l <<<"$loads")" = 3 ] && [ $(( $(tail -1 <<<"$loads") - $(head -1 <<<"$loads") )) -le 235 ]
ok $? "LPT: the shards' expected totals differ by at most the longest case" "$(echo $loads)"
[ "$(SHARD=1/3 "$shard" pairs | head -1)" = "4.19 fin-blackhole/lock" ]
ok $? "a shard starts its longest case first"
m=$(SHARD=1/2 "$shard" meta)
grep -q '^shard=1/2$' <<<"$m" && grep -q '^shard_list=4.19:fin-blackhole/lock 4.19:baseline ' <<<"$m" &&
	grep -qE '^shard_list_sha256=[0-9a-f]{64}$' <<<"$m" && grep -q '^kernels=4.19 mainline$' <<<"$m"
ok $? "meta: the shard, the full list and its hash, the kernels"
for s in 0/2 3/2 x 1/0 1/13; do
	msg=$(SHARD=$s "$shard" pairs 2>&1 >/dev/null); rc=$?
	[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ] || { bad+=" $s:$rc"; }
done
[ -z "$bad" ]; ok $? "a bad SHARD (0/2 3/2 x 1/0, more shards than pairs): one line, exit 2" "$bad"
printf 'baseline\t300\t600\n' >"$t/nolist"
msg=$(LR_CASES_FILE=$t/nolist CASES=baseline SHARD=1/1 "$shard" pairs 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ]; ok $? "a case without an expected duration: one line, exit 2" "$rc: $msg"

# ---- merge ----
# mkrun DIR SHARD [SUITE] [PROFILE]: a fake run of SHARD's pairs (all: none) as vm/run.sh
# leaves it: versions (with scripts/shard.sh meta), one result per case; a case named in
# FAILS fails
mkrun() {
	local d=$1 s=$2 suite=${3:-abc123} prof=${4:-quick} p k c
	mkdir -p "$d"
	{ echo "run_id=${d##*/}"; echo "suite_commit=$suite"; echo "profile=$prof"
	  SHARD=$s "$shard" meta; echo "jobs=3"; } >"$d/versions"
	while read -r k c; do
		mkdir -p "$d/$k/${c//\//-}"
		v=pass; [[ " ${FAILS:-} " == *" $k/$c "* ]] && v=fail
		printf 'kernel=%s\ncase=%s\nverdict=%s\nreason=r\npass=1\nfail=0\nskip=0\nerror=0\nduration_s=5\npair_start_to_mounted_s=%s\n' \
			"$k" "$c" "$v" "$((${#c} % 7 + 3))" >"$d/$k/${c//\//-}/result"
	done < <(SHARD=$s "$shard" pairs)
}
table() { grep '^| [^k-][^|]* | ' "$1/summary.md" | grep -v '^|---' | sort; }
newest() { ls -d "$LR_RESULTS"/2* | tail -1; }
export LR_RESULTS=$t/results
mkdir -p "$t/art/a" "$t/art/b" "$LR_RESULTS"
mkrun "$t/art/a/20261201T000001Z-1" 1/2
mkrun "$t/art/b/20261201T000002Z-2" 2/2
mkrun "$t/one" ""
"$top/scripts/summary.sh" "$t/one" >/dev/null 2>&1
"$merge" "$t/art" >/dev/null 2>"$t/err"; rc=$?
r=$(newest)
[ $rc = 0 ] && [ -n "$r" ] && [ "$(jq '.cases | length' "$r/summary.json")" = 12 ] &&
	grep -q 'tests="12" failures="0"' "$r/junit.xml" && [ -s "$r/index.html" ]
ok $? "a dir of artifacts: one merged run, 12 cases in summary.json and junit.xml, index.html" "exit $rc: $(cat "$t/err")"
[ -n "$(table "$t/one")" ] && [ "$(table "$r")" = "$(table "$t/one")" ]
ok $? "the merged verdict table equals an unsharded run's" "$(diff <(table "$t/one") <(table "$r") | head -3)"
jq -e '.merged_from == ["20261201T000001Z-1", "20261201T000002Z-2"] and .shard.n == 2 and
	.shard.k == null and (.shard.list | length) == 12 and .kernels == ["4.19", "mainline"] and
	.boot.pairs == 12' "$r/summary.json" >/dev/null &&
	grep -q 'median .* s, max .* s' "$r/summary.md" &&
	jq -e --arg r "$r" 'all(.cases[]; .dir | startswith($r + "/"))' "$r/summary.json" >/dev/null
ok $? "summary.json: merged_from, the shard list, the kernels, boot median/max, the case dirs under the merged run"
[ -z "$(ls -A "$LR_RESULTS" | grep -v '^2')" ]; ok $? "no temporary dir left in results"

refuse() {	# refuse DESC DIR...: merge must print one line and exit 2, and make no run
	local desc=$1 before msg rc; shift
	before=$(ls "$LR_RESULTS" | wc -l)
	msg=$("$merge" "$@" 2>&1 >/dev/null); rc=$?
	[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ] && [ "$(ls -A "$LR_RESULTS" | wc -l)" = "$before" ]
	ok $? "refused: $desc (one line, exit 2, no run made)" "exit $rc: $msg"
}
refuse "a missing case (one shard only)" "$t/art/a"
cp -a "$t/art/a/20261201T000001Z-1" "$t/dup"
refuse "a duplicated case (shard 1 twice)" "$t/art" "$t/dup"
mkrun "$t/x/suite/20261201T000003Z-3" 2/2 def456
refuse "different suite commits" "$t/art/a" "$t/x/suite"
mkrun "$t/x/prof/20261201T000004Z-4" 2/2 abc123 customer
refuse "different profiles" "$t/art/a" "$t/x/prof"
KERNELS=mainline mkrun "$t/x/kern/20261201T000005Z-5" 2/2
refuse "different kernels" "$t/art/a" "$t/x/kern"
refuse "a run that is no shard" "$t/one" "$t/art/b"
refuse "no run at all" "$t/x/nothing" 2>/dev/null; mkdir -p "$t/x/empty"
refuse "a dir without runs" "$t/x/empty"

FAILS="mainline/baseline" mkrun "$t/f/20261201T000006Z-6" 2/2
"$merge" "$t/art/a" "$t/f" >/dev/null 2>&1; rc=$?
[ $rc = 1 ] && jq -e 'any(.cases[]; .verdict == "fail")' "$(newest)/summary.json" >/dev/null
ok $? "a failed case: merged all the same, exit 1" "exit $rc"

# stopped while it writes the summaries: its temporary dir goes, no run is made. A copy of
# the scripts whose summary.sh fails (die) or hangs (TERM to the merge and its stub)
mkdir -p "$t/top/scripts"
cp "$top"/scripts/{lib.sh,merge.sh,shard.sh} "$t/top/scripts/"
before=$(ls -A "$LR_RESULTS" | wc -l)
printf '#!/bin/sh\nexit 1\n' >"$t/top/scripts/summary.sh"; chmod +x "$t/top/scripts/summary.sh"
LR_TOP=$t/top "$t/top/scripts/merge.sh" "$t/art" >/dev/null 2>&1; rc=$?
[ $rc = 2 ] && [ "$(ls -A "$LR_RESULTS" | wc -l)" = "$before" ]
ok $? "the summaries failed: exit 2, no temporary dir, no run" "exit $rc: $(ls -A "$LR_RESULTS" | grep -v '^2')"
printf '#!/bin/sh\n: >"%s"\nexec sleep 60\n' "$t/hung" >"$t/top/scripts/summary.sh"
. "$top/scripts/lib.sh"
LR_TOP=$t/top "$t/top/scripts/merge.sh" "$t/art" >/dev/null 2>&1 &
p=$!
slowwait 10 test -e "$t/hung"
kill_tree TERM $p; wait $p; rc=$?
[ $rc = 143 ] && [ "$(ls -A "$LR_RESULTS" | wc -l)" = "$before" ]
ok $? "TERM while it writes the summaries: exit 143, no temporary dir, no run" "exit $rc: $(ls -A "$LR_RESULTS" | grep -v '^2')"
tap_end
