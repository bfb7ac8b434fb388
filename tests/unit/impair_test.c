// SPDX-License-Identifier: GPL-2.0
/* impair_test: the pure parts of lib/impair.c and lib/resend.c (rpcinfo parsing, the re-send check) */
#include "harness.h"
#include "impair.h"

static const char rpcinfo[] =
	"   program vers proto   port  service\n"
	"    100000    4   tcp    111  portmapper\n"
	"    100021    1   udp  45237  nlockmgr\n"
	"    100021    3   tcp  39421  nlockmgr\n"
	"    100021    4   udp  45237  nlockmgr\n"
	"    100021    4   tcp  39421  nlockmgr\n"
	"    100003    3   tcp   2049  nfs\n";

TEST(rpcinfo_port)
{
	EXPECT_EQ(39421, lr_rpcinfo_port(rpcinfo, 100021, 4, "tcp"));
	EXPECT_EQ(45237, lr_rpcinfo_port(rpcinfo, 100021, 4, "udp"));
	EXPECT_EQ(111, lr_rpcinfo_port(rpcinfo, 100000, 4, "tcp"));
	EXPECT_EQ(-1, lr_rpcinfo_port(rpcinfo, 100024, 1, "tcp"));	/* no statd listed */
	EXPECT_EQ(-1, lr_rpcinfo_port("", 100021, 4, "tcp"));
}

/* /proc/net/tcp lines: a FIN_WAIT1 socket to the server's lockd with its RTO; a
 * TIME_WAIT one, which get_timewait4_sock() prints without the RTO fields */
TEST(tcp_line)
{
	unsigned int ra;
	int rport, lport, state, retr, rto;

	ASSERT_EQ(0, lr_parse_tcp_line("   3: D635A8C0:02C7 2835A8C0:9EB1 04 00000001:00000000 "
		"01:0000001A 00000003     0        0 0 1 00000000c246f4a6 80 4 30 10 -1",
		&ra, &rport, &lport, &state, &retr, &rto));
	EXPECT_EQ(0x2835A8C0u, ra);
	EXPECT_EQ(0x9EB1, rport);
	EXPECT_EQ(711, lport);
	EXPECT_EQ(4, state);
	EXPECT_EQ(3, retr);
	EXPECT_EQ(800, rto);	/* 80 USER_HZ ticks */
	ASSERT_EQ(0, lr_parse_tcp_line("   1: 020200C0:B350 507100CB:0050 06 00000000:00000000 "
		"03:00000E42 00000000     0        0 0 3 00000000fb66f4f9",
		&ra, &rport, &lport, &state, &retr, &rto));
	EXPECT_EQ(6, state);
	EXPECT_EQ(-1, rto);
	EXPECT_EQ(-1, lr_parse_tcp_line("  sl  local_address rem_address   st tx_queue",
					 &ra, &rport, &lport, &state, &retr, &rto));
}

/* the retransmissions of one socket in one state, each with the sample before it: the
 * window it came in. Another socket's events and a gone socket's count are not its own */
TEST(sock_retrans)
{
	static struct lr_imp m;
	double at[4], prev[4];
	static const struct lr_sock_ev ev[] = {
		{ 1.00, 1.00, 700, LR_TCP_SYN_SENT, 0, 1000, false },
		{ 1.02, 1.00, 701, LR_TCP_SYN_SENT, 0, 1000, false },
		{ 2.06, 2.00, 700, LR_TCP_SYN_SENT, 1, 2000, false },	/* a late sample */
		{ 2.08, 2.06, 701, LR_TCP_SYN_SENT, 1, 2000, false },
		{ 4.02, 4.00, 700, LR_TCP_SYN_SENT, 2, 4000, false },
		{ 4.50, 4.48, 700, LR_TCP_ESTABLISHED, 2, 200, false },
		{ 5.00, 4.98, 700, LR_TCP_ESTABLISHED, 2, 200, true },
	};

	memcpy(m.sev, ev, sizeof(ev));
	m.nsev = sizeof(ev) / sizeof(ev[0]);
	ASSERT_EQ(2, lr_imp_retrans(&m, 700, LR_TCP_SYN_SENT, at, prev, 4));
	EXPECT_EQ(2.06, at[0]);
	EXPECT_EQ(2.00, prev[0]);
	EXPECT_EQ(4.02, at[1]);
	EXPECT_EQ(4.00, prev[1]);
	EXPECT_EQ(1, lr_imp_retrans(&m, 701, LR_TCP_SYN_SENT, at, NULL, 4));
	EXPECT_EQ(2.08, at[0]);
	EXPECT_EQ(0, lr_imp_retrans(&m, 700, LR_TCP_ESTABLISHED, at, prev, 4));
	EXPECT_EQ(1, lr_imp_retrans(&m, 700, LR_TCP_SYN_SENT, at, prev, 1));
}

/* mainline customer fin-blackhole: the first reconnect binds the old port, its connect
 * fails, the next one binds a new port; an NFS connect in between is not lockd's */
