#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of the kernel pairs (vm/common.sh): a KERNEL/KERNELS entry "K" or
# "client/server" with CLIENT_/SERVER_KERNEL and CLIENT_/SERVER_KSRC over it, the results
# label, a label's sides, and resolve_pair's one-line errors naming the side. No build:
# the resolutions use LR_BZIMAGE.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
# shellcheck source=../../vm/common.sh
. "$top/vm/common.sh"
unset KERNEL KERNELS KSRC CLIENT_KERNEL SERVER_KERNEL CLIENT_KSRC SERVER_KSRC LR_BISECT_SIDE LR_BZIMAGE

tap_scratch pairs

# is ENTRY CLIENT SERVER LABEL [VAR=value...]: pair_names ENTRY, in a subshell with VARs set
is() {
	local e=$1 c=$2 s=$3 l=$4 got; shift 4
	got=$( for a; do export "${a?}"; done; pair_names "$e" >/dev/null && echo "$P_CLIENT $P_SERVER $P_LABEL")
	[ "$got" = "$c $s $l" ]; ok $? "'$e'${*:+ with $*}: client $c, server $s, results $l/" "got '$got'"
}
is mainline mainline mainline mainline
is mainline/mainline mainline mainline mainline
is "" mainline mainline mainline
is 4.19/mainline 4.19 mainline 4.19+mainline
is mainline/5.10 mainline 5.10 mainline+5.10
is 4.19 4.19 4.19 4.19
is mainline 4.19 mainline 4.19+mainline CLIENT_KERNEL=4.19
is 4.19/mainline 4.19 5.10 4.19+5.10 SERVER_KERNEL=5.10
is "" ksrc mainline ksrc+mainline CLIENT_KSRC=/tmp/x
is 4.19/mainline 4.19 mainline 4.19+mainline CLIENT_KSRC=/tmp/x
# one name, two trees: not one kernel, so a pair dir
is mainline mainline mainline mainline+mainline SERVER_KSRC=/tmp/x
is mainline mainline mainline mainline KSRC=/tmp/x
for bad in a/b/c /mainline mainline/ 'a b' 'x;y' '4.19+mainline'; do
	out=$(pair_names "$bad"); rc=$?
	[ $rc = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out == "bad kernel pair"* ]]
	ok $? "'$bad' is refused in one line" "rc $rc: $out"
done

for x in "4.19+mainline client 4.19" "4.19+mainline server mainline" "mainline client mainline" \
	"mainline server mainline" "bisect-abc123+mainline client bisect-abc123"; do
	set -- $x
	[ "$(pair_side "$1" "$2")" = "$3" ]; ok $? "label $1: the $2 is $3" "got '$(pair_side "$1" "$2")'"
done

# side_ksrc: a side's own tree, else KSRC; --bisect --side keeps KSRC to that side
[ "$(KSRC=/k side_ksrc client)/$(KSRC=/k side_ksrc server)" = /k//k ]; ok $? "KSRC is both sides' tree"
[ "$(KSRC=/k CLIENT_KSRC=/c side_ksrc client)/$(KSRC=/k CLIENT_KSRC=/c side_ksrc server)" = /c//k ]
ok $? "CLIENT_KSRC is the client's tree, KSRC the server's"
[ "$(KSRC=/k LR_BISECT_SIDE=server side_ksrc client)/$(KSRC=/k LR_BISECT_SIDE=server side_ksrc server)" = //k ]
ok $? "bisect --side server: KSRC is the server's tree only"

# resolve_pair: one line naming the side, 2 for a name no side can have
P_CLIENT=mainline P_SERVER=nosuch
out=$(resolve_pair "$t/a" 2>/dev/null); rc=$?
[ $rc = 2 ] && [[ $out == "unknown server kernel 'nosuch'"* ]] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]
ok $? "an unknown server name: one line naming the server, 2" "rc $rc: $out"
P_CLIENT=ksrc P_SERVER=mainline
out=$(resolve_pair "$t/b" 2>/dev/null); rc=$?
[ $rc = 2 ] && [[ $out == "client kernel 'ksrc' needs CLIENT_KSRC"* ]]; ok $? "ksrc without a tree: 2" "rc $rc: $out"
P_CLIENT=mainline P_SERVER=4.19
: >"$t/bz"
out=$(LR_BZIMAGE=$t/bz resolve_pair "$t/c" 2>/dev/null); rc=$?
[ $rc = 0 ] && [ "$(cat "$t/c/client.rc" "$t/c/server.rc" | paste -sd,)" = 0,0 ] &&
	[ "$(kv "$t/c/client" name)/$(kv "$t/c/server" name)" = mainline/4.19 ]
ok $? "LR_BZIMAGE: both sides resolved, each with its own name" "rc $rc: $out"
P_CLIENT=mainline P_SERVER=mainline
out=$(LR_BZIMAGE=$t/none resolve_pair "$t/d" 2>/dev/null); rc=$?
[ $rc = 1 ] && [[ $out == "client kernel mainline: LR_BZIMAGE="* ]]; ok $? "a side that cannot be had: 1, naming it" "rc $rc: $out"
tap_end
