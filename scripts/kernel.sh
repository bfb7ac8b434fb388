#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kernel.sh: resolve, patch, configure and build the guest kernels, cached and reproducible.
#
#   kernel.sh build NAME...         build (or reuse) each kernel; one summary line each
#   kernel.sh info NAME             build if needed; key=value lines (docs/internals.md)
#   kernel.sh srcdir NAME           unpack and patch the whole tree, keep it in src/, print it
#   kernel.sh harness               print the dir of mainline's kselftest_harness.h (2 files)
#   kernel.sh verify-repro NAME...  build twice in separate dirs, compare the bzImages
#   kernel.sh dryrun                patch --dry-run of every patch set against every source
#                                   this machine can get (TAP)
#   kernel.sh unit                  the unit tests of resolution and series selection (TAP)
#   kernel.sh list                  the known names
#
# NAME: a name in kernel-patches/kernels.tsv (4.19 5.10 6.1 6.12 7.2 7.3 mainline).
# Environment: KSRC=/path (a git checkout or unpacked tree; overrides the source of every
# NAME), PATCHSET=svc-sleep|verbatim|no-reuseport, KJOBS (make -j, default nproc),
# LOCKD_REPRO_CACHE (cache dir), LR_KORG_TIMEOUT (kernel.org connect timeout, default 5 s),
# LR_VERIFY_REUSE=1 (verify-repro: the cached bzImage counts as the first build),
# KEEP_SRC=1 (keep the whole unpacked, patched tree in the cache's src/ after a build),
# LOCKD_REPRO_CACHE_MAX (after a build, trim the cache to it: scripts/cache.sh cap).
# Exit: 0 ok (a kernel with no reachable source is a SKIP line), 2 setup error.
set -u -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KP_DIR=${KP_DIR:-$LR_TOP/kernel-patches}
PATCHSET=${PATCHSET:-svc-sleep}
KJOBS=${KJOBS:-$(nproc)}
KORG=https://cdn.kernel.org/pub/linux/kernel
LR_KORG_TIMEOUT=${LR_KORG_TIMEOUT:-5}
# Bump when the build recipe below changes in a way that changes the bzImage.
# 2: ARCH=x86_64 CROSS_COMPILE= on kbuild's command line (verify-repro saw other bytes)
RECIPE=2
DL=$LR_CACHE/downloads
SUMS=$DL/SHA256SUMS

# ---- the kernels table ----

known_names() { awk '!/^#/ && NF {print $1}' "$KP_DIR/kernels.tsv"; }

# table_row NAME: set T_NAME T_VER T_SUITE T_TARBALL T_SHA, or die with the known names.
table_row() {
	local row
	row=$(awk -v n="$1" '!/^#/ && $1 == n {print; exit}' "$KP_DIR/kernels.tsv")
	[ -n "$row" ] || die "unknown kernel '$1' (known: $(known_names | tr '\n' ' ')or KSRC=/path)"
	read -r T_NAME T_VER T_SUITE T_TARBALL T_SHA <<<"$row"
}

# makefile_version DIR: the version in DIR's top Makefile (VERSION.PATCHLEVEL.SUBLEVEL+EXTRA).
makefile_version() {
	[ -f "$1/Makefile" ] || return 1
	awk -F= '
		/^VERSION *=/      {gsub(/[ \t]/, "", $2); v = $2}
		/^PATCHLEVEL *=/   {gsub(/[ \t]/, "", $2); p = $2}
		/^SUBLEVEL *=/     {gsub(/[ \t]/, "", $2); s = $2}
		/^EXTRAVERSION *=/ {gsub(/[ \t]/, "", $2); e = $2}
		END { if (v == "" || p == "") exit 1; print v "." p "." (s == "" ? 0 : s) e }' "$1/Makefile"
}

# vnum X.Y[.Z…]: X*1000+Y, to order kernel lines.
vnum() { local IFS=.; set -- $1; echo $(($1 * 1000 + ${2%%[!0-9]*})); }

# ---- patch series ----

# lines: the patch lines (kernel-patches/<X.Y>/series), one a line.
lines() {
	local d
	for d in "$KP_DIR"/*/series; do
		[ -f "$d" ] || continue
		d=${d%/series}; d=${d##*/}
		[[ $d =~ ^[0-9]+\.[0-9]+$ ]] && echo "$d"
	done
}

# line_candidates VERSION: the lines to try, nearest first. A line equal to the version's
# X.Y comes first; then by distance, the older line first on a tie.
line_candidates() {
	local want l
	want=$(vnum "$1")
	for l in $(lines); do
		local d=$(($(vnum "$l") - want)) older=0
		[ $d -le 0 ] || older=1
		echo "${d#-} $older $l"
	done | sort -n -k1,1 -k2,2 | awk '{print $3}'
}

# series_patches LINE PATCHSET: the patch files the set names, in order (a set may name
# several). Returns 1 when the set is not in the line's series, 3 (printing the reason)
# when the series says "SET - reason": the set cannot exist on that line.
series_patches() {
	local s=$KP_DIR/$1/series p f
	p=$(awk -v s="$2" '!/^#/ && $1 == s {f = 1; if ($2 == "-") {$1 = $2 = ""; sub(/^ +/, ""); print; exit 3}
		for (i = 2; i <= NF; i++) print $i} END {if (!f) exit 1}' "$s")
	case $? in 0) ;; 3) echo "$p"; return 3 ;; *) return 1 ;; esac
	for f in $p; do echo "$KP_DIR/$1/$f"; done
}

