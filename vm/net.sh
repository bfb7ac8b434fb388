#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# net.sh: the network of one case, all of it inside one network namespace (docs/internals.md):
#
#   netns lr-<runid>-<n>
#     brd  data bridge, no address          tapd-s (server eth0)  tapd-c (client eth0)
#     brm  management bridge 192.168.99.1   tapm-s (server eth1)  tapm-c (client eth1)
#
# The host's own namespace is never touched: the taps are created inside the namespace and
# QEMU is started there (ip netns exec), so deleting the namespace removes taps and bridges
# with it. Nothing is routed out: the namespace has no link to the host at all.
#
# Sourced by vm/run.sh and vm/shell.sh (net_up, net_down, net_capture_*), or by hand:
#   vm/net.sh up NAME | down NAME | list | gc | agent NAME server|client WORD...
set -u
declare -F die >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

LR_MGMT_HOST=192.168.99.1/24
LR_NETNS_PREFIX=lr-

# net_up NS: create the namespace, both bridges and the four taps. On failure the caller's
# cleanup list (defer net_down NS, registered before this is called) removes what was made.
net_up() {
	local ns=$1 t b
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	# The guests talk only to each other (and brm's address); no forwarding, no rp_filter
	# surprises for impairments that rewrite or drop packets on the bridge.
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null
	# No IPv6 on the bridges: keeps DAD/RS chatter out of the capture.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	for b in brd brm; do
		# "name": brd alone would parse as the broadcast keyword. forward_delay 0: a tap forwards the moment it is up, not 15 s later (STP is off)
		ip -n "$ns" link add name "$b" type bridge forward_delay 0 stp_state 0 || return 1
	done
	for t in tapd-s tapd-c; do
		ip -n "$ns" tuntap add dev "$t" mode tap || return 1
		ip -n "$ns" link set dev "$t" master brd up || return 1
	done
	for t in tapm-s tapm-c; do
		ip -n "$ns" tuntap add dev "$t" mode tap || return 1
		ip -n "$ns" link set dev "$t" master brm up || return 1
	done
	ip -n "$ns" addr add "$LR_MGMT_HOST" dev brm || return 1
	ip -n "$ns" link set dev brd up && ip -n "$ns" link set dev brm up
}

# net_down NS: kill anything still running in the namespace, then delete it (the taps and
# bridges inside go with it). Quiet and idempotent: it is a cleanup step.
net_down() {
	local ns=$1 pids
	ip netns list 2>/dev/null | grep -q "^$ns\( \|$\)" || return 0
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	[ -n "$pids" ] && ! slowwait 5 net_no_pids "$ns" && kill -9 $pids 2>/dev/null
	ip netns delete "$ns" 2>/dev/null
	slowwait 5 net_gone "$ns"
}
net_no_pids() { [ -z "$(ip netns pids "$1" 2>/dev/null)" ]; }
net_gone() { ! ip netns list 2>/dev/null | grep -q "^$1\( \|$\)"; }

# net_gc: remove the namespaces of suite runs that no longer exist (a run killed with
# SIGKILL cannot clean up). The owner's pid is in the name: lr-<UTC>-<pid>-<n>, lr-shell-<pid>.
net_gc() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		pid=$(printf '%s\n' "$ns" | sed -nE 's/^lr-([0-9]{8}T[0-9]{6}Z-([0-9]+)-[0-9]+|shell-([0-9]+))$/\2\3/p')
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null || continue
		warn "removing namespace $ns left by a killed run (pid $pid)"
		net_down "$ns"
	done
}

# pid_is PID NAME...: PID is still one of our processes (its comm is one of NAMEs), not a
# recycled pid; cleanup steps check this before they kill.
pid_is() {
	local c n
	c=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
	shift
	for n in "$@"; do [ "$c" = "$n" ] && return 0; done
	return 1
}

# ---- packet capture on the data bridge ----
# net_capture_start NS FILE LOG: start tcpdump (or dumpcap) on brd inside NS, writing a pcap
# to FILE; sets LR_CAPTURE_PID. Returns once the capture is running (the file has a header).
net_capture_start() {
	local ns=$1 file=$2 log=$3
	LR_CAPTURE_PID=
	if command -v tcpdump >/dev/null 2>&1; then
		# --immediate-mode -U: hand each packet over and write it at once; without the first,
		# packets still in the kernel ring when the capture stops are lost (seen: the last
		# 34 of a case, its reconnect among them).
		# -Z root: do not switch to the tcpdump user (the file stays root's, like the rest)
		ip netns exec "$ns" setpriv --pdeathsig TERM tcpdump -Z root -n -i brd -s 0 --immediate-mode -U -w "$file" >"$log" 2>&1 &
	elif command -v dumpcap >/dev/null 2>&1; then
		# -P: classic pcap (not pcapng), like tcpdump
		ip netns exec "$ns" setpriv --pdeathsig TERM dumpcap -q -P -i brd -s 0 -w "$file" >"$log" 2>&1 &
	else
		return 1
	fi
	LR_CAPTURE_PID=$!
	slowwait 10 net_capture_running "$file" "$LR_CAPTURE_PID"
}
net_capture_running() { kill -0 "$2" 2>/dev/null && [ -s "$1" ]; }

# net_capture_stop: SIGINT lets tcpdump/dumpcap flush and close the file; KILL only if it
# does not exit in 10 s.
net_capture_stop() {
	local pid=${LR_CAPTURE_PID:-}
	[ -n "$pid" ] || return 0
	LR_CAPTURE_PID=
	pid_is "$pid" tcpdump dumpcap ip setpriv || { wait "$pid" 2>/dev/null; return 0; }
	kill -INT "$pid" 2>/dev/null
	slowwait 10 lr_gone "$pid" || kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# net_agent NS IP CMD...: one request to an lr-agent (port 7000) over the management bridge;
# prints the reply and returns the command's exit code from its "lr-status N" line (255: no
# answer). The client is build/host/lr_agent -c: the guests' agent built for the host, on
# the tests' agent client (tests/lib/agent.c), the protocol's one reading end.
net_agent() {
	local ns=$1 ip=$2 tool=$LR_BUILD/host/lr_agent; shift 2
	[ -x "$tool" ] || make -s -C "$LR_TOP/tests" "$tool" >&2 || return 2
	# bounded: a guest that stopped answering must not hang the caller
	timeout "${LR_AGENT_TIMEOUT:-60}" ip netns exec "$ns" "$tool" -c "$ip" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-}" in
	up)	need_root "vm/net.sh"; [ -n "${2:-}" ] || die "usage: vm/net.sh up NAME"
		net_up "$2" || { net_down "$2"; die "could not set up namespace $2"; } ;;
	down)	need_root "vm/net.sh"; [ -n "${2:-}" ] || die "usage: vm/net.sh down NAME"
		net_down "$2" ;;
	list)	ip netns list | grep "^$LR_NETNS_PREFIX" || true ;;
	gc)	need_root "vm/net.sh"; net_gc ;;
	agent)	[ $# -ge 4 ] || die "usage: vm/net.sh agent NAME server|client|IP WORD..."
		ns=$2 ip=$3; shift 3
		case $ip in server) ip=192.168.99.40 ;; client) ip=192.168.99.214 ;; esac
		net_agent "$ns" "$ip" "$@" ;;
	*)	echo "usage: vm/net.sh up NAME | down NAME | list | gc | agent NAME server|client WORD..."
		echo "  namespaces made by the suite are named lr-*; agent sends one request to a"
		echo "  guest's lr-agent over the management bridge (e.g. agent NAME server dmesg)"
		[ "${1:-}" = --help ] || exit 2 ;;
	esac
fi
