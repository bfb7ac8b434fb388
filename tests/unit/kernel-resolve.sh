#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of scripts/kernel.sh: name and version resolution, the download-cache
# checks, series parsing and the choice of the patch line, config fragments. Pure: no
# network, no kernel build; fake trees and a private cache in a temporary directory.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LOCKD_REPRO_CACHE=$tmp/cache LR_KORG_TIMEOUT=1
# the caller's patch set must not reach these tests (make check builds PATCHSET=mutants,
# which is mainline only): each test that needs another names it
export PATCHSET=svc-sleep
unset CLIENT_PATCHSET SERVER_PATCHSET
# shellcheck source=../../scripts/kernel.sh
. "$top/scripts/kernel.sh"
set +e +o pipefail

# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
eq() { [ "$1" = "$2" ]; ok $? "$3" "got '$1', want '$2'"; }

# fake_tree DIR X Y Z: a kernel tree with a top Makefile and the 4.19-shaped lines of
# fs/lockd/svclock.c that the patches touch (the seed's 4.19 context).
fake_tree() {
	mkdir -p "$1/fs/lockd"
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\nNAME = Fake\n' "$2" "$3" "$4" >"$1/Makefile"
	{
		for i in $(seq 1 30); do echo "/* $i */"; done
		printf '#include <linux/lockd/nlm.h>\n#include <linux/lockd/lockd.h>\n#include <linux/kthread.h>\n\n'
		printf '#define NLMDBG_FACILITY\t\tNLMDBG_SVCLOCK\n\n'
		for i in $(seq 37 399); do echo "/* $i */"; done
		printf 'nlmsvc_lock(struct svc_rqst *rqstp, struct nlm_file *file,\n\t    struct nlm_host *host, int wait)\n{\n'
		printf '\tstruct nlm_block\t*block = NULL;\n\tint\t\t\terror;\n\t__be32\t\t\tret;\n\n'
		printf '\tdprintk("lockd: nlmsvc_lock(%%s/%%ld, ty=%%d, pi=%%d, %%Ld-%%Ld, bl=%%d)\\n",\n'
		printf '\t\t\t\tlocks_inode(file->f_file)->i_sb->s_id,\n\t\t\t\tlocks_inode(file->f_file)->i_ino,\n}\n'
	} >"$1/fs/lockd/svclock.c"
	# xprtsock.c: the pre-image of 4.19's idle-knob hunks, filler between them (offsets
	# are allowed, fuzz is not)
	mkdir -p "$1/net/sunrpc"
	awk '/^@@/ { for (i = 0; i < 40; i++) print "/* filler */"; h = 1; next }
	     h && /^[ -]/ { print substr($0, 2) }' "$KP_DIR/4.19/idle-knob.patch" \
		>"$1/net/sunrpc/xprtsock.c"
}

# ---- the table ----
names=$(known_names | tr '\n' ' ')
eq "$names" "4.19 5.10 6.1 6.12 7.2 7.3 mainline " "known names"
table_row 4.19
eq "$T_VER $T_TARBALL" "4.19.325 v4.x/linux-4.19.325.tar.xz" "4.19 is pinned to 4.19.325 (kernel.org tarball)"
table_row 6.12
eq "$T_SUITE" "bookworm-security" "6.12 comes from bookworm-security"
table_row mainline
eq "$T_VER $T_SUITE" "7.3 trixie-backports" "mainline is 7.3 from trixie-backports"
out=$("$top/scripts/kernel.sh" build 9.99 2>&1); rc=$?
eq "$rc" 2 "unknown name exits 2"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [[ $out == "lockd-repro: unknown kernel '9.99' (known: 4.19 5.10 "* ]]
ok $? "unknown name: one line listing the known names" "$out"
out=$(PATCHSET=nosuch "$top/scripts/kernel.sh" srcdir mainline 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == "lockd-repro: unknown PATCHSET 'nosuch' (known: "*"svc-sleep"*")" ]]
ok $? "unknown PATCHSET: one-line error, exit 2" "$rc $out"

