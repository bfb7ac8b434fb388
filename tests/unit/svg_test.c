// SPDX-License-Identifier: GPL-2.0
/* svg_test: the pure parts of the case timeline (tests/host/lib/svg.c) */
#include "harness.h"
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST(classify)
{
	char l[64];
	bool re;

	/* tshark Info lines as vm/timeline.sh prints them (fin-blackhole, 7.3.4) */
	EXPECT_EQ(TL_SYN, tl_classify("TCP", "934 → 42519 [SYN] Seq=0 Win=64240 Len=0", 934,
				      42519, l, sizeof(l), &re));
	EXPECT_STREQ("SYN 934→42519", l);
	EXPECT_FALSE(re);
	EXPECT_EQ(TL_SYN, tl_classify("TCP", "[TCP Port numbers reused] 709 → 41941 [SYN] Seq=0",
				      709, 41941, l, sizeof(l), &re));
	EXPECT_EQ(TL_SYNACK, tl_classify("TCP", "111 → 653 [SYN, ACK] Seq=0 Ack=1", 111, 653, l,
					 sizeof(l), &re));
	EXPECT_EQ(TL_FIN, tl_classify("TCP", "[TCP Retransmission] 934 → 42519 [FIN, ACK] Seq=641",
				      934, 42519, l, sizeof(l), &re));
	EXPECT_TRUE(re);
	EXPECT_EQ(TL_RST, tl_classify("TCP", "2049 → 702 [RST, ACK] Seq=1", 2049, 702, l,
				      sizeof(l), &re));
	/* plain ACKs and data are left out */
	EXPECT_EQ(-1, tl_classify("TCP", "653 → 111 [ACK] Seq=1 Ack=1 Win=64256", 653, 111, l,
				  sizeof(l), &re));
	EXPECT_EQ(-1, tl_classify("NFS", "V3 WRITE Call, FH: 0x98d2e6cc", 702, 2049, l,
				  sizeof(l), &re));
	EXPECT_EQ(TL_NLM, tl_classify("NLM", "V4 LOCK Reply (Call In 152) NLM_DENIED_GRACE_PERIOD",
				      42519, 934, l, sizeof(l), &re));
	EXPECT_STREQ("LOCK Reply NLM_DENIED_GRACE_PERIOD", l);
	EXPECT_EQ(TL_NLM, tl_classify("NLM", "V4 UNLOCK Call FH:0x98d2e6cc svid:0", 934, 42519, l,
				      sizeof(l), &re));
	EXPECT_STREQ("UNLOCK Call", l);
	EXPECT_EQ(TL_NLM, tl_classify("NLM", "[RPC retransmission of #187]V4 LOCK Call FH:0x0aaf",
				      709, 41941, l, sizeof(l), &re));
	EXPECT_STREQ("LOCK Call", l);
	EXPECT_TRUE(re);
	EXPECT_EQ(TL_RPCB, tl_classify("Portmap", "V2 GETPORT Call NLM(100021) V:4 TCP", 52112,
				       111, l, sizeof(l), &re));
	EXPECT_STREQ("rpcbind GETPORT Call", l);
	EXPECT_STREQ("GRANTED_RES", tl_nlm_proc(15));
	EXPECT_EQ(NULL, tl_nlm_proc(16));
}

/* svc-sleep/lock of run 20261201T032228Z-8881: the guest's clock ran 0.908 x the host's */
TEST(align_rate)
{
	double k[] = { 16.440986, 34.546118 }, s[] = { 10.131, 10.214, 11.009, 11.015, 22.432,
						     42.365 };
	int kp[] = { 41941, 111 }, sp[] = { 53107, 111, 111, 41941, 41941, 111 }, score;
	double rate, b = tl_align(k, kp, 2, s, sp, 6, 0.05, 0, 0, &rate, &score);

	EXPECT_EQ(2, score);
	EXPECT_EQ(908, (int)lround(rate * 1000));
	/* the LOCK's SYN at 22.432 lands on its connect */
	EXPECT_LT(fabs(rate * 22.432 + b - 16.440986), 0.01);
	/* nothing to line up: score 0 */
	b = tl_align(k, kp, 2, s, sp, 1, 0.05, 0, 0, &rate, &score);
	EXPECT_EQ(0, score);
	EXPECT_EQ(0, (int)b);
}

/*
 * fin-blackhole under no-reuseport: the trace holds one LOCK call and its connect; the
 * capture has the set-up's LOCK (same port) 5 min earlier and the test's. Both line up
 * two anchors; the set-up's offset leaves its later calls inside the trace unexplained.
 */
TEST(align_calls)
{
	double k[] = { 344.409, 344.409, 2.624 }, s[] = { 3.3815, 3.3826, 8.4605, 13.5804,
							  13.5854, 347.4548, 347.4596, 2.870 };
	int kp[] = { -3, 40331, TL_KEY_MOUNT },
	    sp[] = { 40331, -3, -3, -3, -5, 40331, -3, TL_KEY_MOUNT }, score;
	double rate, b = tl_align(k, kp, 2, s, sp, 7, 0.1, 316.4, 346.0, &rate, &score);

	/* without the mount both offsets line up two anchors: the nearer one wins, wrongly */
	EXPECT_EQ(2, score);
	/* with it, the test's own LOCK, and the 3 s the client's clock lost in 345 s */
	b = tl_align(k, kp, 3, s, sp, 8, 0.1, 316.4, 346.0, &rate, &score);
	EXPECT_EQ(3, score);
	EXPECT_LT(fabs(rate * 347.4548 + b - 344.409), 0.1);
	EXPECT_EQ(992, (int)lround(rate * 1000));
}

