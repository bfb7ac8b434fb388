#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of scripts/ci-local.py, the local runner of .github/workflows/ci.yml: its
# dry run of the real workflow (jobs in needs order, one per matrix entry, the shard steps
# with their SHARD), and a real run of a small workflow made here (steps in order, env
# and matrix substituted, artifacts passed from job to job, a failed step skips the rest
# but an always() step, a failed job fails the run, exit 2 for what it cannot read).
# Needs python3-yaml.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
runner=$top/scripts/ci-local.py
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "ok 1 - ci-local # SKIP no python3-yaml (apt-get install python3-yaml)"; echo "1..1"; exit 0
fi
tap_scratch cilocal

out=$("$runner" -n --matrix shard=1/2,2/2 2>&1); rc=$?
jobs=$(sed -n 's/^== job \([^:]*\)$/\1/p' <<<"$out" | paste -sd'|')
[ $rc = 0 ] && [ "$jobs" = "unit|shard (shard=1/2)|shard (shard=2/2)|merge" ]
ok $? "dry run of ci.yml: unit, one shard job per matrix entry, then merge" "exit $rc: $jobs"
grep -q '^   SHARD="2/2" vm/run.sh --all || rc=\$?$' <<<"$out" &&
	grep -q '^   scripts/merge.sh artifacts || rc=\$?$' <<<"$out" &&
	grep -q '^   env KERNELS=4.19 mainline$' <<<"$out"
ok $? "dry run: the shard's SHARD and the merge command as they would run, with the workflow's env"

cat >"$t/wf.yml" <<'Y'
on: push
env:
  A: top
jobs:
  last:
    needs: [first]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          pattern: part-*
          path: got
      - run: cat got/part-*/x >"$OUT/merged"
  first:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    env:
      B: job-${{ matrix.n }}
    steps:
      - run: mkdir -p "out-${{ matrix.n }}" && echo "$A $B ${{ env.A }}" >"out-${{ matrix.n }}/x"
      - uses: actions/upload-artifact@v4
        with:
          name: part-${{ strategy.job-index }}
          path: out-${{ matrix.n }}/
      - run: echo "$B" >>"$OUT/order"; [ "${{ matrix.n }}" = 1 ]
      - run: echo "next ${{ matrix.n }}" >>"$OUT/order"
      - if: always()
        run: echo "always ${{ matrix.n }}" >>"$OUT/order"
Y
# the runner works in the repository's top dir: give it a copy of a tree of its own
mkdir -p "$t/repo/scripts" && cp "$runner" "$t/repo/scripts/"
OUT=$t "$t/repo/scripts/ci-local.py" -w "$t/wf.yml" >"$t/log" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(paste -sd'|' "$t/order")" = "job-1|next 1|always 1|job-2|always 2" ]
ok $? "steps in order, env and matrix substituted, a failed step skips the next but not always()" "exit $rc: $(paste -sd'|' "$t/order" 2>/dev/null)"
[ "$(cat "$t/merged" 2>/dev/null)" = "$(printf 'top job-1 top\ntop job-2 top')" ]
ok $? "needs: order (first's two entries, then last) and artifacts passed from job to job"
grep -q '^== job first (n=2): failed$' "$t/log" && grep -q '^== job last: ok$' "$t/log"
ok $? "a failed job fails the run (exit 1); an if: always() job runs after it"

sed 's/env.A }}/env.NOPE }}/' "$t/wf.yml" >"$t/bad.yml"
msg=$("$runner" -n -w "$t/bad.yml" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ]; ok $? "an expression it does not know: one line, exit 2" "exit $rc: $msg"
printf 'jobs:\n  a:\n    needs: b\n    steps: []\n  b:\n    needs: a\n    steps: []\n' >"$t/cycle.yml"
msg=$("$runner" -n -w "$t/cycle.yml" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ]; ok $? "a needs: cycle: one line, exit 2" "exit $rc: $msg"
msg=$("$runner" -n -w "$t/none.yml" 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && [ "$(wc -l <<<"$msg")" = 1 ]; ok $? "no workflow file: one line, exit 2" "exit $rc: $msg"

tap_end
