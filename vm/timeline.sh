#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# timeline.sh PCAP: print the decoded timeline of a case's capture in the columns of the
# seed's packet tables, so the two read side by side (timeline.sh --version: tshark's
# version, which a run asks once):
#
#   No.  Time (UTC)  +s  Source  Destination  Protocol  Length  Info  src port  dst port  XID
#
# "+s" is seconds since the first packet. IPv4 only: the guests' IPv6 neighbour chatter
# is no part of any scenario. tshark decodes NLM, NFS, MOUNT and portmap over TCP on
# lockd's dynamic port by its RPC heuristics; retransmissions, keep-alives and
# "Port numbers reused" come from its TCP analysis, as in the seed's tables.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

# tshark_version: its version number, for the header; LR_TSHARK_VERSION when the caller
# asked once for a whole run (vm/run.sh: vm/timeline.sh --version)
tshark_version() {
	tshark --version 2>/dev/null | sed -n '1s/^TShark (Wireshark) \([^ ]*\).*/\1/p'
}

need_cmd tshark
[ "${1:-}" = --version ] && { tshark_version; exit 0; }
[ $# = 1 ] || die "usage: vm/timeline.sh capture.pcap | --version"
[ -r "$1" ] || die "cannot read $1"

printf '# timeline of %s (tshark %s)\n' "$(basename "$1")" "${LR_TSHARK_VERSION:-$(tshark_version)}"
printf 'No.\tTime (UTC)\t+s\tSource\tDestination\tProtocol\tLength\tInfo\tsrc port\tdst port\tXID\n'
# tshark says "Running as user root" on stderr: keep it out of the timeline, keep errors
tshark -n -r "$1" -Y ip -t ud -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e _ws.col.Time -e frame.time_relative -e ip.src -e ip.dst \
	-e _ws.col.Protocol -e frame.len -e _ws.col.Info -e tcp.srcport -e tcp.dstport \
	-e rpc.xid 2> >(grep -v '^Running as user' >&2)