patchsets() { awk '!/^#/ && NF {print $1}' "$KP_DIR"/*/series 2>/dev/null | sort -u; }

check_patchset() {
	patchsets | grep -qxF -- "$1" ||
		die "unknown PATCHSET '$1' (known: $(patchsets | tr '\n' ' ' | sed 's/ $//'))"
}

# dry_apply TREE PATCH...: patch --dry-run each in turn (fuzz 0: context must match; offsets
# are fine). On failure prints "FILE: hunk #N FAILED at L (SRCFILE)" for the first failure.
dry_apply() {
	local tree=$1 p out; shift
	# One by one would not see a later patch that depends on an earlier one, so apply the
	# set to a scratch copy of the touched files.
	local scratch
	scratch=$(mktemp -d) || return 2
	patch_targets "$@" | while read -r f; do
		mkdir -p "$scratch/$(dirname "$f")"
		[ -f "$tree/$f" ] && cp "$tree/$f" "$scratch/$f"
	done
	for p in "$@"; do
		if ! out=$(patch -d "$scratch" -p1 -F0 -N --no-backup-if-mismatch -r - <"$p" 2>&1); then
			local hunk
			hunk=$(printf '%s\n' "$out" | grep -m1 -E 'FAILED|can.t find file|Reversed|malformed|Only garbage' |
				sed 's/ -- saving rejects.*//')
			local target
			target=$(printf '%s\n' "$out" | grep -m1 '^patching file' | sed 's/^patching file //')
			echo "${p#"$LR_TOP"/}: ${hunk:-does not apply}${target:+ ($target)}"
			rm -rf "$scratch"
			return 1
		fi
	done
	rm -rf "$scratch"
}

# select_line TREE VERSION PATCHSET: print the nearest line whose PATCHSET applies to TREE.
# Failing that, one line naming the nearest line's failing file and hunk, and fail.
select_line() {
	local tree=$1 ver=$2 set=$3 l pats first_err=
	for l in $(line_candidates "$ver"); do
		pats=$(series_patches "$l" "$set")
		case $? in
		0) ;;
		3) echo "kernel-patches/$l/series: $set: $pats"; return 3 ;;
		*) continue ;;
		esac
		# shellcheck disable=SC2086
		if err=$(dry_apply "$tree" $pats); then
			echo "$l"
			return 0
		fi
		[ -n "$first_err" ] || first_err="$err (line $l)"
	done
	echo "${first_err:-no line in kernel-patches/ has patch set $set}"
	return 1
}

# ---- config fragments ----

