#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of scripts/cache.sh and lib.sh's pins: make cache's listing, make
# cache-clean KEEP=…, the LOCKD_REPRO_CACHE_MAX cap (least recently used first, never an
# entry in use) and two runs at once. Pure: a fake cache in a temporary directory.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LOCKD_REPRO_CACHE=$tmp/cache
unset LOCKD_REPRO_CACHE_MAX
C=$LOCKD_REPRO_CACHE
cache=$top/scripts/cache.sh

# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"

# use ENTRY WHO [AGE]: what kernel.sh and rootfs/build.sh record, AGE minutes ago.
use() {
	(. "$top/scripts/lib.sh"; cache_use "$1" "$2") || return 1
	[ -z "${3:-}" ] || touch -d "-$3 min" "$(. "$top/scripts/lib.sh"; cache_meta used "$1")"
}
# blob FILE KB: a file of KB KiB.
blob() { mkdir -p "${1%/*}"; head -c $(($2 * 1024)) /dev/zero >"$1"; }

# a cache as one make check leaves it, plus older entries
fake_cache() {
	rm -rf "$C"
	blob "$C/downloads/linux-source-7.3_7.3.4-1~bpo13+1_all.deb" 400
	blob "$C/downloads/linux-source-6.1_6.1.176-1_all.deb" 300
	blob "$C/downloads/debs/busybox_1_amd64.deb" 20
	blob "$C/apt/sid/lists/x_Packages" 10
	blob "$C/files/7.3.4-703e369ddd4c/Makefile" 4
	blob "$C/files/6.1.176-9305d1a151b8/Makefile" 4
	blob "$C/kernels/aaaa/bzImage" 100
	printf 'version=7.3.4\npatchset=svc-sleep\n' >"$C/kernels/aaaa/info"
	blob "$C/kernels/bbbb/bzImage" 100
	printf 'version=6.1.176\npatchset=svc-sleep\n' >"$C/kernels/bbbb/info"
	blob "$C/kernels/cccc.failed.log" 8
	blob "$C/rootfs/old/client.cpio" 50
	blob "$C/rootfs/new/client.cpio" 50
	blob "$C/src/6.1.176-9305d1a151b8/Makefile" 60
	blob "$C/kernels/.tmp-dddd.999999999/obj/x" 8
	use downloads/linux-source-7.3_7.3.4-1~bpo13+1_all.deb mainline 50
	use downloads/linux-source-6.1_6.1.176-1_all.deb 6.1 60
	use files/7.3.4-703e369ddd4c mainline 40
	use files/7.3.4-703e369ddd4c harness 40
	use files/6.1.176-9305d1a151b8 6.1 60
	use kernels/aaaa "mainline 7.3.4 svc-sleep" 30
	use kernels/bbbb "6.1 6.1.176 svc-sleep" 70
	use rootfs/old "guest images" 90
	use rootfs/new "guest images" 20
	use downloads/debs "guest images" 20
}

# ---- make cache ----
out=$("$cache" list); rc=$?
[ $rc -eq 0 ] && [[ $out == "total 0B in 0 entries"* ]]; ok $? "an empty cache: total 0" "$out"
fake_cache
out=$("$cache" list); rc=$?
[ $rc -eq 0 ]; ok $? "make cache on a full cache exits 0" "$out"
line=$(grep ' kernels/aaaa ' <<<"$out")
kb=$(numfmt --to=iec --suffix=B "$(du -s -B1 "$C/kernels/aaaa" | cut -f1)")
[[ $line == kernel*"7.3.4 svc-sleep"*" $kb "*"mainline 7.3.4 svc-sleep" ]]
ok $? "a kernel: kind, version and patch set, size, its user" "$line"
line=$(grep 'linux-source-7.3_' <<<"$out")
[[ $line == download*"7.3.4-1~bpo13+1"*"mainline" ]]; ok $? "a download: its Debian version and the kernel names that use it" "$line"
line=$(grep ' files/7.3.4' <<<"$out")
[[ $line == files*"mainline, harness" ]]; ok $? "the extract: every user listed" "$line"
# the stamp's own time, not "now - 30 min" again: a minute can turn over between the two
# (it did, in a check's loaded unit lane)
# (and still 30 min old: listing is no use)
m=$(stat -c %Y "$(. "$top/scripts/lib.sh"; cache_meta used kernels/aaaa)")
want=$(date -d "@$m" '+%F %R')
line=$(grep ' kernels/aaaa ' <<<"$out")
grep -qF "$want" <<<"$line" && [ $((EPOCHSECONDS - m)) -ge 1740 ]
ok $? "last used: the stamp's time ($want)" "$line"
grep -q '^partial  kernels/.tmp-dddd.999999999' <<<"$out"; ok $? "a build in progress (or killed) is listed as partial" "$out"
grep -q '^log .*kernels/cccc.failed.log' <<<"$out"; ok $? "a failed build's log is listed" "$out"
cnt=$(grep -c -E '^(download|debs|apt|files|kernel|rootfs|src|log|partial) ' <<<"$out")
tot=$(du -s -B1 "$C" | cut -f1)
[[ $(tail -1 <<<"$out") == "total $(numfmt --to=iec --suffix=B "$tot") in $cnt entries ($C)" ]]
ok $? "the total: the whole cache's size, and the count" "$(tail -1 <<<"$out")"