# ---- versions ----
fake_tree "$tmp/t419" 4 19 325
eq "$(makefile_version "$tmp/t419")" 4.19.325 "version from a tree's top Makefile"
mkdir -p "$tmp/rc" && printf 'VERSION = 6\nPATCHLEVEL = 13\nSUBLEVEL = 0\nEXTRAVERSION = -rc3\n' >"$tmp/rc/Makefile"
eq "$(makefile_version "$tmp/rc")" 6.13.0-rc3 "version with EXTRAVERSION"
makefile_version "$tmp/nonexistent" >/dev/null 2>&1
[ $? -ne 0 ]; ok $? "no Makefile: no version"
[ "$(vnum 4.19.325)" -lt "$(vnum 5.10)" ] && [ "$(vnum 6.12)" -gt "$(vnum 6.1.9)" ]
ok $? "vnum orders 4.19 < 5.10 and 6.1 < 6.12"

# ---- KSRC ----
out=$(KSRC=$tmp/rc/none "$top/scripts/kernel.sh" srcdir mainline 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == "lockd-repro: KSRC="*"not a directory" ]]; ok $? "KSRC missing: one-line error, exit 2" "$out"
mkdir -p "$tmp/empty"
out=$(KSRC=$tmp/empty "$top/scripts/kernel.sh" srcdir mainline 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == "lockd-repro: KSRC="*"no kernel top Makefile"* ]]; ok $? "KSRC without a Makefile: exit 2" "$out"
(KSRC=$tmp/t419; resolve 4.19 && echo "$S_KIND $S_LINEVER") >"$tmp/o" 2>&1
eq "$(cat "$tmp/o")" "ksrc 4.19.325" "KSRC: the version is read from the tree"
s1=$(tree_sha "$tmp/t419"); touch -d @0 "$tmp/t419/Makefile"; s2=$(tree_sha "$tmp/t419")
[ "$s1" != "$s2" ]; ok $? "KSRC tree identity changes when a file changes"

# ---- the download cache ----
mkdir -p "$DL"
echo good >"$DL/linux-source-6.1_6.1.1-1_all.deb"
echo good >"$DL/linux-source-6.1_6.1.10-1_all.deb"
echo good >"$DL/linux-source-6.1_6.1.9-1_all.deb"
eq "$(newest_deb linux-source-6.1)" "linux-source-6.1_6.1.10-1_all.deb" "newest cached .deb by Debian version order"
record_sha linux-source-6.1_6.1.10-1_all.deb "$(sha256 "$DL/linux-source-6.1_6.1.10-1_all.deb")"
(cached_file linux-source-6.1_6.1.10-1_all.deb) >/dev/null 2>&1
ok $? "cached file matching its recorded sha256 is used"
echo corrupt >>"$DL/linux-source-6.1_6.1.10-1_all.deb"
out=$( (cached_file linux-source-6.1_6.1.10-1_all.deb) 2>&1); rc=$?
[ $rc -eq 2 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && [[ $out == "lockd-repro: "*"expected"* ]]
ok $? "corrupted cached file: one-line error, exit 2, never used" "$rc $out"
out=$("$top/scripts/kernel.sh" build 6.1 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"sha256"*"expected"* ]]; ok $? "kernel.sh build with a corrupted cached .deb exits 2" "$rc $out"
echo x >"$DL/linux-4.19.325.tar.xz"
out=$( (cached_file linux-4.19.325.tar.xz 0000000000000000000000000000000000000000000000000000000000000000) 2>&1); rc=$?
[ $rc -eq 2 ]; ok $? "cached tarball not matching the pinned sha256: exit 2" "$out"
rm -f "$DL"/*

# ---- series ----
eq "$(series_patches 7.3 no-reuseport | sed 's#.*/##' | tr '\n' ' ')" \
	"svc-sleep.patch idle-knob.patch no-reuseport.patch " "a patch set can name several patches"
