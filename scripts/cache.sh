#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# cache.sh: what the kernel cache ($LOCKD_REPRO_CACHE) holds, and trimming it.
#
#   cache.sh list            one line per entry: kind, entry, version, size, last used, used
#                            by; then the total (make cache)
#   cache.sh clean [NAME...] remove every entry except what the named kernels need and the
#                            entries a running process uses (make cache-clean KEEP="…")
#   cache.sh cap             with LOCKD_REPRO_CACHE_MAX=SIZE (bytes, or K M G T): remove the
#                            least recently used entries until the cache fits; never one
#                            in use (kernel.sh and rootfs/build.sh call it after adding)
#   cache.sh size            the cache's size in bytes (for the figures)
#   cache.sh downloaded      the bytes fetched into it (.lr/downloads.log)
#
# Entries, the last-use stamps and the pins that keep a running case's entries: lib.sh
# ("the cache's entries"). Removal holds $LR_CACHE/.lr/lock exclusively and takes each
# entry's pin exclusively first, so two runs never remove what the other uses.
# Exit: 0 ok, 2 bad input (an unknown kernel name, a bad size).
set -u -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KP_DIR=${KP_DIR:-$LR_TOP/kernel-patches}

# entries: "kind entry" for everything in the cache (entries as in lib.sh; a build or an
# unpack in progress is "partial"; failed-build logs and verify-repro leftovers are "log").
entries() {
	local e
	cd "$LR_CACHE" 2>/dev/null || return 0
	for e in downloads/*; do
		[ -e "$e" ] || continue
		case $e in
		downloads/debs) echo "debs $e" ;;
		downloads/SHA256SUMS) ;;
		*) echo "download $e" ;;
		esac
	done
	for e in apt/* files/* src/* kernels/* rootfs/* verify/*; do
		[ -e "$e" ] || continue
		case $e in
		src/*.tmp.* | verify/*.[0-9]*) echo "partial $e" ;;
		kernels/*.failed.log | kernels/*.config.rejected | verify/*) echo "log $e" ;;
		apt/*) echo "apt $e" ;;
		files/*) echo "files $e" ;;
		src/*) echo "src $e" ;;
		kernels/*) echo "kernel $e" ;;
		rootfs/*) echo "rootfs $e" ;;
		esac
	done
	# dot names (the glob skips them): work in progress, or left by a killed run
	for e in files/.* src/.* kernels/.tmp-* rootfs/.tmp.*; do
		case ${e##*/} in . | .. | .lr-*) continue ;; esac
		[ -e "$e" ] && echo "partial $e"
	done
}

# version KIND ENTRY: what the entry is a version of.
version() {
	local b=${2##*/}
	case $1 in
	download)
		case $b in
		*.deb) b=${b%_all.deb}; echo "${b#*_}" ;;
		*) b=${b#linux-}; echo "${b%.tar*}" ;;
		esac ;;
	apt) echo "$b" ;;
	files | src) echo "${b%%-*}" ;;
	kernel) [ -f "$2/info" ] && echo "$(sed -n 's/^version=//p' "$2/info") $(sed -n 's/^patchset=//p' "$2/info")" || echo - ;;
	*) echo - ;;
	esac
}

size_of() { local s; s=$(du -s -B1 "$1" 2>/dev/null | cut -f1); echo "${s:-0}"; }

# last_used ENTRY: epoch seconds of its stamp, or of the entry itself when it has none.
last_used() {
	local s
	s=$(cache_meta used "$1")
	[ -f "$s" ] || s=$1
	stat -c %Y "$s" 2>/dev/null || echo 0
}

users() {
	local s
	s=$(cache_meta used "$1")
	[ -s "$s" ] && paste -sd, "$s" | sed 's/,/, /g' || echo -
}

human() { numfmt --to=iec --suffix=B "$1" 2>/dev/null || echo "${1}B"; }

cmd_list() {
	local kind e n=0
	cd "$LR_CACHE" 2>/dev/null || { echo "total 0B in 0 entries ($LR_CACHE)"; return 0; }
	printf '%-8s %-58s %-30s %7s  %-16s  %s\n' KIND ENTRY VERSION SIZE "LAST USED" "USED BY"
	while read -r kind e; do
		n=$((n + 1))
		printf '%-8s %-58s %-30s %7s  %-16s  %s\n' "$kind" "$e" "$(version "$kind" "$e")" \
			"$(human "$(size_of "$e")")" "$(date -d "@$(last_used "$e")" '+%F %R')" "$(users "$e")"
	done < <(entries)
	printf 'total %s in %d entries (%s%s)\n' "$(human "$(total)")" "$n" "$LR_CACHE" \
		"${LOCKD_REPRO_CACHE_MAX:+, cap $LOCKD_REPRO_CACHE_MAX}"
	[ ! -s .lr/downloads.log ] ||
		printf 'downloaded into it: %s in %d fetches (.lr/downloads.log)\n' "$(human "$(downloaded)")" "$(wc -l <.lr/downloads.log)"
}

# downloaded: bytes fetched into this cache, from .lr/downloads.log (lib.sh cache_downloaded).
downloaded() { awk '{t += $1} END {printf "%d\n", t}' "$LR_CACHE/.lr/downloads.log" 2>/dev/null || echo 0; }

total() { size_of "$LR_CACHE"; }

# ---- removal ----

# lock_all: the exclusive cache lock (no process pins while it is held), fd 8.
lock_all() {
	mkdir -p "$LR_CACHE/.lr" || die "cannot write $LR_CACHE"
	exec 8>>"$LR_CACHE/.lr/lock"
	flock 8
}

