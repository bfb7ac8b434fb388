#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build.sh: the server and client initramfs images (docs/internals.md, "Guest images").
#
# Debian packages (rootfs/packages) are fetched with `apt-get download` through the host's
# apt configuration and unpacked with `dpkg-deb -x`; nothing is installed on the host. Each
# image gets its programs plus exactly the shared libraries they need (DT_NEEDED, resolved
# recursively inside the unpacked packages, never from the host's /lib), busybox applet
# links, rootfs/init, rootfs/lr-ctl, rootfs/mount-opts (as /etc/lr-mount-opts) and the
# static agent built from rootfs/agent.c; the client adds every executable in build/tests/.
# The cpio is reproducible: sorted names, fixed mtimes and owners, `cpio -H newc
# --reproducible`. It is not compressed: under TCG the guest kernel spent 1.6 s (server,
# 6.4 MB gzip) to 2 s (client, 9.8 MB) of its boot inflating it, the uncompressed one
# unpacks in a fraction of that (measured 2026-12-02: 1.2-1.4 s less host time for the
# server's unpack, QEMU's fw_cfg load of the larger file costing nothing measurable).
#
# Images are cached under $LR_CACHE/rootfs/<key>/, key = hash of the .deb sha256s, the
# rootfs/ files, the agent, the test binaries and the cpio version: same inputs, no work.
set -eu -o pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() {
	cat <<EOF
usage: rootfs/build.sh [--print-paths] [--force]

Build (or reuse) the guest initramfs images and print their paths, sizes and sha256.
  --print-paths   print only key=value lines (server=, client=, dir=, key=) on stdout
  --force         rebuild even when cached; if a cached copy exists, compare byte for byte
                  (a reproducibility check: exit 1 if they differ)
Environment: LOCKD_REPRO_CACHE (cache dir), SOURCE_DATE_EPOCH (file mtimes, default 0).
Progress goes to stderr ("==> ..."), logs to build/rootfs/*.log.
EOF
}

print_paths=0 force=0
for a in "$@"; do
	case "$a" in
	--print-paths) print_paths=1 ;;
	--force) force=1 ;;
	-h | --help) usage; exit 0 ;;
	*) die "rootfs/build.sh: unknown argument '$a' (see --help)" ;;
	esac
done

RFS=$LR_TOP/rootfs
DEBS=$LR_CACHE/downloads/debs
WORK=$LR_BUILD/rootfs
EPOCH=${SOURCE_DATE_EPOCH:-0}
# QEMU loads an image into the guest's 256 MB and the kernel unpacks it beside itself: two
# copies until the cpio is freed
LIMIT=$((64 * 1024 * 1024))
for c in apt-get apt-cache dpkg-deb readelf cpio gcc perl; do need_cmd "$c"; done
mkdir -p "$DEBS" "$WORK"
# one build at a time per build dir (vm/run.sh workers and a person may start it at once)
need_cmd flock util-linux
exec 9>"$WORK/.lock"
flock 9
trap 'die "rootfs/build.sh: line $LINENO failed: $BASH_COMMAND"' ERR

# ---- 1. test binaries (the test engineer's tests/Makefile) ----
TESTS=$LR_BUILD/tests
with_tests=0
if [ -f "$LR_TOP/tests/Makefile" ]; then
	log "tests (make -s -C tests)"
	if make -s -C "$LR_TOP/tests" >"$WORK/tests.log" 2>&1; then
		with_tests=1
	else
		warn "make -C tests failed (see $WORK/tests.log): the client image has no tests"
	fi
else
	warn "no tests/Makefile yet: the client image has no tests"
fi
test_bins=()
if [ "$with_tests" = 1 ] && [ -d "$TESTS" ]; then
	while IFS= read -r f; do test_bins+=("$f"); done < <(
		find "$TESTS" -maxdepth 1 -type f -perm -u+x | LC_ALL=C sort)
fi

# ---- 2. the agent ----
# its client side is the tests' agent client (tests/lib/agent.c), the one copy
log "agent (gcc -static rootfs/agent.c tests/lib/agent.c)"
gcc -static -O2 -Wall -Wextra -s -I"$LR_TOP/tests/lib" -o "$WORK/lr-agent.tmp" "$RFS/agent.c" \
	"$LR_TOP/tests/lib/agent.c" "$LR_TOP/tests/lib/lr.c" >"$WORK/agent.log" 2>&1 ||
	die "building the agent failed (see $WORK/agent.log)"
mv -f "$WORK/lr-agent.tmp" "$WORK/lr-agent"

# ---- 3. packages ----
log "packages (apt-get download into $DEBS)"
pkgs=$(sed 's/#.*//' "$RFS/packages" | awk 'NF { print $1 }')
debs=()
: >"$WORK/packages.txt.tmp"
# the candidate versions, in one apt-cache call (it takes a second each)
declare -A cand
while read -r p v; do cand[$p]=$v; done < <(apt-cache policy $pkgs 2>/dev/null |
	awk '/^[^ ].*:$/ { sub(/:$/, ""); sub(/:amd64$/, ""); p = $0 } /Candidate:/ { print p, $2 }')
for p in $pkgs; do
	ver=${cand[$p]:-}
	f=
	if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
		f=$(ls "$DEBS/${p}_${ver/:/%3a}_"*.deb 2>/dev/null | head -1) || true
		if [ -z "$f" ]; then
			(cd "$DEBS" && apt-get -q -o APT::Sandbox::User=root download "$p=$ver") \
				>>"$WORK/download.log" 2>&1 ||
				die "apt-get download $p=$ver failed (see $WORK/download.log)"
			f=$(ls "$DEBS/${p}_${ver/:/%3a}_"*.deb 2>/dev/null | head -1) || true
			[ -z "$f" ] || cache_downloaded "$f"
		fi
	else
		# apt does not know it (no lists?): a copy fetched earlier still serves
		f=$(ls "$DEBS/${p}_"*.deb 2>/dev/null | sort -V | tail -1) || true
	fi
	[ -n "$f" ] || die "package $p: no candidate in apt and none cached (apt-get update?)"
	debs+=("$f")
	v=${f##*/}
	v=${v#"${p}_"}
	v=${v%_*}	# the version from the file name (apt's %3a is the epoch's ':')
	printf '%s %s %s\n' "$p" "${v/\%3a/:}" "$(sha256 "$f")" >>"$WORK/packages.txt.tmp"
done

# ---- 4. the cache key ----
key=$( {
	cat "$WORK/packages.txt.tmp"
	for f in build.sh init lr-ctl mount-opts agent.c packages; do
		echo "$f $(sha256 "$RFS/$f")"
	done
	echo "lr-agent $(sha256 "$WORK/lr-agent")"
	for f in "${test_bins[@]}"; do echo "test ${f##*/} $(sha256 "$f")"; done
	cpio --version | head -1
	echo "epoch $EPOCH"
} | sha256sum | cut -c1-16)
OUT=$LR_CACHE/rootfs/$key
# kept from a cache trim while this runs (lib.sh cache_pin; vm/common.sh pins it for a run)
cache_pin "rootfs/$key"
cache_use downloads/debs "guest images"

report() {
	local d=$1 r
	if [ "$print_paths" = 1 ]; then
		printf 'server=%s\nclient=%s\ndir=%s\nkey=%s\n' \
			"$d/server.cpio" "$d/client.cpio" "$d" "$key"
		return
	fi
	for r in server client; do
		printf '%s\t%s\t%s bytes\tsha256 %s\n' "$r" "$d/$r.cpio" \
			"$(stat -c %s "$d/$r.cpio")" "$(sha256 "$d/$r.cpio")"
	done
}

if [ -f "$OUT/server.cpio" ] && [ -f "$OUT/client.cpio" ] && [ "$force" = 0 ]; then
	log "rootfs $key (cached)"
	cache_use "rootfs/$key" "guest images"
	report "$OUT"
	exit 0
fi

# ---- 5. unpack ----
log "unpack ${#debs[@]} packages (dpkg-deb -x)"
DEBROOT=$WORK/debroot
rm -rf "$DEBROOT"
mkdir -p "$DEBROOT"
for f in "${debs[@]}"; do
	dpkg-deb -x "$f" "$DEBROOT" || die "dpkg-deb -x $f failed"
done

# ---- 6. the image trees ----
umask 022
# realpath inside DEBROOT: follows symlinks, absolute targets taken relative to DEBROOT
deb_real() {
	local p=$DEBROOT/$1 t n=0
	while [ -L "$p" ] && [ $n -lt 20 ]; do
		t=$(readlink "$p")
		case "$t" in /*) p=$DEBROOT$t ;; *) p=$(dirname "$p")/$t ;; esac
		n=$((n + 1))
	done
	[ -f "$p" ] || return 1
	echo "$p"
}

# put SRC (a host path) at ROOT/DEST with SRC's mode
put() {
	install -D -m "$(stat -c %a "$1")" "$1" "$ROOT/$2"
}

# add_link REL: the package's symlink as it is (its target must be added separately)
add_link() {
	mkdir -p "$ROOT/$(dirname "$1")"
	ln -sfn "$(readlink "$DEBROOT/$1")" "$ROOT/$1"
}

# add_elf REL: a program from the packages, its interpreter and its libraries, recursively
declare -A seen
add_elf() {
	local rel=$1 src interp so d lib
	src=$(deb_real "$rel") || die "$rel is not in the unpacked packages"
	[ -n "${seen[$rel]:-}" ] && return 0
	seen[$rel]=1
	put "$src" "$rel"
	add_deps "$src"
}

add_deps() {
	local src=$1 interp so d lib ok
	interp=$(readelf -l "$src" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \/\([^]]*\)].*/\1/p')
	if [ -n "$interp" ] && [ -z "${seen[$interp]:-}" ]; then
		seen[$interp]=1
		lib=$(deb_real "$interp") || die "interpreter /$interp of $src not in the packages"
		put "$lib" "${lib#"$DEBROOT"/}"
		[ -L "$DEBROOT/$interp" ] && add_link "$interp"
	fi
	for so in $(readelf -d "$src" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		ok=0
		for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib usr/lib; do
			[ -e "$DEBROOT/$d/$so" ] || continue
			ok=1
			[ -n "${seen[$d/$so]:-}" ] && break
			seen[$d/$so]=1
			lib=$(deb_real "$d/$so") || die "$d/$so is a dangling link in the packages"
			put "$lib" "$d/$so"	# under its soname, as a plain file
			add_deps "$lib"
			break
		done
		[ "$ok" = 1 ] || die "${src#"$DEBROOT"/} needs $so: add its package to rootfs/packages"
	done
}

make_tree() {
	local role=$1 a f
	ROOT=$WORK/$role
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	seen=()
	(cd "$ROOT" && mkdir -p bin sbin usr/bin usr/sbin etc dev proc sys run tmp mnt root \
		var/lib/nfs/sm var/lib/nfs/sm.bak var/log lr/out lr/share)
	chmod 1777 "$ROOT/tmp"
	# /dev/console must exist before devtmpfs is mounted, or init starts without stdio
	if [ "$(id -u)" = 0 ]; then
		mknod -m 600 "$ROOT/dev/console" c 5 1
	else
		warn "not root: no /dev/console node in the image (init reopens it after devtmpfs)"
	fi

	add_elf bin/busybox
	for f in sbin/rpcbind usr/bin/rpcinfo sbin/rpc.statd sbin/sm-notify sbin/mount.nfs \
		sbin/showmount usr/sbin/rpcdebug usr/sbin/nfsstat usr/sbin/nft; do
		add_elf "$f"
	done
	add_link usr/sbin/rpcinfo
	add_link sbin/umount.nfs
	if [ "$role" = server ]; then
		for f in usr/sbin/rpc.mountd usr/sbin/rpc.nfsd usr/sbin/exportfs; do
			add_elf "$f"
		done
	else
		for f in "${test_bins[@]}"; do
			put "$f" "lr/tests/${f##*/}"
			add_deps "$f"
		done
	fi
	for f in etc/netconfig etc/services etc/protocols etc/rpc; do
		put "$(deb_real "$f")" "$f"
	done
	install -m 755 "$RFS/init" "$ROOT/init"
	install -m 755 "$RFS/lr-ctl" "$ROOT/sbin/lr-ctl"
	install -m 644 "$RFS/mount-opts" "$ROOT/etc/lr-mount-opts"
	install -m 755 "$WORK/lr-agent" "$ROOT/sbin/lr-agent"

	# the users rpcbind (_rpc) and statd (owner of /var/lib/nfs/sm) switch to
	cat >"$ROOT/etc/passwd" <<-EOF
		root:x:0:0:root:/root:/bin/sh
		_rpc:x:100:65534::/run/rpcbind:/usr/sbin/nologin
		statd:x:101:65534::/var/lib/nfs:/usr/sbin/nologin
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOF
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
	# files only: no DNS lookups to time out in a closed network
	printf '%s:\tfiles\n' passwd group shadow hosts networks protocols services rpc \
		netgroup >"$ROOT/etc/nsswitch.conf"
	: >"$ROOT/etc/fstab"
	ln -s /proc/self/mounts "$ROOT/etc/mtab"
	printf 'PS1='\''\\h:\\w\\$ '\''\ncd /mnt 2>/dev/null\n' >"$ROOT/etc/profile"

	# busybox applets for every name not taken by a real program (in one perl process:
	# ~300 ln forks per image are slow on a busy machine; perl-base is Essential in Debian)
	"$ROOT/bin/busybox" --list-full | (cd "$ROOT" && perl -nle \
		'next if -e || -l; symlink("/bin/busybox", $_) or die "$_: $!\n"')
}

# pack ROLE FILE: the reproducible cpio
pack() {
	local root=$WORK/$1
	find "$root" -exec touch -h -d "@$EPOCH" {} +
	(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --reproducible -R 0:0 --quiet) >"$2"
	[ "$(stat -c %s "$2")" -le "$LIMIT" ] || die "$1 image is over 64 MB: $(stat -c %s "$2") bytes"
}

TMP=$LR_CACHE/rootfs/.tmp.$$
rm -rf "$TMP"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
for role in server client; do
	log "$role image"
	make_tree "$role"
	pack "$role" "$TMP/$role.cpio"
done
mv "$WORK/packages.txt.tmp" "$TMP/packages.txt"
{
	echo "key=$key"
	echo "tests=${#test_bins[@]}"
	echo "agent_sha256=$(sha256 "$WORK/lr-agent")"
	echo "gcc=$(gcc -dumpfullversion)"
	echo "cpio=$(cpio --version | head -1)"
	echo "epoch=$EPOCH"
	for r in server client; do
		echo "${r}_sha256=$(sha256 "$TMP/$r.cpio")"
		echo "${r}_bytes=$(stat -c %s "$TMP/$r.cpio")"
	done
} >"$TMP/info"

if [ -d "$OUT" ]; then
	# --force over a cached copy: the two builds must be byte-identical
	rc=0
	for r in server client; do
		if cmp -s "$OUT/$r.cpio" "$TMP/$r.cpio"; then
			log "$r image reproducible: identical to the cached one"
		else
			warn "$r image differs from the cached build in $OUT"
			rc=1
		fi
	done
	[ "$rc" = 0 ] || die 1 "not reproducible: new build kept in $WORK for comparison"
	report "$OUT"
	exit 0
fi
mv "$TMP" "$OUT"
trap - EXIT
cache_use "rootfs/$key" "guest images"
cache_cap
report "$OUT"