series_patches 7.3 nosuch >/dev/null; eq $? 1 "a set missing from a series"
for l in $(lines); do
	for s in svc-sleep verbatim no-reuseport; do
		series_patches "$l" "$s" >/dev/null; ok $? "kernel-patches/$l has $s"
	done
	p=$(series_patches "$l" svc-sleep | grep '/svc-sleep\.patch$')
	grep -q '^+.*module_param(nlm_svc_sleep, bool, 0644);' "$p" &&
		grep -q '^+.*printk("%s:%d, sleep\\n"' "$p" && grep -q '^+.*20 \* HZ' "$p"
	ok $? "$l svc-sleep: nlm_svc_sleep bool 0644, the seed's message, 20 s cadence"
	p=$(series_patches "$l" svc-sleep | grep '/idle-knob\.patch$')
	grep -q '^+static unsigned int lr_idle_disc_s;' "$p" &&
		grep -q '^+.*idle_timeout = lr_idle_disc_s ? lr_idle_disc_s \* HZ : XS_IDLE_DISC_TO;' "$p"
	ok $? "$l svc-sleep: the idle knob, 0 = XS_IDLE_DISC_TO"
	grep -q '^+.*while (1) {' "$KP_DIR/$l/verbatim.patch" && grep -q '^+.*msleep(20 \* 1000);' "$KP_DIR/$l/verbatim.patch"
	ok $? "$l verbatim: the seed's loop"
done

# ---- line choice ----
eq "$(line_candidates 4.19.325 | head -1)" 4.19 "4.19.y tries 4.19/ first"
eq "$(line_candidates 6.1.176 | head -2 | tr '\n' ' ')" "6.12 5.10 " "6.1 tries the nearest lines first"
eq "$(line_candidates 7.4.0 | head -1)" 7.3 "a newer kernel tries the newest line first"
eq "$(select_line "$tmp/t419" 4.19.325 svc-sleep)" 4.19 "4.19 tree: svc-sleep from 4.19/"
eq "$(select_line "$tmp/t419" 4.19.325 verbatim)" 4.19 "4.19 tree: verbatim from 4.19/"

# A private patch tree: line 1.0 matches "old", line 2.0 matches "new".
kp=$tmp/kp
mkdir -p "$kp/1.0" "$kp/2.0" "$tmp/src/old/fs" "$tmp/src/new/fs" "$tmp/src/none/fs"
printf 'a\nold\nc\n' >"$tmp/src/old/fs/f.c"
printf 'a\nnew\nc\n' >"$tmp/src/new/fs/f.c"
printf 'x\ny\nz\n' >"$tmp/src/none/fs/f.c"
for v in old new; do
	l=1.0; [ $v = new ] && l=2.0
	printf 'desc\n\n--- a/fs/f.c\n+++ b/fs/f.c\n@@ -1,3 +1,4 @@\n a\n %s\n+added\n c\n' "$v" >"$kp/$l/p.patch"
	printf 'set p.patch\n' >"$kp/$l/series"
done
printf 'gone  -  not on this line: the flag came later\n' >>"$kp/1.0/series"
out=$(KP_DIR=$kp series_patches 1.0 gone); rc=$?
[ $rc -eq 3 ] && [[ $out == *"flag came later"* ]]; ok $? "a line can declare a set impossible, with the reason" "$out"
out=$(KP_DIR=$kp select_line "$tmp/src/old" 1.0.1 gone); rc=$?
[ $rc -ne 0 ] && [[ $out == *"1.0/series: gone:"*"flag came later"* ]]; ok $? "a tree of that line: the set refused with the reason" "$out"
eq "$(KP_DIR=$kp select_line "$tmp/src/new" 2.0.5 set)" 2.0 "the exact line when it applies"
eq "$(KP_DIR=$kp select_line "$tmp/src/old" 2.0.5 set)" 1.0 "else the nearest line that applies"
eq "$(KP_DIR=$kp select_line "$tmp/src/new" 1.5.0 set)" 2.0 "a line above when the nearer one fails"
out=$(KP_DIR=$kp select_line "$tmp/src/none" 2.0.5 set); rc=$?
[ $rc -ne 0 ] && [[ $out == *"/2.0/p.patch: Hunk #1 FAILED at 1"*"(fs/f.c)"*"(line 2.0)" ]]
ok $? "no line applies: names the nearest line's file and hunk" "$out"
[ "$(cat "$tmp/src/none/fs/f.c")" = "$(printf 'x\ny\nz')" ]; ok $? "a dry run never touches the tree"