# fragments VERSION: the fragments for VERSION, in merge order. config.fragment always;
# config.since-X.Y.fragment when VERSION >= X.Y; config.until-X.Y.fragment when <= X.Y.
fragments() {
	local v f b
	v=$(vnum "$1")
	echo "$KP_DIR/config.fragment"
	for f in "$KP_DIR"/config.since-*.fragment "$KP_DIR"/config.until-*.fragment; do
		[ -f "$f" ] || continue
		b=${f##*/config.}; b=${b%.fragment}
		case $b in
		since-*) [ "$v" -ge "$(vnum "${b#since-}")" ] && echo "$f" ;;
		until-*) [ "$v" -le "$(vnum "${b#until-}")" ] && echo "$f" ;;
		esac
	done
}

# config_dropped CONFIG FRAGMENT...: print each requested option that .config lacks.
config_dropped() {
	local cfg=$1; shift
	awk '
		FNR == NR { if (/^CONFIG_/) { split($0, a, "="); have[a[1]] = $0 }; next }
		/^CONFIG_[A-Za-z0-9_]+=/ { split($0, a, "="); if (!(a[1] in have)) printf "%s (got unset)\n", $0
			else if (have[a[1]] != $0) printf "%s (got %s)\n", $0, substr(have[a[1]], length(a[1]) + 2) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { if ($2 in have) printf "%s=n (got %s)\n", $2,
			substr(have[$2], length($2) + 2) }
	' "$cfg" "$@"
}

# ---- the download cache ----

recorded_sha() { [ -f "$SUMS" ] && awk -v f="$1" '$2 == f {print $1}' "$SUMS" | tail -1; }
record_sha() {	# record_sha FILE SHA
	mkdir -p "$DL"
	{ [ -f "$SUMS" ] && awk -v f="$1" '$2 != f' "$SUMS"; echo "$2  $1"; } | atomic_write "$SUMS"
	chmod 644 "$SUMS"
}

# cached_file FILE [PINNED]: succeed (setting C_SHA) when downloads/FILE exists and
# matches the pinned or recorded sha256; a mismatch is fatal (the file is never used).
cached_file() {
	local f=$1 pin=${2:--} want
	C_SHA=
	[ -f "$DL/$f" ] || return 1
	want=$pin
	[ "$want" != - ] || want=$(recorded_sha "$f")
	C_SHA=$(sha256 "$DL/$f")
	if [ -z "$want" ]; then
		# Dropped in by hand with nothing to check it against: trust on first use, and say so.
		warn "$DL/$f: no pinned or recorded sha256; recording $C_SHA"
		record_sha "$f" "$C_SHA"
	elif [ "$C_SHA" != "$want" ]; then
		die "$DL/$f: sha256 $C_SHA, expected $want (corrupt or replaced; delete it to fetch again)"
	fi
}

# korg_fetch PATH PINNED: download a kernel.org tarball, check it against the pinned sha256
# or kernel.org's sha256sums.asc, record it. Short connect timeout: often unreachable.
korg_fetch() {
	local path=$1 pin=$2 f=${1##*/} tmp want got
	command -v curl >/dev/null || return 1
	mkdir -p "$DL"
	tmp=$(mktemp "$DL/.$f.XXXXXX") || return 1
	if ! curl -fsL --connect-timeout "$LR_KORG_TIMEOUT" -o "$tmp" "$KORG/$path"; then
		rm -f "$tmp"; return 1
	fi
	want=$pin
	if [ "$want" = - ]; then
		want=$(curl -fsL --connect-timeout "$LR_KORG_TIMEOUT" "$KORG/${path%/*}/sha256sums.asc" |
			awk -v f="$f" '$2 == f {print $1}')
	fi
	got=$(sha256 "$tmp")
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		rm -f "$tmp"
		die "$KORG/$path: sha256 $got does not match ${want:-any entry in kernel.org sha256sums.asc}"
	fi
	mv -f "$tmp" "$DL/$f"
	cache_downloaded "$DL/$f"
	record_sha "$f" "$got"
}

# newest_deb PKG: the highest-versioned downloads/PKG_*.deb.
newest_deb() {
	local best= d v bv=
	for d in "$DL/$1"_*.deb; do
		[ -f "$d" ] || continue
		v=${d##*/}; v=${v#"$1"_}; v=${v%_all.deb}; v=${v//%3a/:}
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$bv"; then best=$d bv=$v; fi
	done
	[ -n "$best" ] && echo "${best##*/}"
}

# ---- resolution ----

# resolve NAME: set S_KIND (ksrc|tarball|deb) S_FILE (path) S_SHA S_DESC S_LINEVER.
# Returns 1 when no source is reachable (the caller prints SKIP).
resolve() {
	local name=$1 f pkg
	S_NAME=$name
	if [ -n "${KSRC:-}" ]; then
		# KSRC names one tree for whatever NAME is given; the name is only a label.
		[ "$name" = ksrc ] || table_row "$name"
		[ -d "$KSRC" ] || die "KSRC=$KSRC: not a directory"
		S_KIND=ksrc S_FILE=$(cd "$KSRC" && pwd)
		S_LINEVER=$(makefile_version "$S_FILE") || die "KSRC=$KSRC: no kernel top Makefile (VERSION/PATCHLEVEL)"
		S_SHA=$(tree_sha "$S_FILE")
		S_DESC="ksrc:$S_FILE"
		if [ -d "$S_FILE/.git" ] || git -C "$S_FILE" rev-parse --git-dir >/dev/null 2>&1; then
			S_DESC+="@$(git -C "$S_FILE" rev-parse --short=12 HEAD 2>/dev/null)"
			[ -z "$(git -C "$S_FILE" status --porcelain -uno 2>/dev/null | head -1)" ] || S_DESC+="+dirty"
		fi
		return 0
	fi
	table_row "$name"
	S_LINEVER=$T_VER
	pkg=linux-source-$(echo "$T_VER" | cut -d. -f1,2)
	# 1 the download cache (pinned before it is looked at: see lib.sh cache_pin)
	[ "$T_TARBALL" = - ] || cache_pin "downloads/${T_TARBALL##*/}"
	if [ "$T_TARBALL" != - ] && cached_file "${T_TARBALL##*/}" "$T_SHA"; then
		S_SHA=$C_SHA S_KIND=tarball S_FILE=$DL/${T_TARBALL##*/} S_DESC="kernel.org:${T_TARBALL##*/}"
		return 0
	fi
	if [ "$T_SUITE" != - ] && f=$(newest_deb "$pkg") && cache_pin "downloads/$f" && cached_file "$f"; then
		S_SHA=$C_SHA S_KIND=deb S_FILE=$DL/$f S_DESC="debian:$(deb_id "$f")"
		return 0
	fi
	# 2 Debian, through the private apt configuration
	if [ "$T_SUITE" != - ]; then
		log "$name: fetching $pkg from Debian $T_SUITE"
		if f=$(apt_download "$T_SUITE" "$pkg" "$DL") && [ -n "$f" ]; then
			f=${f##*/}
			cache_pin "downloads/$f"
			cache_downloaded "$DL/$f"
			# apt checked it against the signed index; record it for later runs
			record_sha "$f" "$(sha256 "$DL/$f")"
			cached_file "$f" || return 1
			S_SHA=$C_SHA S_KIND=deb S_FILE=$DL/$f S_DESC="debian:$(deb_id "$f")"
			return 0
		fi
		warn "$name: $pkg not available from Debian $T_SUITE"
	fi
	# 3 kernel.org
	if [ "$T_TARBALL" != - ]; then
		log "$name: fetching ${T_TARBALL##*/} from kernel.org"
		if korg_fetch "$T_TARBALL" "$T_SHA"; then
			cached_file "${T_TARBALL##*/}" "$T_SHA" || return 1
			S_SHA=$C_SHA S_KIND=tarball S_FILE=$DL/${T_TARBALL##*/} S_DESC="kernel.org:${T_TARBALL##*/}"
			return 0
		fi
	fi
	return 1
}

deb_id() { local b=${1%_all.deb}; echo "${b%%_*}=${b#*_}"; }

skip_reason() {
	table_row "$1"
	local w="KSRC=/path/to/linux-$T_VER tree"
	[ "$T_TARBALL" = - ] || w+=", or put ${T_TARBALL##*/} in $DL/"
	[ "$T_SUITE" = - ] || w+=", or reach Debian $T_SUITE (linux-source-${T_VER%.*})"
	[ "$T_TARBALL" = - ] || w+=", or reach $KORG"
	echo "no source reachable: give $w"
}

# tree_sha DIR: identity of a source tree. A git checkout: HEAD plus its uncommitted diff;
# otherwise every file's path, size and mtime.
tree_sha() {
	local d=$1
	if git -C "$d" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		{ git -C "$d" rev-parse HEAD; git -C "$d" diff HEAD --binary; } | sha256sum | cut -d' ' -f1
	else
		(cd "$d" && find . -type f ! -path './.git/*' -printf '%P %s %T@\n' | LC_ALL=C sort) |
			sha256sum | cut -d' ' -f1
	fi
}

# ---- unpack only what is needed ----

# The userspace headers tests/Makefile compiles the tests against (mainline's, always).
HARNESS_FILES="tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h"

# patch_targets PATCH...: the files the patches write ("+++ b/" lines), sorted, once each.
patch_targets() {
	awk '/^\+\+\+ b\// {sub(/^\+\+\+ b\//, ""); sub(/\t.*/, ""); print}' "$@" | LC_ALL=C sort -u
}

# needed_files: all that the line choice, the dry runs and the build key read of a source:
# its top Makefile (version, build timestamp), every file a patch of kernel-patches/
# touches, and the kselftest harness.
needed_files() {
	# shellcheck disable=SC2086
	{ echo Makefile; printf '%s\n' $HARNESS_FILES; patch_targets "$KP_DIR"/*/*.patch; } |
		LC_ALL=C sort -u
}

# source_stream: the resolved tarball or .deb's kernel source, as an uncompressed tar stream
# whose members have one leading directory.
source_stream() {
	local inner
	case $S_KIND in
	tarball)
		decompress "$S_FILE" <"$S_FILE"
		;;
	deb)
		inner=$(dpkg-deb -c "$S_FILE" | awk '$6 ~ /^\.\/usr\/src\/linux-source-.*\.tar\.(xz|bz2|gz|zst)$/ {print $6; exit}')
		[ -n "$inner" ] || { echo "$S_FILE: no usr/src/linux-source-*.tar.* inside" >&2; return 1; }
		dpkg-deb --fsys-tarfile "$S_FILE" | tar -xOf - "$inner" | decompress "$inner"
		;;
	esac
}

# extract_files DIR FILE...: only FILE... of the resolved source into DIR. A file the
# source lacks is not an error (its patch's dry run then says "can't find file"); any
# other complaint of tar's is.
extract_files() {
	local dir=$1 err; shift
	# one directory level before each name: the tarball's top directory, whatever it is
	err=$(source_stream | tar -C "$dir" --strip-components=1 --wildcards --no-wildcards-match-slash \
		-xf - "${@/#/*/}" 2>&1 | grep -vE 'Not found in archive|Exiting with failure status due to previous errors')
	[ -z "$err" ] || { printf '%s\n' "$err" | head -3 >&2; return 1; }
	[ -f "$dir/Makefile" ]
}

# sources: the few files of the resolved source that everything short of a build reads
# (needed_files), without unpacking the tree: $LR_CACHE/files/<version>-<sha12>/, a few
# hundred KB, kept. A KSRC tree is read in place. Sets S_PRISTINE and S_VERSION.
sources() {
	local sha12=${S_SHA:0:12} d tmp want
	if [ "$S_KIND" = ksrc ]; then
		S_PRISTINE=$S_FILE S_VERSION=$S_LINEVER
		return 0
	fi
	cache_use "downloads/${S_FILE##*/}" "$S_NAME"
	want=$(needed_files)
	mkdir -p "$LR_CACHE/files"
	for d in "$LR_CACHE/files"/*-"$sha12"; do
		cache_pin "files/${d##*/}"
		[ -f "$d/.lr-files" ] || continue
		# a patch that touches a new file makes the extract stale: extract again
		[ -z "$(LC_ALL=C comm -23 <(echo "$want") "$d/.lr-files")" ] || continue
		S_PRISTINE=$d S_VERSION=$(makefile_version "$d")
		cache_use "files/${d##*/}" "$S_NAME"
		return 0
	done
	tmp=$(mktemp -d "$LR_CACHE/files/.extract.$$.XXXXXX") || die "cannot write $LR_CACHE/files"
	chmod 755 "$tmp"
	defer rm -rf "$tmp"
	log "$S_NAME: extracting $(echo "$want" | wc -l) files from $S_DESC"
	# shellcheck disable=SC2086
	extract_files "$tmp" $want || die "$S_NAME: cannot extract from $S_FILE"
	S_VERSION=$(makefile_version "$tmp") || die "$S_NAME: $S_DESC has no kernel top Makefile"
	echo "$want" >"$tmp/.lr-files"
	d=$LR_CACHE/files/$S_VERSION-$sha12
	cache_pin "files/${d##*/}"
	# a stale one (it lacks a file the patches now touch) is replaced, not kept
	if [ -f "$d/.lr-files" ] && [ -n "$(LC_ALL=C comm -23 <(echo "$want") "$d/.lr-files")" ]; then
		mv -T "$d" "$d.stale.$$" && rm -rf "$d.stale.$$"
	fi
	publish "$tmp" "$d"
	S_PRISTINE=$d
	cache_use "files/${d##*/}" "$S_NAME"
}

# publish TMP DIR: rename a finished TMP to DIR. A DIR another run finished first wins (it
# may be in use; it is never replaced); TMP is then dropped.
publish() {
	if [ -d "$2" ]; then
		rm -rf "$1"
		return 0
	fi
	mv -T "$1" "$2" 2>/dev/null || { rm -rf "$1"; [ -d "$2" ] || die "cannot rename $1 to $2"; }
}

# decompress NAME: stdin decompressed as NAME's suffix says (a plain .tar as it is).
decompress() {
	case $1 in *.xz) xz -dc ;; *.bz2) bzip2 -dc ;; *.gz) gzip -dc ;; *.zst) zstd -dc ;; *) cat ;; esac
}

# patch_hash LINE PATCHSET: identity of the patches the set applies on LINE.
patch_hash() {
	local p
	# the diffs only: rewording a patch's description does not invalidate the cache
	for p in $(series_patches "$1" "$2"); do sed -n '/^--- /,$p' "$p"; done | sha256sum | cut -c1-16
}

# choose_line: the patch line for PATCHSET, by dry runs on copies of the few touched files
# (cheap enough to redo each time). Sets S_LINE S_PHASH.
choose_line() {
	local out
	if ! out=$(select_line "$S_PRISTINE" "$S_VERSION" "$PATCHSET"); then
		[ "$S_KIND" = ksrc ] && die "$S_NAME: $PATCHSET does not apply to $S_VERSION ($S_FILE): $out"
		die "$S_NAME: $PATCHSET does not apply to $S_VERSION: $out"
	fi
	S_LINE=$out
	S_PHASH=$(patch_hash "$S_LINE" "$PATCHSET")
}

# kept_dir: where KEEP_SRC=1 (and srcdir) keep the whole patched tree.
kept_dir() { echo "$LR_CACHE/src/$S_VERSION-${S_SHA:0:12}+$PATCHSET-$S_LINE-$S_PHASH"; }

# build_tree DIR: the whole patched source in DIR (new), for a build. A tarball or .deb is
# unpacked. A KSRC tree is hard-linked file by file, never copied: the user's files are
# never written (the patched files are replaced by copies first; kbuild writes only to
# O=); a tree on another filesystem than the cache is copied, and dropped after the build.
build_tree() {
	local dir=$1 p f e
	mkdir -p "$dir" || die "cannot write $dir"
	case $S_KIND in
	ksrc)
		log "$S_NAME: linking $S_FILE (hard links; the patched files are copies)"
		for e in "$S_FILE"/* "$S_FILE"/.[!.]*; do
			[ -e "$e" ] && [ "${e##*/}" != .git ] || continue
			if ! cp -al "$e" "$dir/" 2>/dev/null; then
				warn "$S_NAME: cannot hard-link $S_FILE into $LR_CACHE (another filesystem, or files of another user): copying it for this build only"
				rm -rf "$dir" && mkdir -p "$dir"
				tar -C "$S_FILE" --exclude=.git -cf - . | tar -C "$dir" -xf - || die "$S_NAME: cannot copy $S_FILE"
				break
			fi
		done
		# a tree that has been built in: make it fit for an O= build (mrproper only
		# removes files, so the links to the user's tree stay untouched)
		if [ -e "$dir/.config" ] || [ -d "$dir/include/config" ]; then
			make -s -C "$dir" mrproper >/dev/null 2>&1 || die "$S_NAME: make mrproper failed in the link tree of $S_FILE"
		fi
		# shellcheck disable=SC2046
		for f in $(patch_targets $(series_patches "$S_LINE" "$PATCHSET")); do
			[ -f "$S_FILE/$f" ] && cp --remove-destination "$S_FILE/$f" "$dir/$f"
		done
		;;
	*)
		log "$S_NAME: unpacking $S_DESC (the whole tree, for this build only)"
		# but for the C sources of drivers/gpu/drm (about 600 MB of 1.6 GB in 7.3): the
		# fragments build no DRM driver; kbuild walks those directories for their Makefiles
		# and Kconfig files only (a C file it needed would fail the build, not change it).
		# Not all of drivers/gpu: up to 6.x it holds vgaarb.c, which VGA_ARB=y builds.
		source_stream | tar -C "$dir" --strip-components=1 --exclude='drivers/gpu/drm/*.[ch]' -xf - ||
			die "$S_NAME: cannot unpack $S_FILE"
		;;
	esac
	log "$S_NAME: patching $S_VERSION with $PATCHSET from kernel-patches/$S_LINE"
	for p in $(series_patches "$S_LINE" "$PATCHSET"); do
		patch -d "$dir" -p1 -F0 -N -s --no-backup-if-mismatch <"$p" >/dev/null ||
			die "$S_NAME: ${p#"$LR_TOP"/} failed on $S_VERSION after a clean dry run"
	done
	echo "$S_LINE $PATCHSET $S_PHASH" >"$dir/.lr-patched"
}

