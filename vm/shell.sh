#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# shell.sh: boot a server/client pair for reproducing by hand (make shell).
#
#   vm/shell.sh                 client console on this terminal (a root shell in /mnt, the
#                               NFS mount); exit that shell to power both guests off
#   CMD='…' vm/shell.sh         run one command in the client (in /mnt) instead of a shell,
#                               print its output, exit with its status
#
# Environment: KERNEL (default mainline; client/server for a pair, e.g. 4.19/mainline),
# CLIENT_KERNEL / SERVER_KERNEL, CLIENT_KSRC / SERVER_KSRC (one side), SHARE=dir (host
# folder → /lr/share in both guests), CMD, PROFILE=quick|customer, LR_DEBUG=1 (rpc/nfs/nlm debug from boot),
# LR_BZIMAGE / LR_SERVER_IMG / LR_CLIENT_IMG (as vm/run.sh), LR_BOOT_TIMEOUT (s, 240).
#
# The server's console is a unix socket (the path is printed; attach with
# `socat -,raw,echo=0 UNIX-CONNECT:<path>`), both consoles are also logged under
# build/shell/<id>/ with everything the guests write to /lr/out. The management network
# reaches both guests' agents: `vm/net.sh agent <netns> server svc-sleep on` (printed too).
# Ctrl-C at any time powers everything off and removes the namespace.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
. "$LR_TOP/vm/common.sh"

case "${1:-}" in
--help|-h) sed -n '3,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
"") ;;
*) die "vm/shell.sh takes no arguments (see vm/shell.sh --help)" ;;
esac

PROFILE=${PROFILE:-quick}
msg=$(pair_names "${KERNEL:-}") || die "$msg"
pair_names "${KERNEL:-}"
kname=$P_LABEL
cmd=${CMD:-}
share=
if [ -n "${SHARE:-}" ]; then
	[ -d "$SHARE" ] || die "SHARE=$SHARE is not a directory"
	share=$(cd "$SHARE" && pwd)
fi
preflight
lr_trap_cleanup

id=$(date -u +%Y%m%dT%H%M%SZ)-$$
dir=$LR_BUILD/shell/$id
mkdir -p "$dir" || die "cannot create $dir"
msg=$(resolve_pair "$dir/kernel") || die "$msg"
for side in client server; do
	[ "$(cat "$dir/kernel/$side.rc")" = 3 ] &&
		die "$side kernel $(pair_side "$kname" $side): $(head -1 "$dir/kernel/$side")"
done
resolve_images "$dir/images"

append="lr.profile=$PROFILE"
[ "${LR_DEBUG:-0}" = 1 ] && append+=" lr.debug=1"
sapp="$append $(kernel_args "$dir/kernel/server")"
append+=" $(kernel_args "$dir/kernel/client")"
if [ -n "$cmd" ]; then
	# quiet: the terminal shows the command's output and the lr: lines, not the boot log
	capp="$append lr.cmd=$(printf '%s' "$cmd" | base64 -w0) quiet"
	# x86 COMMAND_LINE_SIZE is 2048; qemu.sh adds ~150 bytes
	[ ${#capp} -lt 1800 ] || die "CMD is too long for the kernel command line: put it in a script in SHARE"
else
	capp="$append lr.shell=1"
fi

# restore the terminal even if QEMU dies without doing it
if [ -t 0 ]; then stty_saved=$(stty -g); defer stty "$stty_saved"; fi

ns=${LR_NETNS_PREFIX}shell-$$
defer net_down "$ns"
net_up "$ns" || die "cannot set up namespace $ns"

log "server: booting $(pair_side "$kname" server) (console log $dir/console.server)"
t0=$(now)
"$LR_TOP/vm/qemu.sh" --role server --netns "$ns" --kernel "$(kv "$dir/kernel/server" bzimage)" \
	--initrd "$(kv "$dir/images" server)" \
	--out "$dir" ${share:+--share "$share"} --append "$sapp" --log "$dir/qemu.server.log" \
	--console-socket "$dir/console.server.sock" "$dir/console.server" &
qs=$!
defer kill_qemu "$qs"
wait_line "$dir/console.server" '^lr: server ready' "$qs" "$LR_BOOT_TIMEOUT" ||
	die 1 "server VM did not boot: console $dir/console.server"
log "server ready in $(elapsed "$t0" "$(now)")s"
cat >&2 <<EOF
    server console:  socat -,raw,echo=0 UNIX-CONNECT:$dir/console.server.sock
    server agent:    vm/net.sh agent $ns server dmesg   (svc-sleep on|off, link down|up, …)
    server shell:    ip netns exec $ns ...   (data bridge brd, management brm 192.168.99.1)
    guest files:     $dir   (/lr/out in both guests)${share:+
    share:           $share → /lr/share}
EOF

t1=$(now)
if [ -n "$cmd" ]; then
	log "client: booting $(pair_side "$kname" client), then running CMD in /mnt"
else
	log "client: booting $(pair_side "$kname" client); its console follows (exit the shell to power off, Ctrl-C to abort)"
fi
# In the foreground: the terminal is the client's console; Ctrl-C ends QEMU, then our trap.
"$LR_TOP/vm/qemu.sh" --role client --netns "$ns" --kernel "$(kv "$dir/kernel/client" bzimage)" \
	--initrd "$(kv "$dir/images" client)" \
	--out "$dir" ${share:+--share "$share"} --append "$capp" --log "$dir/qemu.client.log" \
	--console-stdio "$dir/console.client"
grep -q '^lr: client mounted' "$dir/console.client" ||
	die 1 "client VM did not mount: console $dir/console.client"
m=$(sed -n 's/^lr: client mounted \([0-9.]*\).*/\1/p' "$dir/console.client" | head -1)
log "client was mounted ${m}s after its boot; session $(elapsed "$t1" "$(now)")s"
# the client powered the server off through its agent; give it a moment, then the cleanup
wait_exit "$qs" 10
if [ -n "$cmd" ]; then
	[ -f "$dir/cmd.status" ] || die 1 "no cmd.status from the client: console $dir/console.client"
	rc=$(head -1 "$dir/cmd.status")
	[[ "$rc" =~ ^[0-9]+$ ]] || die 1 "bad cmd.status '$rc' in $dir"
	exit "$rc"
fi
exit 0