# ---- config fragments ----
eq "$(fragments 7.3.4 | sed 's#.*/##' | tr '\n' ' ')" "config.fragment " "7.3: the common fragment only"
eq "$(fragments 6.12.117 | sed 's#.*/##' | tr '\n' ' ')" "config.fragment config.until-7.2.fragment " "6.12: + PROC_SYSCTL"
eq "$(fragments 4.19.325 | sed 's#.*/##' | tr '\n' ' ')" "config.fragment config.until-4.19.fragment config.until-5.10.fragment config.until-7.2.fragment " \
	"4.19: + NFSD_V3, NFT_COUNTER and PROC_SYSCTL"
eq "$(fragments 5.10.223 | sed 's#.*/##' | tr '\n' ' ')" "config.fragment config.until-5.10.fragment config.until-7.2.fragment " \
	"5.10: + NFT_COUNTER and PROC_SYSCTL"
grep -q '^CONFIG_NFSD_V3=y' "$KP_DIR/config.until-4.19.fragment"; ok $? "4.19 asks for NFSD_V3"
grep -q 'NFSD_V3' "$KP_DIR/config.fragment"; [ $? -ne 0 ]; ok $? "7.3 (no NFSD_V3 option) is not asked for it"
grep -q '^CONFIG_FSNOTIFY=y' "$KP_DIR/config.fragment"; ok $? "FSNOTIFY (NFSD needs it) is requested"
printf 'CONFIG_A=y\nCONFIG_B=m\n# CONFIG_C is not set\nCONFIG_D=y\n' >"$tmp/.config"
printf 'CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=y\n# CONFIG_D is not set\n# CONFIG_E is not set\n' >"$tmp/frag"
eq "$(config_dropped "$tmp/.config" "$tmp/frag" | tr '\n' ';')" "CONFIG_B=y (got m);CONFIG_C=y (got unset);CONFIG_D=n (got y);" \
	"dropped options are named with what Kconfig made of them"

# ---- unpack only what is needed (issue 18) ----
nf=$(needed_files)
grep -qx Makefile <<<"$nf" && grep -qx tools/testing/selftests/kselftest_harness.h <<<"$nf" &&
	grep -qx tools/testing/selftests/kselftest.h <<<"$nf" && grep -qx fs/lockd/svclock.c <<<"$nf"
ok $? "needed files: the top Makefile, the harness, what the patches touch" "$nf"
[ "$(wc -l <<<"$nf")" -lt 40 ]; ok $? "needed files: a few, not a tree ($(wc -l <<<"$nf"))"
# a kernel.org-style tarball: one top directory, the files above and one more
fake_tree "$tmp/tb/linux-4.19.325" 4 19 325
mkdir -p "$tmp/tb/linux-4.19.325/tools/testing/selftests" "$tmp/tb/linux-4.19.325/drivers"
echo harness >"$tmp/tb/linux-4.19.325/tools/testing/selftests/kselftest_harness.h"
echo ks >"$tmp/tb/linux-4.19.325/tools/testing/selftests/kselftest.h"
echo big >"$tmp/tb/linux-4.19.325/drivers/big.c"
echo sub >"$tmp/tb/linux-4.19.325/drivers/Makefile"
touch -d @1500000000 "$tmp/tb/linux-4.19.325/Makefile"
tar -C "$tmp/tb" -cJf "$tmp/linux-4.19.325.tar.xz" linux-4.19.325
S_KIND=tarball S_FILE=$tmp/linux-4.19.325.tar.xz S_SHA=$(sha256 "$tmp/linux-4.19.325.tar.xz") S_NAME=4.19 S_DESC=test
(sources; echo "$S_VERSION $S_PRISTINE") >"$tmp/o" 2>"$tmp/e"
read -r v d <"$tmp/o"
eq "$v" 4.19.325 "extract: the version from the extracted Makefile"
[ -f "$d/fs/lockd/svclock.c" ] && [ -f "$d/tools/testing/selftests/kselftest_harness.h" ] &&
	[ ! -e "$d/drivers/big.c" ] && [ ! -e "$d/drivers/Makefile" ]