# kept_tree: the whole patched tree in src/, made once and kept (KEEP_SRC=1, srcdir).
# Sets S_SRC.
kept_tree() {
	local d tmp
	d=$(kept_dir)
	cache_pin "src/${d##*/}"
	if [ ! -f "$d/.lr-patched" ]; then
		mkdir -p "$LR_CACHE/src"
		tmp=$d.tmp.$$
		rm -rf "$tmp"
		defer rm -rf "$tmp"
		build_tree "$tmp"
		publish "$tmp" "$d"
	fi
	S_SRC=$d
	cache_use "src/${d##*/}" "$S_NAME"
}

# ---- build ----

toolchain() {
	gcc --version | head -1
	ld --version | head -1
	xz --version | head -1
	echo "make $(make --version | head -1)"
}

# build_key: the cache key; every input that can change the bzImage.
build_key() {
	local f
	{
		echo "recipe $RECIPE"
		echo "source $S_SHA"
		echo "patchset $PATCHSET line $S_LINE patches $S_PHASH"
		# the options requested, not how they are spread over files
		# shellcheck disable=SC2046
		echo "config $(grep -hE '^(CONFIG_|# CONFIG_.* is not set)' $(fragments "$S_VERSION") | LC_ALL=C sort -u | sha256sum)"
		toolchain
	} | sha256sum | cut -c1-16
}

