# SPDX-License-Identifier: GPL-2.0
# many.awk: a large, regular incident for tests/unit/explain.sh: N connections, each a
# request the server ACKs, that is re-sent after 3 s and answered after 20 s (svc-sleep),
# in `tcpdump -nn -tttt` text (CAP), and a log (LOG) with each one's still trying and OK
# plus JUNK more OK lines: lr_explain must classify it within seconds, not hang.
#   awk -v N=300 -v JUNK=50000 -v CAP=file -v LOG=file -f many.awk
function ts(t,   h, m, s) { h = int(t / 3600); m = int((t - h * 3600) / 60); s = t - h * 3600 - m * 60;
	return sprintf("2026-01-01 %02d:%02d:%09.6f", h, m, s) }
BEGIN {
	for (i = 1; i <= N; i++) {
		t = i * 100; p = 600 + i;
		printf "%s IP 10.0.0.2.%d > 10.0.0.1.4045: Flags [S], seq 1, length 0\n", ts(t), p > CAP
		printf "%s IP 10.0.0.1.4045 > 10.0.0.2.%d: Flags [S.], seq 1, ack 2, length 0\n", ts(t + 0.001), p > CAP
		printf "%s IP 10.0.0.2.%d > 10.0.0.1.4045: Flags [.], ack 1, length 0\n", ts(t + 0.002), p > CAP
		printf "%s IP 10.0.0.2.%d > 10.0.0.1.4045: Flags [P.], seq 1:101, ack 1, length 100\n", ts(t + 0.003), p > CAP
		printf "%s IP 10.0.0.1.4045 > 10.0.0.2.%d: Flags [.], ack 101, length 0\n", ts(t + 0.004), p > CAP
		printf "%s IP 10.0.0.2.%d > 10.0.0.1.4045: Flags [P.], seq 101:201, ack 1, length 100\n", ts(t + 3), p > CAP
		printf "%s IP 10.0.0.1.4045 > 10.0.0.2.%d: Flags [P.], seq 1:41, ack 201, length 40\n", ts(t + 20), p > CAP
		printf "[%12.6f] lockd: server 10.0.0.1 not responding, still trying\n", t + 18 > LOG
		printf "[%12.6f] lockd: server 10.0.0.1 OK\n", t + 20 > LOG
	}
	for (i = 0; i < JUNK; i++)
		printf "[%12.6f] lockd: server 10.0.0.1 OK\n", 40000 + i > LOG
}