# ---- make cache-clean ----
out=$("$cache" clean nosuch 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && [[ $out == "lockd-repro: unknown kernel 'nosuch'"* ]]
ok $? "cache-clean KEEP=unknown: one line, exit 2, nothing removed" "$rc $out"
[ -f "$C/kernels/bbbb/bzImage" ]; ok $? "... and nothing was removed"
out=$("$cache" clean mainline); rc=$?
[ $rc -eq 0 ]; ok $? "cache-clean KEEP=mainline exits 0" "$out"
for e in downloads/linux-source-7.3_7.3.4-1~bpo13+1_all.deb files/7.3.4-703e369ddd4c/Makefile \
	kernels/aaaa/bzImage downloads/debs apt/sid rootfs/new; do
	[ -e "$C/$e" ]; ok $? "KEEP=mainline keeps $e"
done
for e in downloads/linux-source-6.1_6.1.176-1_all.deb files/6.1.176-9305d1a151b8 kernels/bbbb \
	kernels/cccc.failed.log rootfs/old src/6.1.176-9305d1a151b8 kernels/.tmp-dddd.999999999; do
	[ ! -e "$C/$e" ]; ok $? "KEEP=mainline removes $e"
done
[ ! -e "$(. "$top/scripts/lib.sh"; cache_meta used kernels/bbbb)" ]; ok $? "a removed entry's stamp goes with it"
grep -q "^removed kernel   kernels/bbbb ($kb)" <<<"$out"; ok $? "each removal is said, with its size" "$out"
# entries from before the stamps (a cache made by an older suite): by their version
fake_cache
rm -rf "$C/.lr"
"$cache" clean 6.1 >/dev/null
[ -e "$C/kernels/bbbb" ] && [ -e "$C/downloads/linux-source-6.1_6.1.176-1_all.deb" ] &&
	[ -e "$C/files/6.1.176-9305d1a151b8" ] && [ ! -e "$C/kernels/aaaa" ] &&
	[ ! -e "$C/downloads/linux-source-7.3_7.3.4-1~bpo13+1_all.deb" ]
ok $? "unstamped entries are kept by version (6.1 keeps 6.1.176's, not 7.3.4's)" "$(ls -R "$C" | head -30)"
[ ! -e "$C/src/6.1.176-9305d1a151b8" ]; ok $? "an unstamped whole tree (an old pristine copy) goes"
"$cache" clean >/dev/null
[ -z "$(find "$C/downloads" "$C/kernels" "$C/files" -mindepth 1 2>/dev/null)" ]
ok $? "cache-clean without KEEP empties the cache" "$(ls -R "$C")"

# ---- the lock: what a running process uses stays ----
fake_cache
mkfifo "$tmp/go" "$tmp/held"
( . "$top/scripts/lib.sh"; cache_use kernels/bbbb "6.1 6.1.176 svc-sleep"; echo >"$tmp/held"; read -r _ <"$tmp/go" ) &
holder=$!
read -r _ <"$tmp/held"
out=$("$cache" clean mainline)
[ -f "$C/kernels/bbbb/bzImage" ] && grep -q "^kept    kernel   kernels/bbbb (in use" <<<"$out"
ok $? "cache-clean keeps an entry a running process pinned, and says so" "$out"
echo >"$tmp/go"; wait $holder
"$cache" clean mainline >/dev/null
[ ! -e "$C/kernels/bbbb" ]; ok $? "once that process ended, the entry can go"
# a build in progress of a live process is kept; a killed one's is removed
blob "$C/kernels/.tmp-eeee.$$/obj/x" 8
blob "$C/kernels/.tmp-ffff.999999999/obj/x" 8
"$cache" clean >/dev/null
[ -d "$C/kernels/.tmp-eeee.$$" ] && [ ! -e "$C/kernels/.tmp-ffff.999999999" ]
ok $? "cache-clean keeps a live build's temporary dir, removes a dead one's" "$(ls -a "$C/kernels")"

# ---- the cap ----
fake_cache
out=$(LOCKD_REPRO_CACHE_MAX=2GB "$cache" cap 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == "lockd-repro: LOCKD_REPRO_CACHE_MAX='2GB': "* ]]; ok $? "a bad cap: one line, exit 2" "$out"
out=$(LOCKD_REPRO_CACHE_MAX=lots "$top/scripts/kernel.sh" build mainline 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == "lockd-repro: LOCKD_REPRO_CACHE_MAX='lots': "* ]]
ok $? "a bad cap stops kernel.sh before any work" "$out"
before=$(find "$C" -type f | wc -l)
LOCKD_REPRO_CACHE_MAX=100M "$cache" cap 2>/dev/null
[ "$(find "$C" -type f | wc -l)" = "$before" ]; ok $? "under the cap: nothing removed"
max=$(($(du -s -B1 "$C" | cut -f1) - 350 * 1024))
out=$(LOCKD_REPRO_CACHE_MAX=$max "$cache" cap 2>&1)
[ "$(du -s -B1 "$C" | cut -f1)" -le $max ]; ok $? "over the cap: the cache ends under it" "$out"
# least recently used first: rootfs/old (90 min), kernels/bbbb (70), then the 6.1 download
# (60, 300 KB) brings it under; everything used later stays
[ ! -e "$C/rootfs/old" ] && [ ! -e "$C/kernels/bbbb" ] && [ ! -e "$C/downloads/linux-source-6.1_6.1.176-1_all.deb" ] &&
	[ -e "$C/kernels/aaaa" ] && [ -e "$C/rootfs/new" ] && [ -e "$C/downloads/linux-source-7.3_7.3.4-1~bpo13+1_all.deb" ]
