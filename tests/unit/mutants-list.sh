#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of tests/mutants.list against what it names: every mutant is a number of
# kernel-patches/7.3/mutants.patch's enum (and every enum value has a row), its set is
# quick or slow, its cases are in vm/cases.list, and no patch set but "mutants" carries the
# mutants patch (production sets must not). Pure: reads files only.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
list=$top/tests/mutants.list
patch=$top/kernel-patches/7.3/mutants.patch
cases=$top/vm/cases.list

# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"

rows=$(sed -e '/^#/d' -e '/^[[:space:]]*$/d' -e 's/\t\t*/\t/g' "$list")
# the enum: "	LR_MUT_X = N,"
enum=$(sed -n 's/^+[[:space:]]*LR_MUT_\([A-Z0-9_]*\) = \([0-9][0-9]*\),.*/\2 \1/p' "$patch" |
	grep -v '^0 ' | grep -v ' MAX$' | sort -n)
nums=$(printf '%s\n' "$rows" | cut -f1 | sort -n)

[ -n "$rows" ]; ok $? "tests/mutants.list has rows"
[ "$(printf '%s\n' "$nums" | uniq -d)" = "" ]; ok $? "mutant numbers are unique" "$(printf '%s\n' "$nums" | uniq -d | paste -sd' ')"
[ "$(printf '%s\n' "$rows" | cut -f2 | sort | uniq -d)" = "" ]; ok $? "mutant names are unique"
[ "$nums" = "$(printf '%s\n' "$enum" | cut -d' ' -f1)" ]
ok $? "every mutant of the list is in mutants.patch's enum and every enum value has a row" \
	"list: $(echo $nums), enum: $(printf '%s\n' "$enum" | cut -d' ' -f1 | paste -sd' ')"

bad=
while IFS=$'\t' read -r num name set cs why; do
	case $set in quick|slow) ;; *) bad+=" $num:set=$set" ;; esac
	[ -n "$why" ] || bad+=" $num:no-why"
	for c in ${cs//,/ }; do
		awk -v c="$c" '!/^#/ && $1 == c { f = 1 } END { exit !f }' "$cases" || bad+=" $num:$c"
	done
	[[ "$name" =~ ^[a-z0-9-]+$ ]] || bad+=" $num:name=$name"
done <<<"$rows"
[ -z "$bad" ]; ok $? "each row: set quick|slow, a reason, cases from vm/cases.list, a plain name" "$bad"

# the slow set is exactly the rows whose cases include fin-blackhole (the longest case)
bad=$(printf '%s\n' "$rows" | awk -F'\t' '($3 == "slow") != ($4 ~ /fin-blackhole/) { print $1 }' | paste -sd' ')
[ -z "$bad" ]; ok $? "slow rows are the fin-blackhole ones" "$bad"

# only the "mutants" set names mutants.patch; it is applied after svc-sleep.patch
bad=$(awk '!/^#/ && NF && $1 != "mutants" && / mutants\.patch/ { print FILENAME ": " $1 }' \
	"$top"/kernel-patches/*/series)
[ -z "$bad" ]; ok $? "no production patch set carries mutants.patch" "$bad"
line=$(awk '!/^#/ && $1 == "mutants" { $1 = ""; print }' "$top/kernel-patches/7.3/series")
[ "$(echo $line)" = "svc-sleep.patch idle-knob.patch mutants.patch" ]; ok $? "7.3 mutants = svc-sleep.patch idle-knob.patch mutants.patch" "got '$line'"
for s in "$top"/kernel-patches/*/series; do
	grep -qE '^mutants[[:space:]]' "$s" || { bad+=" $s"; }
done
[ -z "$bad" ]; ok $? "every line's series says mutants (the set or '- reason'): dryrun never fails on it" "$bad"

tap_end