# build_env: everything that would otherwise leak the time, user and host into the image.
build_env() {
	local epoch
	epoch=$(stat -c %Y "$S_PRISTINE/Makefile")
	BUILD_ENV=(KBUILD_BUILD_TIMESTAMP="$(LC_ALL=C date -u -d "@$epoch" '+%a %b %e %H:%M:%S UTC %Y')"
		KBUILD_BUILD_USER=lockd-repro KBUILD_BUILD_HOST=lockd-repro KBUILD_BUILD_VERSION=1
		LOCALVERSION= KCONFIG_NOTIMESTAMP=1 LC_ALL=C TZ=UTC)
}

# kmake OBJ TARGET... : make in the patched source with O=OBJ, output to the log.
kmake() {
	local obj=$1; shift
	# a calling make's flags (-s, -j, its jobserver) must not reach kbuild: the log needs
	# kbuild's lines and KJOBS decides the parallelism
	# In a session of its own, waited for with the wait builtin: a TERM or INT then runs
	# our trap at once (bash defers traps while a foreground child runs) and the cleanup
	# list stops the whole kbuild tree, not only this script.
	local pid rc
	# ARCH and CROSS_COMPILE on the command line: x86_64 guests always, whatever a KSRC
	# tree's Makefile exports (vendor trees set ARCH=arm there)
	setsid env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${BUILD_ENV[@]}" make -C "$S_SRC" O="$obj" \
		ARCH=x86_64 CROSS_COMPILE= -j"$KJOBS" "$@" >>"$LOG" 2>&1 &
	pid=$!
	defer "kill -TERM -- -$pid"
	wait "$pid"; rc=$?
	return $rc
}