TEST(trace_connects)
{
	static const struct lr_trace_rec rec[] = {
		{ 10.0, "RPC:       xs_bind 0.0.0.0:923: ok (0)" },
		{ 10.0, "RPC:       worker connecting xprt 0000000063 via tcp to 192.168.53.40 (port 46153)" },
		{ 20.0, "RPC:       worker connecting xprt 00000000ef via tcp to 192.168.53.40 (port 111)" },
		{ 97.3, "RPC:       xs_bind 0.0.0.0:923: ok (0)" },
		{ 97.3, "RPC:       worker connecting xprt 0000000063 via tcp to 192.168.53.40 (port 46153)" },
		{ 97.3, "RPC:       00000000639a8c1b connect status 115 connected 0 sock state 2" },
		{ 97.4, "RPC:       xs_bind 0.0.0.0:774: ok (0)" },
		{ 97.4, "RPC:       worker connecting xprt 0000000063 via tcp to 192.168.53.40 (port 46153)" },
		{ 97.6, "RPC:       xs_bind 0.0.0.0:835: ok (0)" },
		{ 97.6, "RPC:       worker connecting xprt 0000000079 via tcp to 192.168.53.40 (port 2049)" },
	};
	int lport[4];

	ASSERT_EQ(3, lr_trace_connects(rec, 10, 0, 46153, lport, 4));
	EXPECT_EQ(923, lport[0]);
	EXPECT_EQ(923, lport[1]);
	EXPECT_EQ(774, lport[2]);
	ASSERT_EQ(2, lr_trace_connects(rec, 10, 50, 46153, lport, 4));
	EXPECT_EQ(923, lport[0]);
	EXPECT_EQ(1, lr_trace_connects(rec, 10, 50, 46153, lport, 1));
	EXPECT_EQ(1, lr_trace_connects(rec, 10, 0, 2049, lport, 4));
	EXPECT_EQ(835, lport[0]);
	/* the rpcbind connect binds no port (unprivileged, autobind): not counted */
	EXPECT_EQ(0, lr_trace_connects(rec, 10, 0, 111, lport, 4));
}

/* mainline, nlm_timeout 3 (quick): alarms 3, 6, 9 s -> re-sends at 3, 9, 18 s */
static void quick_mainline(struct lr_params *p, struct lr_rpc_sched *s,
			   struct __test_metadata *_metadata)
{
	struct lr_rpc_timeout to;
	struct lr_rpc_case c = { .transmitted = 1, .horizon = 20000 };

	lr_timing_defaults(p, 7, 3);
	p->nlm_timeout = 3;
	lr_nlm_rpc_timeout(p, &to);
	ASSERT_EQ(0, lr_rpc_schedule(p, &to, &c, s));
}

TEST(resend_moments)
{
	struct lr_params p;
	struct lr_rpc_sched s;
	long at[8];
	int n;

	quick_mainline(&p, &s, _metadata);
	n = lr_resend_moments(&s, at, 8);
	ASSERT_LE(3, n);
	EXPECT_EQ(3000, at[0]);
	EXPECT_EQ(9000, at[1]);
	EXPECT_EQ(18000, at[2]);
}

/* the figures measured on 7.3.4 (svc-sleep/lock, quick): re-sends at 3.26 and 9.41 s */
TEST(resend_check_measured)
{
	struct lr_params p;
	struct lr_rpc_sched s;
	double got[] = { 3.26, 9.41 }, three[] = { 3.26, 7.0, 9.41 };
	long at[8];
	char msg[512];
	int n;

	quick_mainline(&p, &s, _metadata);
	n = lr_resend_moments(&s, at, 8);
	/* the switch went off at 18.2 s: the 18 s re-send may or may not be in */
	EXPECT_EQ(0, lr_resend_check(&p, at, n, got, 2, 18.2, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "measured 3.26 9.41"));
	/* one missing re-send is found */
	EXPECT_EQ(1, lr_resend_check(&p, at, n, got, 1, 18.2, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "MISSING"));
	/* early by more than the stamps' grain is no match (timers never fire early), and
	 * the re-send then explains nothing: missing and extra */
	got[0] = 2.9;
	EXPECT_EQ(2, lr_resend_check(&p, at, n, got, 2, 18.2, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "2.90 EXTRA"));
	/* late beyond the wheel slack + TCG + rebind is no match either */
	got[0] = 6.0;
	EXPECT_EQ(2, lr_resend_check(&p, at, n, got, 2, 18.2, msg, sizeof(msg)));
	/* two-sided: a re-send the model has no alarm for fails alone */
	EXPECT_EQ(1, lr_resend_check(&p, at, n, three, 3, 18.2, msg, sizeof(msg)));
	EXPECT_NE(NULL, strstr(msg, "7.00 EXTRA"));
}

TEST(resend_check_until)
{
	struct lr_params p;
	struct lr_rpc_sched s;
	long at[8];
	char msg[512];
	int n;

	quick_mainline(&p, &s, _metadata);
	n = lr_resend_moments(&s, at, 8);
	/* nothing was due before 2 s: no re-send expected, none measured */
	EXPECT_EQ(0, lr_resend_check(&p, at, n, NULL, 0, 2.0, msg, sizeof(msg)));
}

TEST_HARNESS_MAIN
