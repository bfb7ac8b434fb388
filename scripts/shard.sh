#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shard.sh: the kernel × case list of a run and its split into SHARD=k/n.
#
#   scripts/shard.sh pairs     the pairs this run starts, one "kernel case" a line: without
#                              SHARD every kernel × case (CASES named: in that order; else
#                              longest expected first); with SHARD=k/n the k-th shard's,
#                              longest expected first
#   scripts/shard.sh plan      every pair with its shard and expected s, then each shard's
#                              total (needs SHARD=k/n or SHARD=n)
#   scripts/shard.sh meta      key=value lines for the run's versions: kernels, and with
#                              SHARD shard, shard_n, shard_list, shard_list_sha256,
#                              shard_expected_s
#
# Environment: KERNELS (default lib.sh's LR_KERNELS_DEFAULT, "4.19 mainline"), CASES (default
# all of vm/cases.list), PROFILE (quick|customer: which expected column), SHARD. Exit 2 with
# one line on bad input.
#
# The split must be the same on every machine of a sharded run, so it depends only on the
# list, the kernels, the profile and vm/cases.list's expected durations (no local history):
# LPT, the longest pair first to the shard with the least expected time so far (ties: the
# pair earlier in list order, the lower shard). Every pair lands in exactly one shard.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '3,17s/^# \{0,1\}//p' "$0"; exit 0; }
cases_file=${LR_CASES_FILE:-$LR_TOP/vm/cases.list}
PROFILE=${PROFILE:-quick}
kernels=${KERNELS:-$LR_KERNELS_DEFAULT}
cases=${CASES:-$(awk '!/^#/ && NF { print $1 }' "$cases_file")}

case ${1:-} in pairs|plan|meta) ;; --help|-h) usage ;; *) die "usage: scripts/shard.sh pairs|plan|meta (see --help)" ;; esac
case $PROFILE in quick|customer) ;; *) die "PROFILE must be quick or customer, not '$PROFILE'" ;; esac
[ -n "$kernels" ] || die "KERNELS is empty"
k=0 n=0
if [ -n "${SHARD:-}" ]; then
	if [[ "$SHARD" =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]]; then
		k=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
	elif [ "$1" = plan ] && [[ "$SHARD" =~ ^[1-9][0-9]*$ ]]; then
		k=1 n=$SHARD
	fi
	[ "$n" -gt 0 ] && [ "$k" -le "$n" ] || die "SHARD must be k/n with 1 <= k <= n, not '$SHARD'"
fi
[ "$1" = plan ] && [ "$n" = 0 ] && die "shard.sh plan needs SHARD=k/n or SHARD=n"

# the full list in canonical order (kernels, then cases in the order given), each with its
# expected seconds; a case without a figure is an error, not a guess
list=$(for kn in $kernels; do for c in $cases; do echo "$kn $c"; done; done |
	awk -v p="$PROFILE" -v f="$cases_file" '
	BEGIN { while ((getline l < f) > 0) { if (l ~ /^#/) continue; split(l, a)
		if (a[1] != "") e[a[1]] = (p == "customer" ? a[5] : a[4]) } }
	{ if (!($2 in e) || e[$2] !~ /^[0-9]+$/) { print "!" $2; exit 1 }
	  print $1, $2, e[$2] }') || die "$cases_file: no expected $PROFILE duration (columns 4, 5) for ${list##*!}"
npairs=$(wc -l <<<"$list")
[ "$n" -le "$npairs" ] || die "SHARD=$SHARD: more shards than the $npairs kernel × case pair(s)"

# plan: "shard kernel case expected" in start order, LPT
plan() {
	awk '{ print NR, $0 }' <<<"$list" | sort -k4,4nr -k1,1n |
	awk -v n="$n" '{ b = 1; for (i = 2; i <= n; i++) if (load[i] < load[b]) b = i
		load[b] += $4; print b, $2, $3, $4 }'
}

case $1 in
pairs)
	# CASES named: the order given (the drills rely on it). The whole list: longest
	# expected first, as one shard (JOBS at a time, the short ones fill in beside the long).
	if [ "$n" = 0 ] && [ -n "${CASES:-}" ]; then cut -d' ' -f1,2 <<<"$list"
	elif [ "$n" = 0 ]; then n=1 k=1; plan | cut -d' ' -f2,3
	else plan | awk -v k="$k" '$1 == k { print $2, $3 }'; fi
	;;
plan)
	plan | awk -v n="$n" '{ print "shard " $1 "/" n ": " $2 " " $3 " " $4 " s"; t[$1] += $4 }
		END { for (i = 1; i <= n; i++) print "shard " i "/" n " expected " t[i] + 0 " s" }'
	;;
meta)
	echo "kernels=$kernels"
	[ "$n" = 0 ] && exit 0
	full=$(awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $1, $2 }' <<<"$list")
	echo "shard=$k/$n"
	echo "shard_n=$n"
	echo "shard_list=$full"
	echo "shard_list_sha256=$(printf '%s\n' "$full" | sha256sum | cut -d' ' -f1)"
	echo "shard_expected_s=$(plan | awk -v k="$k" '$1 == k { t += $4 } END { print t + 0 }')"
	;;
esac
