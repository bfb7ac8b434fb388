#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# merge.sh DIR...: merge the shard runs of one sharded run (make run-all SHARD=k/n on
# several machines) into one new run, results/<run-id>/ (LR_RESULTS), as if one machine
# had run them all: the case dirs copied, versions (merged_from=), then summary.md/json,
# junit.xml, the sweep and index.html by scripts/summary.sh, the runner's own writer, so
# the three answers are recomputed over the union. Each DIR is a shard's run dir or a dir
# holding them at any depth (a directory of downloaded CI artifacts).
#
# Refuses, one line and exit 2: no shard run found; runs of different suite commits,
# kernels, profiles or case lists (shard_list_sha256); a run without a shard; a case that
# appears twice; a case of the list in no run. Exit 0: every case passed or skipped, 1: a
# case failed. The merged run is built under a temporary name and renamed into place.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${1:-} in
--help|-h) sed -n '3,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
'') die "usage: scripts/merge.sh DIR... (make merge RESULTS=\"dir…\")" ;;
esac
need_cmd jq
LR_RESULTS=${LR_RESULTS:-$LR_TOP/results}

# the runs: dirs with a versions file that names a run (a case's versions has no run_id)
runs=()
for a; do
	[ -d "$a" ] || die "merge: $a is not a directory"
	while IFS= read -r v; do
		grep -q '^run_id=' "$v" && runs+=("$(cd "$(dirname "$v")" && pwd)")
	done < <(find "$a" -maxdepth 4 -name versions -type f | LC_ALL=C sort)
done
[ ${#runs[@]} -gt 0 ] || die "merge: no run (a dir with a versions file) under $*"

# the shards must be parts of one list: the same suite, kernels, profile and list
first=${runs[0]}
for r in "${runs[@]}"; do
	[ -n "$(kv "$r/versions" shard)" ] || die "merge: $r is not a shard run (no shard= in its versions)"
	for key in suite_commit kernels profile shard_list_sha256; do
		[ "$(kv "$r/versions" $key)" = "$(kv "$first/versions" $key)" ] ||
			die "merge: $r has $key=$(kv "$r/versions" $key), $first has $(kv "$first/versions" $key)"
	done
done

# every case of the list exactly once: "kernel:case" from each run's result files
declare -A from=()
for r in "${runs[@]}"; do
	for res in "$r"/*/*/result; do
		[ -f "$res" ] || continue
		p=$(kv "$res" kernel):$(kv "$res" case)
		[ -z "${from[$p]:-}" ] || die "merge: case $p appears twice (${from[$p]##*/} and ${r##*/})"
		from[$p]=$r
	done
done
for p in $(kv "$first/versions" shard_list); do
	[ -n "${from[$p]:-}" ] || die "merge: case $p is in no run (missing shard or unfinished case)"
done
[ ${#from[@]} = "$(kv "$first/versions" shard_list | wc -w)" ] ||
	die "merge: a run holds a case that is not in the shard list"

id=$(date -u +%Y%m%dT%H%M%SZ)-$$
final=$LR_RESULTS/$id
tmp=$LR_RESULTS/.merge-$id.tmp
mkdir -p "$LR_RESULTS" && mkdir "$tmp" || die "merge: cannot create $tmp"
lr_trap_cleanup
defer rm -rf "$tmp"	# (a no-op once it is renamed into place)
for p in "${!from[@]}"; do
	k=${p%%:*} c=${p#*:}
	mkdir -p "$tmp/$k" && cp -a "${from[$p]}/$k/${c//\//-}" "$tmp/$k/" ||
		die "merge: cannot copy $p from ${from[$p]}"
done
{
	echo "run_id=$id"
	echo "merged_from=$(for r in "${runs[@]}"; do printf '%s ' "${r##*/}"; done | sed 's/ $//')"
	echo "merged_shards=$(for r in "${runs[@]}"; do printf '%s ' "$(kv "$r/versions" shard)"; done | sed 's/ $//')"
	# the first shard's versions, less what is its own (host, shard, jobs)
	grep -vE '^(run_id|shard|shard_expected_s|jobs)=' "$first/versions"
} >"$tmp/versions"
"$LR_TOP/scripts/summary.sh" "$tmp" "$final" || die "merge: writing the summaries failed"
mv -T "$tmp" "$final" || die "merge: cannot rename $tmp to $final"
log "merged ${#runs[@]} shard run(s), ${#from[@]} case(s): $final/summary.md"
jq -e 'all(.cases[]; .verdict != "fail")' "$final/summary.json" >/dev/null || exit 1
exit 0