# busy ENTRY: work in progress of a live process, by the pid in its name: kernels/.tmp-<key>.<pid>,
# rootfs/.tmp.<pid>, src/<tree>.tmp.<pid>, files/.extract.<pid>.XXXXXX, verify/<key>.<pid>.
busy() {
	[[ ${1##*/} =~ (^\.tmp-[0-9a-f]+|\.tmp|^\.extract|^[0-9a-f]{16})\.([0-9]+)(\.|$) ]] &&
		kill -0 "${BASH_REMATCH[2]}" 2>/dev/null
}

# remove ENTRY: remove it unless a process uses it (its pin held, or it is a live process's
# work in progress). 1: in use, kept.
remove() {
	local e=$1 fd pin
	! busy "$e" || return 1
	pin=$(cache_meta pin "$e")
	mkdir -p "${pin%/*}"
	exec {fd}>>"$pin"
	if ! flock -x -n "$fd"; then
		exec {fd}>&-
		return 1
	fi
	rm -rf "${LR_CACHE:?}/$e" "$(cache_meta used "$e")"
	rm -f "$pin"
	exec {fd}>&-
}

# keep_words NAME...: the users' first words and versions that the named kernels' entries
# carry (a name, e.g. "mainline", and the table's version, e.g. "7.3", for entries from
# before the stamps; "ksrc" for the kernels built from KSRC= trees). Dies on an unknown name.
keep_words() {
	local n v
	for n in "$@"; do
		[ "$n" != ksrc ] || { echo ksrc; continue; }
		v=$(awk -v n="$n" '!/^#/ && $1 == n {print $2; exit}' "$KP_DIR/kernels.tsv")
		[ -n "$v" ] || die "unknown kernel '$n' (known: $(awk '!/^#/ && NF {printf "%s ", $1}' "$KP_DIR/kernels.tsv"))"
		echo "$n $v"
	done
}

# needed KIND ENTRY WORDS: whether the entry serves one of the kept kernels (WORDS from
# keep_words), or the guests and tests of any kernel (guest packages, apt lists, the
# newest guest images, the kselftest harness).
needed() {
	local kind=$1 e=$2 words=$3 w u v
	case $kind in
	debs | apt) return 0 ;;
	rootfs) [ "$e" = "$NEWEST_ROOTFS" ]; return ;;
	log | partial) return 1 ;;
	esac
	u=$(cache_meta used "$e")
	if [ -f "$u" ]; then
		grep -qx harness "$u" && return 0
		for w in $words; do
			awk -v w="$w" '$1 == w {f = 1} END {exit !f}' "$u" && return 0
		done
		return 1
	fi
	# an entry from before the stamps: by its version (the table's 7.3 keeps 7.3.4); not a
	# whole tree in src/ (the old pristine copies: no build reads them any more)
	v=$(version "$kind" "$e")
	for w in $words; do
		case $kind:$e:$v in
		download:*/linux-source-"$w"_* | download:*/linux-"$w".tar* | files:*/"$w"[.-]* | \
		kernel:*:"$w"[.\ ]*) return 0 ;;
		esac
	done
	return 1
}

cmd_clean() {
	local words kind e freed=0 s kept=0
	words=$(keep_words "$@" | tr '\n' ' ') || exit 2
	cd "$LR_CACHE" 2>/dev/null || { echo "cache: $LR_CACHE is empty"; return 0; }
	lock_all
	NEWEST_ROOTFS=
	if [ $# -gt 0 ]; then
		NEWEST_ROOTFS=$(entries | awk '$1 == "rootfs" {print $2}' | while read -r e; do
			echo "$(last_used "$e") $e"; done | sort -n | tail -1 | cut -d' ' -f2)
	fi
	while read -r kind e; do
		if [ $# -gt 0 ] && needed "$kind" "$e" "$words"; then
			continue
		fi
		s=$(size_of "$e")
		if remove "$e"; then
			freed=$((freed + s))
			printf 'removed %-8s %s (%s)\n' "$kind" "$e" "$(human "$s")"
		else
			kept=$((kept + 1))
			printf 'kept    %-8s %s (in use by a running process)\n' "$kind" "$e"
		fi
	done < <(entries)
	printf 'freed %s; the cache now holds %s%s\n' "$(human "$freed")" "$(human "$(total)")" \
		"${1:+ (kept for: $*)}"
}

# max_bytes: LOCKD_REPRO_CACHE_MAX in bytes (2G, 500M, 1073741824); dies on anything else.
max_bytes() {
	cache_max_check
	numfmt --from=iec "$LOCKD_REPRO_CACHE_MAX"
}

cmd_cap() {
	local max t kind e s
	[ -n "${LOCKD_REPRO_CACHE_MAX:-}" ] || return 0
	max=$(max_bytes) || exit 2
	cd "$LR_CACHE" 2>/dev/null || return 0
	t=$(total)
	[ "$t" -gt "$max" ] || return 0
	lock_all
	# least recently used first; work in progress is never a candidate
	while read -r _ kind e; do
		[ "$t" -gt "$max" ] || break
		s=$(size_of "$e")
		remove "$e" || continue
		t=$((t - s))
		log "cache: removed $kind $e ($(human "$s"), least recently used) to stay under $LOCKD_REPRO_CACHE_MAX"
	done < <(entries | while read -r kind e; do
		[ "$kind" = partial ] || echo "$(last_used "$e") $kind $e"; done | sort -n)
	t=$(total)
	[ "$t" -le "$max" ] ||
		warn "cache: $(human "$t") is over LOCKD_REPRO_CACHE_MAX=$LOCKD_REPRO_CACHE_MAX; the rest is in use"
}

case ${1:-} in
list) cmd_list ;;
clean) shift; cmd_clean "$@" ;;
cap) cmd_cap ;;
size) total ;;
downloaded) downloaded ;;
*) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0" >&2
   die "cache.sh: unknown command '${1:-}'" ;;
esac