ok $? "the least recently used entries went first, the recent ones stayed" "$out"
grep -q "removed rootfs rootfs/old" <<<"$out"; ok $? "each removal is said" "$out"
# the oldest entry pinned by a running case: the next ones go instead
fake_cache
( . "$top/scripts/lib.sh"; cache_use rootfs/old "guest images"; touch -d "-90 min" "$(cache_meta used rootfs/old)"
  echo >"$tmp/held"; read -r _ <"$tmp/go" ) &
holder=$!
read -r _ <"$tmp/held"
out=$(LOCKD_REPRO_CACHE_MAX=$max "$cache" cap 2>&1)
[ -e "$C/rootfs/old" ] && [ ! -e "$C/kernels/bbbb" ]; ok $? "the cap never removes an entry in use" "$out"
echo >"$tmp/go"; wait $holder

# ---- two runs at once ----
# Each pins its own kernel and then trims the cache to 1 byte while the other does the
# same: neither may remove the other's entry; the unpinned ones go. Two barriers (a file
# per run and step, polled): both pinned before either trims, both trimmed before either
# looks, so the runs overlap however slow the machine is.
fake_cache
both() { [ -e "$tmp/$1.aaaa" ] && [ -e "$tmp/$1.bbbb" ]; }
run() {	# run ENTRY: a run that uses ENTRY, trims to nothing, and checks ENTRY is still there
	. "$top/scripts/lib.sh"
	cache_use "$1" "run $BASHPID"
	: >"$tmp/pinned.${1#kernels/}"; slowwait 60 both pinned || return 3
	LOCKD_REPRO_CACHE_MAX=1 "$cache" cap 2>/dev/null
	: >"$tmp/trimmed.${1#kernels/}"; slowwait 60 both trimmed || return 3
	[ -f "$C/$1/bzImage" ]
}
( run kernels/aaaa ) & a=$!
( run kernels/bbbb ) & b=$!
wait $a; ra=$?; wait $b; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && [ -f "$C/kernels/aaaa/bzImage" ] && [ -f "$C/kernels/bbbb/bzImage" ]
ok $? "two runs trimming at once keep each other's entries" "$ra $rb $(ls "$C/kernels")"
[ ! -e "$C/rootfs/old" ] && [ ! -e "$C/downloads/linux-source-6.1_6.1.176-1_all.deb" ]
ok $? "... and the entries neither uses are gone" "$(ls -R "$C" | head -20)"

tap_end
