#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# compare.sh [A B]: make compare. Each side a run (results/<run>/) or a run's kernel dir
# (results/<run>/<kernel>/). Without A and B: the newest run's two kernels when it holds
# two or more (the first two), else the two newest runs. build/host/lr_compare does the
# work (its header says what it prints and writes); then B's run gets its index.html again,
# with the link to compare.md. Exit: lr_compare's (0 same verdicts, 1 a verdict differs,
# 2 bad input).
#
# compare.sh --sweep [RUN]: make sweep; RUN defaults to the newest run.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tool=$LR_BUILD/host/lr_compare
make -s -C "$LR_TOP/tests" host >/dev/null || die "make -C tests host failed"
# the runs under results/, oldest first (run ids sort by time; mutants-* are not runs)
runs() { ls -d "$LR_TOP"/results/2*/ 2>/dev/null | sed 's|/$||' | while read -r r; do
	[ -f "$r/versions" ] && echo "$r"; done; }

if [ "${1:-}" = --sweep ]; then
	run=${2:-$(runs | tail -1)}
	[ -n "$run" ] || die "no run under results/ (make run-all KERNELS=\"4.19 5.10 6.1 6.12 7.3\")"
	"$tool" --sweep "$run" || exit
	[ -f "$run/summary.json" ] && "$LR_TOP/scripts/index.sh" "$run"
	exit 0
fi
a=${1:-} b=${2:-}
if [ -z "$a" ] && [ -z "$b" ]; then
	last=$(runs | tail -1)
	[ -n "$last" ] || die "no run under results/ to compare"
	set -- $(ls -d "$last"/*/ 2>/dev/null | sed 's|/$||')
	if [ $# -ge 2 ]; then a=$1 b=$2
	else a=$(runs | tail -2 | head -1) b=$last; [ "$a" != "$b" ] || die "only one run under results/: make compare A=<dir> B=<dir>"; fi
	log "compare A=$a B=$b"
elif [ -z "$a" ] || [ -z "$b" ]; then
	die "give both sides (make compare A=<dir> B=<dir>) or neither"
fi
"$tool" "$a" "$b"; rc=$?
if [ $rc -lt 2 ]; then
	# B's run: the side itself or the run that holds it
	brun=$(readlink -f "$b"); [ -f "$brun/versions" ] || brun=$(dirname "$brun")
	[ -f "$brun/summary.json" ] && "$LR_TOP/scripts/index.sh" "$brun"
fi
exit $rc