ok $? "extract: only the needed files (not drivers/, not a sub-Makefile)" "$(cd "$d" && find . -type f)"
eq "$(stat -c %Y "$d/Makefile")" 1500000000 "extract: the Makefile keeps its mtime (the build timestamp)"
[ "$d" = "$LR_CACHE/files/4.19.325-${S_SHA:0:12}" ]; ok $? "extract: kept in files/<version>-<sha12>" "$d"
(sources) 2>"$tmp/e"
! grep -q extracting "$tmp/e"; ok $? "extract: reused the next time" "$(cat "$tmp/e")"
# the patches touch a new file: the extract is stale and made again
f=$(tail -1 "$d/.lr-files")
sed -i '$d' "$d/.lr-files"; rm -f "$d/$f"
(sources) 2>"$tmp/e"
grep -q extracting "$tmp/e" && [ -f "$d/$f" ] && grep -qx "$f" "$d/.lr-files"
ok $? "extract: made again, in place, when a patch touches a file it lacks ($f)" "$(cat "$tmp/e")"
out=$( (S_FILE=$tmp/t419/Makefile S_SHA=000000000000ffff; sources) 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"cannot extract"* ]]; ok $? "extract from something not a tarball: exit 2, says it cannot extract" "$out"
# a KSRC tree is linked, never copied, and never written
cp -a "$tmp/t419" "$tmp/ksrc"
sum0=$(cd "$tmp/ksrc" && find . -type f -exec md5sum {} + | sort)
( KSRC=$tmp/ksrc; resolve 4.19 && sources && choose_line && build_tree "$tmp/bt" ) >"$tmp/o" 2>&1
ok $? "KSRC: a build tree is made" "$(cat "$tmp/o")"
[ "$(stat -c %i "$tmp/bt/Makefile")" = "$(stat -c %i "$tmp/ksrc/Makefile")" ]
ok $? "KSRC: an unpatched file is a hard link to the user's"
[ "$(stat -c %i "$tmp/bt/fs/lockd/svclock.c")" != "$(stat -c %i "$tmp/ksrc/fs/lockd/svclock.c")" ] &&
	grep -q nlm_svc_sleep "$tmp/bt/fs/lockd/svclock.c"
ok $? "KSRC: the patched file is a file of its own, patched"
[ "$sum0" = "$(cd "$tmp/ksrc" && find . -type f -exec md5sum {} + | sort)" ]; ok $? "KSRC: the user's tree is unchanged"
[ ! -e "$LR_CACHE/src" ] || [ -z "$(ls "$LR_CACHE/src")" ]; ok $? "KSRC: nothing of the tree is kept in the cache" "$(ls "$LR_CACHE/src" 2>&1)"
# a KSRC on another filesystem (tmpfs) cannot be linked: copied for the build, with a warning
if shm=$(mktemp -d /dev/shm/lr-unit.XXXXXX 2>/dev/null) && [ "$(stat -c %d "$shm")" != "$(stat -c %d "$tmp")" ]; then
	cp -a "$tmp/t419/." "$shm/"
	( KSRC=$shm; resolve 4.19 && sources && choose_line && build_tree "$tmp/bt2" ) >"$tmp/o" 2>&1
	rc=$?
	[ $rc -eq 0 ] && grep -q "cannot hard-link.*copying it for this build only" "$tmp/o" &&
		grep -q nlm_svc_sleep "$tmp/bt2/fs/lockd/svclock.c" && ! grep -q nlm_svc_sleep "$shm/fs/lockd/svclock.c"
	ok $? "KSRC on another filesystem: copied for the build, said, the user's tree unchanged" "$(cat "$tmp/o")"
	rm -rf "$shm"
else
	ok 0 "KSRC on another filesystem # SKIP no tmpfs /dev/shm apart from $tmp"
	[ -z "${shm:-}" ] || rm -rf "$shm"
fi

tap_end