# compile SRC OBJ: configure and build a bzImage in OBJ (log in $LOG). Dies on error.
compile() {
	local obj=$2 dropped frags t0 pid
	frags=$(fragments "$S_VERSION")
	build_env
	log "$S_NAME: config: tinyconfig + $(for f in $frags; do printf '%s ' "${f##*/}"; done)"
	kmake "$obj" tinyconfig || build_fail "make tinyconfig"
	# shellcheck disable=SC2086
	(cd "$S_SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${BUILD_ENV[@]}" scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" $frags) \
		>>"$LOG" 2>&1 || build_fail "merge_config.sh"
	kmake "$obj" olddefconfig || build_fail "make olddefconfig"
	# shellcheck disable=SC2086
	dropped=$(config_dropped "$obj/.config" $frags | sed 's/$/,/' | paste -sd' ' | sed 's/,$//')
	if [ -n "$dropped" ]; then
		cp "$obj/.config" "$LR_CACHE/kernels/$KEY.config.rejected" 2>/dev/null
		die "$S_NAME: Kconfig dropped $dropped on $S_VERSION; fix kernel-patches/config*.fragment ($LR_CACHE/kernels/$KEY.config.rejected)"
	fi
	log "$S_NAME: compile vmlinux (make -j$KJOBS; log $LOG)"
	t0=$SECONDS
	# a progress line a minute, not the compiler's noise
	# (without the build lock's fd: a lingering sleep must not hold the lock)
	build_tick() { log "$S_NAME: ... $((SECONDS - t0))s, $(grep -c '^  CC ' "$LOG") files compiled"; }
	ticker 60 build_tick 9>&-
	pid=$TICKER
	defer kill $pid
	kmake "$obj" vmlinux || { kill $pid; build_fail "make vmlinux"; }
	log "$S_NAME: link and compress bzImage"
	kmake "$obj" bzImage || { kill $pid; build_fail "make bzImage"; }
	kill $pid 2>/dev/null; wait $pid 2>/dev/null
}

build_fail() {
	local keep=$LR_CACHE/kernels/$KEY.failed.log
	cp -f "$LOG" "$keep" 2>/dev/null
	grep -E 'error|Error|\*\*\*' "$keep" | head -5 >&2
	die "$S_NAME: $1 failed on $S_VERSION (full log: $keep)"
}

# prepare NAME: resolve, the few files, the line, the key; no tree is unpacked (a cached
# kernel never needs one). Returns 1 when no source is reachable.
prepare() {
	check_patchset "$PATCHSET"
	resolve "$1" || return 1
	sources
	choose_line
	KEY=$(build_key)
	KDIR=$LR_CACHE/kernels/$KEY
}

# kernel_user: who uses a kernel entry, for make cache (the first word is what
# cache-clean KEEP=… matches: the name, or "ksrc" for a KSRC= tree's).
kernel_user() {
	if [ "$S_KIND" = ksrc ]; then echo "ksrc $S_VERSION $PATCHSET $S_DESC"
	else echo "$S_NAME $S_VERSION $PATCHSET"; fi
}

# ensure_built: the kernel for the prepared source, from the cache or built now.
ensure_built() {
	cache_pin "kernels/$KEY"
	if [ -f "$KDIR/info" ] && [ -f "$KDIR/bzImage" ]; then
		cache_use "kernels/$KEY" "$(kernel_user)"
		return 0
	fi
	mkdir -p "$LR_CACHE/kernels"
	# one kernel build at a time on this machine (and never the same key twice)
	exec 9>"$LR_CACHE/kernels/.build.lock"
	if ! flock -n 9; then
		log "$S_NAME: waiting for another kernel build to finish"
		flock 9
	fi
	if [ -f "$KDIR/info" ] && [ -f "$KDIR/bzImage" ]; then
		exec 9>&-
		cache_use "kernels/$KEY" "$(kernel_user)"
		return 0
	fi
	local tmp obj t0 bz
	tmp=$LR_CACHE/kernels/.tmp-$KEY.$$
	rm -rf "$tmp"; mkdir -p "$tmp/obj"
	defer rm -rf "$tmp"
	LOG=$tmp/build.log
	: >"$LOG"
	t0=$SECONDS
	local cpu0
	cpu_now; cpu0=$CPU_NOW
	log "$S_NAME: build $S_VERSION ($S_DESC, $PATCHSET from kernel-patches/$S_LINE) key $KEY"
	# the whole tree lives only as long as this build, unless KEEP_SRC=1
	if [ "${KEEP_SRC:-0}" = 1 ]; then
		kept_tree
	else
		build_tree "$tmp/src"
		S_SRC=$tmp/src
	fi
	compile "$S_SRC" "$tmp/obj"
	obj=$tmp/obj
	bz=$obj/arch/x86/boot/bzImage
	[ -f "$bz" ] || build_fail "bzImage missing"
	cpu_now
	cp "$bz" "$tmp/bzImage"
	cp "$obj/.config" "$tmp/config"
	cp "$obj/System.map" "$tmp/System.map" 2>/dev/null
	{
		echo "version=$S_VERSION"
		echo "source=$S_DESC"
		echo "src_sha256=$S_SHA"
		echo "line=$S_LINE"
		echo "patchset=$PATCHSET"
		echo "key=$KEY"
		echo "bzimage=$KDIR/bzImage"
		echo "bzimage_sha256=$(sha256 "$tmp/bzImage")"
		echo "build_s=$((SECONDS - t0))"
		echo "build_cpu_s=$((CPU_NOW - cpu0))"
		echo "jobs=$KJOBS"
		echo "toolchain=$(toolchain | paste -sd';')"
		echo "patches=$(series_patches "$S_LINE" "$PATCHSET" | sed "s#^$KP_DIR/##" | paste -sd' ')"
		echo "fragments=$(fragments "$S_VERSION" | sed "s#^$KP_DIR/##" | paste -sd' ')"
	} >"$tmp/info"
	rm -rf "$obj" "$tmp/src"
	rm -rf "$KDIR"
	mv "$tmp" "$KDIR"
	cache_use "kernels/$KEY" "$(kernel_user)"
	exec 9>&-
	log "$S_NAME: built in $((SECONDS - t0))s"
}

# cpu_now: CPU_NOW = user+sys seconds of this shell's finished children (bash's times; run
# in this shell, not in $(…), whose own children would be counted instead).
cpu_now() {
	local f=$LR_CACHE/.times.$$
	times >"$f"
	CPU_NOW=$(tail -1 "$f" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%d\n", t }')
	rm -f "$f"
}

info_get() { sed -n "s/^$1=//p" "$KDIR/info"; }

summary() {
	local how="built in $(info_get build_s)s"
	[ "${BUILT_NOW:-0}" = 1 ] || how="cached (built in $(info_get build_s)s)"
	printf '%-9s %-10s %s sha256:%s  %s sha256:%s  %s\n' "$S_NAME" "$(info_get version)" \
		"$(info_get source)" "$(info_get src_sha256)" "$(info_get bzimage)" \
		"$(info_get bzimage_sha256)" "$how"
}

cmd_build() {
	local n
	[ $# -gt 0 ] || die "build: name a kernel ($(known_names | tr '\n' ' ')or KSRC=/path)"
	for n in "$@"; do [ "$n" = ksrc ] && [ -n "${KSRC:-}" ] || table_row "$n"; done
	for n in "$@"; do
		if ! prepare "$n"; then
			printf '%-9s SKIP %s\n' "$n" "$(skip_reason "$n")"
			continue
		fi
		BUILT_NOW=0
		[ -f "$KDIR/info" ] || BUILT_NOW=1
		ensure_built
		summary
	done
	cache_cap
}

cmd_info() {
	[ $# -eq 1 ] || die "info: name one kernel"
	prepare "$1" || die "$1: $(skip_reason "$1")"
	ensure_built
	cache_cap
	echo "name=$1"
	grep -E '^(version|source|src_sha256|line|patchset|key|bzimage|bzimage_sha256|build_s)=' "$KDIR/info"
}

# srcdir: the whole patched tree, kept in src/ (as KEEP_SRC=1 does) until make cache-clean.
cmd_srcdir() {
	[ $# -eq 1 ] || die "srcdir: name one kernel"
	check_patchset "$PATCHSET"
	resolve "$1" || die "$1: $(skip_reason "$1")"
	sources
	choose_line
	kept_tree
	echo "$S_SRC"
}

# harness: the directory with mainline's kselftest_harness.h and kselftest.h (the two
# files only, from the extract; tests/Makefile's KHDR). Mainline whatever KSRC says: the
# harness is userspace, and an old tree's lacks what tests/lib/harness.h uses.
cmd_harness() {
	local f
	unset KSRC
	resolve mainline || die "mainline: $(skip_reason mainline)"
	sources
	for f in $HARNESS_FILES; do
		[ -f "$S_PRISTINE/$f" ] || die "$S_DESC has no $f"
	done
	cache_use "files/${S_PRISTINE##*/}" harness
	echo "$S_PRISTINE/${HARNESS_FILES%%/kselftest_harness.h*}"
}

# verify-repro: two clean builds of the same inputs, each in its own source copy and object
# dir (different paths), compared byte for byte. The cache is left alone. LR_VERIFY_REUSE=1
# takes the cached bzImage (a clean build made elsewhere) as the first of the two.
cmd_verify_repro() {
	local n rc=0 a b d
	[ $# -gt 0 ] || die "verify-repro: name a kernel"
	for n in "$@"; do
		prepare "$n" || { printf '%-9s SKIP %s\n' "$n" "$(skip_reason "$n")"; continue; }
		d=$LR_CACHE/verify/$KEY.$$
		rm -rf "$d"; mkdir -p "$d"
		defer rm -rf "$d"
		mkdir -p "$LR_CACHE/kernels"
		exec 9>"$LR_CACHE/kernels/.build.lock"
		flock 9
		local i t0 first=1
		if [ "${LR_VERIFY_REUSE:-0}" = 1 ] && [ -f "$KDIR/bzImage" ]; then
			# the cached bzImage was itself a clean build, in other directories
			cp "$KDIR/bzImage" "$d/bzImage-1"
			log "$n: build 1 is the cached one ($KDIR)"
			first=2
		fi
		for ((i = first; i <= 2; i++)); do
			build_tree "$d/src-$i"
			S_SRC=$d/src-$i
			LOG=$d/build-$i.log
			t0=$SECONDS
			log "$n: reproducibility build $i of 2 in $d/src-$i"
			compile "$S_SRC" "$d/obj-$i"
			log "$n: build $i took $((SECONDS - t0))s"
			# one whole tree at a time: keep the bzImage, drop the rest
			mv "$d/obj-$i/arch/x86/boot/bzImage" "$d/bzImage-$i" || die "$n: build $i made no bzImage"
			rm -rf "$d/src-$i" "$d/obj-$i"
		done
		exec 9>&-
		a=$(sha256 "$d/bzImage-1")
		b=$(sha256 "$d/bzImage-2")
		if [ "$a" = "$b" ]; then
			printf '%-9s %-10s reproducible: bzImage sha256:%s (two clean builds in separate dirs%s)\n' \
				"$n" "$S_VERSION" "$a" "$([ $first = 2 ] && echo '; the first is the cached one')"
		else
			mkdir -p "$LR_CACHE/verify"
			cp "$d/bzImage-1" "$LR_CACHE/verify/$KEY.1.bzImage"
			cp "$d/bzImage-2" "$LR_CACHE/verify/$KEY.2.bzImage"
			printf '%-9s %-10s NOT reproducible: %s != %s (kept in %s)\n' "$n" "$S_VERSION" "$a" "$b" "$LR_CACHE/verify/"
			rc=1
		fi
		lr_cleanup
	done
	return $rc
}

# dryrun: every patch set against every source this machine can get, TAP.
cmd_dryrun() {
	local n i=0 sets set seen=" " out v
	sets=$(patchsets)
	local names
	names=$(known_names)
	[ -z "${KSRC:-}" ] || names=ksrc
	for n in $names; do
		# in a subshell first: a corrupt cached file is a failed test here, not the end
		(resolve "$n" >/dev/null 2>"$LR_CACHE/.dryrun.err")
		case $? in
		0) resolve "$n" 2>/dev/null ;;
		1) i=$((i + 1)); echo "ok $i - $n: patch sets # SKIP $(skip_reason "$n")"; continue ;;
		*) i=$((i + 1)); echo "not ok $i - $n: $(tail -1 "$LR_CACHE/.dryrun.err")"; continue ;;
		esac
		case $seen in *" $S_SHA "*) continue ;; esac
		seen+="$S_SHA "
		( sources ) || { i=$((i + 1)); echo "not ok $i - $n: cannot extract from $S_DESC"; continue; }
		sources 2>/dev/null
		v=$S_VERSION
		for set in $sets; do
			i=$((i + 1))
			out=$(select_line "$S_PRISTINE" "$v" "$set")
			case $? in
			0) echo "ok $i - $n $v ($S_DESC): $set applies from kernel-patches/$out" ;;
			# the line's series says the set cannot exist there, and why
			3) echo "ok $i - $n $v ($S_DESC): $set # SKIP ${out#*: $set: }" ;;
			*) echo "not ok $i - $n $v ($S_DESC): $set: $out" ;;
			esac
		done
	done
	echo "1..$i"
	cache_cap
}

cmd_unit() { exec "$LR_TOP/tests/unit/kernel-resolve.sh"; }

usage() { awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; }

main() {
	lr_trap_cleanup
	cache_max_check
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case $cmd in
	build) cmd_build "$@" ;;
	info) cmd_info "$@" ;;
	srcdir) cmd_srcdir "$@" ;;
	harness) cmd_harness ;;
	verify-repro) cmd_verify_repro "$@" ;;
	dryrun) cmd_dryrun ;;
	unit) cmd_unit ;;
	list) known_names ;;
	-h | --help | help) usage ;;
	*) usage >&2; die "unknown command '$cmd'" ;;
	esac
}

# Sourced by the unit tests for its functions; run otherwise.
# (braces: bash parses the whole line before running it, so editing this file while a
# build runs cannot make the running script read a half-changed tail)
[ "${BASH_SOURCE[0]}" != "$0" ] || { main "$@"; exit; }