TEST(broken_axis)
{
	/* fin-blackhole: set-up at -331, 5 min idle, then the FIN at -28, its
	 * retransmissions, the rpcbind queries every 18 s, on to 155 */
	double t[] = { -331.5, -330.9, -28.0, -27.6, -13.9, 0, 18.1, 36.2, 54.2, 72.1, 90.0,
		       108.2, 126.1, 144.0, 154.3 };
	struct tl_axis ax;

	tl_axis_build(&ax, t, 15, TL_GAP_S, 1.0, 100, 1100, 20);
	ASSERT_EQ(2, ax.nseg);
	EXPECT_EQ(100, (int)ax.xa[0]);
	EXPECT_EQ(1100, (int)lround(ax.xb[1]));
	EXPECT_EQ(20, (int)lround(ax.xa[1] - ax.xb[0]));
	/* one scale in every stretch, order kept, the idle in the break's middle */
	EXPECT_LT(fabs((ax.xb[0] - ax.xa[0]) / (ax.b[0] - ax.a[0]) -
		       (ax.xb[1] - ax.xa[1]) / (ax.b[1] - ax.a[1])), 1e-9);
	EXPECT_LT(tl_x(&ax, -331.5), tl_x(&ax, -330.9));
	EXPECT_LT(tl_x(&ax, -330.9), tl_x(&ax, -200));
	EXPECT_LT(tl_x(&ax, -200), tl_x(&ax, -28));
	EXPECT_EQ((int)lround((ax.xb[0] + ax.xa[1]) / 2), (int)lround(tl_x(&ax, -200)));
	EXPECT_LT(tl_x(&ax, 18.1), tl_x(&ax, 154.3));
	/* the retransmissions keep their own spacing: > 1 px per 0.4 s */
	EXPECT_GT((int)(10 * (tl_x(&ax, -27.6) - tl_x(&ax, -28.0))), 10);
	/* a gap just over TL_GAP_S is cut, one under it is kept */
	tl_axis_build(&ax, (double[]){ 0, 19, 40.5 }, 3, TL_GAP_S, 0, 0, 100, 10);
	EXPECT_EQ(2, ax.nseg);
}

TEST(inset)
{
	static struct tl tl;
	double t[] = { -331, 0, 18.1, 154.27, 154.28, 154.29, 154.30, 154.31, 154.32, 154.55 };
	struct tl_axis ax;
	double a = 0, b = 0;
	size_t i;

	memset(&tl, 0, sizeof(tl));
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		tl_add(&tl, t[i], TL_CLIENT, TL_SYN, false, "x", NULL);
	tl_axis_build(&ax, t, 10, TL_GAP_S, 1.0, 100, 1100, 20);
	/* the burst of six at 154.27-154.32 (and 154.55, within 40 px) */
	EXPECT_EQ(7, tl_dense(&tl, &ax, -1, 40, &a, &b));
	EXPECT_EQ(15427, (int)lround(a * 100));
	EXPECT_EQ(15455, (int)lround(b * 100));
	/* nothing after from */
	EXPECT_EQ(0, tl_dense(&tl, &ax, 200, 40, &a, &b));
}

TEST(inside)
{
	struct tl_win w = { .has_expect = true, .has_measured = true, .lo = 17.5, .hi = 19.77,
			    .expect = 18, .measured = 18.08 };

	EXPECT_TRUE(tl_inside(&w));
	w.measured = 19.8;
	EXPECT_FALSE(tl_inside(&w));
	w.measured = 17.4;
	EXPECT_FALSE(tl_inside(&w));
}

TEST(customer_and_svg)
{
	static struct tl tl;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&tl, 0, sizeof(tl));
	EXPECT_FALSE(tl_customer(&tl, "soft-callback", "quick"));
	EXPECT_TRUE(tl_customer(&tl, "fin-blackhole", "quick"));
	EXPECT_STREQ("customer 0825", tl.customer);
	EXPECT_TRUE(tl_customer(&tl, "fin-blackhole", "customer"));
	EXPECT_STREQ("customer 0622", tl.customer);
	tl_add(&tl, 0, TL_CLIENT, TL_CALL, false, "call LOCK", NULL);
	tl_add(&tl, 18.1, TL_CLIENT, TL_LOG, false, "still trying", "lockd: <server> & \"x\"");
	tl.win[0] = (struct tl_win){ .what = "still trying", .from = "the fcntl() call",
				     .has_expect = true, .has_measured = true, .placed = true,
				     .expect = 18, .lo = 17.5, .hi = 19.77, .measured = 18.1 };
	tl.win[1] = tl.win[0];
	tl.win[1].measured = 25;	/* outside: a red mark */
	tl.nwin = 2;
	f = open_memstream(&buf, &len);
	tl_svg(f, &tl);
	fclose(f);
	EXPECT_NE(NULL, strstr(buf, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	EXPECT_NE(NULL, strstr(buf, "class=\"in\""));
	EXPECT_NE(NULL, strstr(buf, "class=\"out\""));
	EXPECT_NE(NULL, strstr(buf, "customer 0622"));
	/* text is escaped */
	EXPECT_NE(NULL, strstr(buf, "lockd: &lt;server&gt; &amp; &quot;x&quot;"));
	EXPECT_NE(NULL, strstr(buf, "</svg>\n"));
	free(buf);
}

TEST_HARNESS_MAIN
