// SPDX-License-Identifier: GPL-2.0
/* report_test: timings.json parsing and the answers of lib/report.c */
#include "harness.h"
#include "report.h"


/* a line as lr_imp_report() writes it (7.3.4, svc-sleep/lock, quick) */
static const char line[] =
	"  {\"test\": \"lock\", \"scenario\": \"svc-sleep\", \"kernel\": \"7.3.4\", "
	"\"profile\": \"quick\", \"params\": {\"nlm_timeout\": 3, \"hz\": 250, "
	"\"tcp_syn_retries\": 6, \"tcp_syn_linear_timeouts\": 4, \"tcp_retries2\": 15, "
	"\"rules\": \"mainline\"}, \"t0_kmsg_s\": 13.336803, \"moments\": [{\"what\": "
	"\"still trying\", \"from\": \"the fcntl() call\", \"expect_s\": 18.000, \"lo_s\": "
	"17.500, \"hi_s\": 19.768, \"measured_s\": 18.121, \"why\": \"timer wheel, \\\"TCG\\\"\"}, "
	"{\"what\": \"OK\", \"from\": \"writing 0\", \"expect_s\": 0.000, \"lo_s\": -0.500, "
	"\"hi_s\": 1.100, \"measured_s\": null, \"why\": \"poll\"}, {\"what\": \"re-sends\", "
	"\"from\": \"the fcntl() call\", \"expect_s\": null, \"lo_s\": null, \"hi_s\": null, "
	"\"measured_s\": 2.000, \"why\": \"expected 3.0 [2.5, 4.8]; measured 3.26 9.41\"}], "
	"\"note\": \"\"}\n";

/* a pair's record: the server's release beside the client's (vm/run.sh KERNELS=c/s) */
TEST(parse_pair)
{
	struct lr_rep_test t = { 0 };

	ASSERT_EQ(0, lr_rep_parse("{\"test\": \"lock\", \"kernel\": \"4.19.304\", "
				  "\"server_kernel\": \"7.3.4\"}", &t));
	EXPECT_STREQ("4.19.304/7.3.4", t.kernel);
	ASSERT_EQ(0, lr_rep_parse("{\"test\": \"lock\", \"kernel\": \"7.3.4\", "
				  "\"server_kernel\": \"7.3.4\"}", &t));
	EXPECT_STREQ("7.3.4", t.kernel);
}

TEST(parse)
{
	struct lr_rep_test t = { 0 };

	ASSERT_EQ(0, lr_rep_parse(line, &t));
	EXPECT_STREQ("lock", t.test);
	EXPECT_STREQ("svc-sleep", t.scenario);
	EXPECT_STREQ("7.3.4", t.kernel);
	EXPECT_STREQ("mainline", t.rules);
	EXPECT_EQ(3, t.nlm_timeout);
	EXPECT_EQ(250, t.hz);
	EXPECT_EQ(4, t.syn_linear);
	ASSERT_EQ(3, t.nmom);
	EXPECT_STREQ("still trying", t.mom[0].what);
	EXPECT_TRUE(t.mom[0].has_expect);
	EXPECT_EQ(18121, (int)(t.mom[0].measured * 1000 + 0.5));
	EXPECT_EQ(-500, (int)(t.mom[1].lo * 1000 - 0.5));
	EXPECT_STREQ("timer wheel, \"TCG\"", t.mom[0].why);
	EXPECT_FALSE(t.mom[1].has_measured);
	EXPECT_FALSE(t.mom[2].has_expect);
	EXPECT_STREQ("expected 3.0 [2.5, 4.8]; measured 3.26 9.41", t.mom[2].why);
	EXPECT_FALSE(t.mom[2].unchecked);	/* no "checked": a check */
	EXPECT_TRUE(t.has_t0);
	EXPECT_EQ(13336803, (int)(t.t0_kmsg * 1e6 + 0.5));
}

/* "checked": false (lr_imp_measured()) marks a moment no assertion looked at */
TEST(parse_checked)
{
	struct lr_rep_test t = { 0 };

	ASSERT_EQ(0, lr_rep_parse("{\"test\": \"lock\", \"moments\": [{\"what\": \"a\", "
				  "\"measured_s\": 1, \"checked\": false}, {\"what\": \"b\", "
				  "\"checked\": true}]}", &t));
	ASSERT_EQ(2, t.nmom);
	EXPECT_TRUE(t.mom[0].unchecked);
	EXPECT_FALSE(t.mom[1].unchecked);
	EXPECT_FALSE(t.has_t0);
}

TEST(parse_rejects)
{
	struct lr_rep_test t = { 0 };

	EXPECT_EQ(-1, lr_rep_parse("[", &t));
	EXPECT_EQ(-1, lr_rep_parse("]", &t));
	EXPECT_EQ(-1, lr_rep_parse("  {\"test\": \"x\"", &t));	/* unterminated */
	EXPECT_EQ(-1, lr_rep_parse("{\"scenario\": \"x\"}", &t));	/* no test name */
}

/* ---- records built the way lr_imp_report() writes them ---- */

/* append one moment to the list in b; expect < 0: no window, measured < 0: null */
static void mom(char *b, size_t size, const char *what, const char *from, double expect,
		double lo, double hi, double measured, const char *why)
{
	size_t l = strlen(b);
	char e[80] = "\"expect_s\": null, \"lo_s\": null, \"hi_s\": null", m[32] = "null";

	if (expect >= 0)
		snprintf(e, sizeof(e), "\"expect_s\": %.3f, \"lo_s\": %.3f, \"hi_s\": %.3f",
			 expect, lo, hi);
	if (measured >= 0)
		snprintf(m, sizeof(m), "%.3f", measured);
	snprintf(b + l, size - l, "%s{\"what\": \"%s\", \"from\": \"%s\", %s, \"measured_s\": "
		 "%s, \"why\": \"%s\"}", l ? ", " : "", what, from, e, m, why);
}

/* t from one record of scenario/test on kernel (rules from its major), as case casename */
static int rec(struct lr_rep_test *t, const char *casename, const char *scenario,
	       const char *test, const char *kernel, unsigned int nlm_timeout,
	       unsigned int syn_linear, const char *moments)
{
	char line[8192];

	snprintf(line, sizeof(line), "{\"test\": \"%s\", \"scenario\": \"%s\", \"kernel\": "
		 "\"%s\", \"profile\": \"quick\", \"params\": {\"nlm_timeout\": %u, \"hz\": 250, "
		 "\"tcp_syn_retries\": 6, \"tcp_syn_linear_timeouts\": %u, \"tcp_retries2\": 15, "
		 "\"rules\": \"%s\"}, \"moments\": [%s], \"note\": \"\"}", test, scenario, kernel,
		 nlm_timeout, syn_linear, atoi(kernel) < 5 ? "4.19" : "mainline", moments);
	memset(t, 0, sizeof(*t));
	snprintf(t->kdir, sizeof(t->kdir), "k");
	snprintf(t->casename, sizeof(t->casename), "%s", casename);
	snprintf(t->verdict, sizeof(t->verdict), "pass");
	return lr_rep_parse(line, t);
}

/*
 * The answers for t[0..n-1]; free() it. Not inlined: gcc 12 then takes the stream's
 * &buf for a pointer into this frame (-Wdangling-pointer false positive).
 */
static __attribute__((noinline)) char *answer(const struct lr_rep_test *t, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	lr_rep_answers(f, t, n);
	fclose(f);
	return buf;
}

/*
 * The answers for one record of scenario, case "<scenario>/lock", and in match the
 * "Match: ..." text of that case's paragraph beside the customer's (its own line);
 * NULL when the record does not parse. free() it.
 */
static char *one(const char *scenario, const char *kernel, unsigned int nlm_timeout,
		 unsigned int syn_linear, const char *moments, char *match, size_t size)
{
	struct lr_rep_test t;
	char name[64], head[80];
	const char *p, *m;
	char *buf;

	snprintf(name, sizeof(name), "%s/lock", scenario);
	if (rec(&t, name, scenario, "lock", kernel, nlm_timeout, syn_linear, moments))
		return NULL;
	buf = answer(&t, 1);
	snprintf(head, sizeof(head), "\n- %s (", name);
	match[0] = '\0';
	p = strstr(buf, head);
	m = p ? strstr(p, "Match:") : NULL;
	if (m && m < strchr(p + 1, '\n'))
		snprintf(match, size, "%.*s", (int)strcspn(m, "\n"), m);
	return buf;
}

TEST(answers)
{
	struct lr_rep_test t = { 0 };
	char *buf;

	ASSERT_EQ(0, lr_rep_parse(line, &t));
	snprintf(t.kdir, sizeof(t.kdir), "mainline");
	snprintf(t.casename, sizeof(t.casename), "svc-sleep/lock");
	snprintf(t.verdict, sizeof(t.verdict), "pass");
	buf = answer(&t, 1);
	EXPECT_NE(NULL, strstr(buf, "## mainline (7.3.4, profile quick)"));
	EXPECT_NE(NULL, strstr(buf, "| svc-sleep/lock | LOCK (F_SETLKW, block) | 18.12 s "
				    "(model 18.00 [17.50, 19.77]) | - | not seen (model 0.00 "
				    "[-0.50, 1.10]) | pass |"));
	EXPECT_NE(NULL, strstr(buf, "first major timeout, the `still trying`, is 18 s"));
	EXPECT_NE(NULL, strstr(buf, "- svc-sleep/lock: re-sends: expected 3.0"));
	/* the old fixed sentence claimed what no moment recorded */
	EXPECT_EQ(NULL, strstr(buf, "asserted absent by every case (hard mount"));
	EXPECT_NE(NULL, strstr(buf, "no `timed out` moment recorded by every case."));
	free(buf);
}

/* the `timed out` column and the sentence above the table, from the rows' moments */
TEST(timed_out_column)
{
	struct lr_rep_test t[3];
	char m[3][1024] = { "", "", "" }, *buf;

	mom(m[0], sizeof(m[0]), "still trying", "the LOCK call", -1, 0, 0, 18.3, "measured only");
	mom(m[0], sizeof(m[0]), "timed out", "the GRANTED_RES call", 61, 59.5, 63.2, 61.02,
	    "soft GRANTED_RES task");
	mom(m[1], sizeof(m[1]), "timed out", "the fcntl() call", -1, 0, 0, -1,
	    "absent: hard mount");
	mom(m[2], sizeof(m[2]), "still trying", "the fcntl() call", -1, 0, 0, 18.2, "x");
	ASSERT_EQ(0, rec(&t[0], "customer-0619", "customer-0619", "sequence", "7.3.4", 3, 4, m[0]));
	ASSERT_EQ(0, rec(&t[1], "svc-sleep/lock", "svc-sleep", "lock", "7.3.4", 3, 4, m[1]));
	ASSERT_EQ(0, rec(&t[2], "link-down/lock", "link-down", "lock", "7.3.4", 3, 4, m[2]));
	buf = answer(t, 3);
	EXPECT_NE(NULL, strstr(buf, "| `still trying` | `timed out` | `OK` |"));
	EXPECT_NE(NULL, strstr(buf, "| 18.30 s | 61.02 s after the GRANTED_RES call "
				    "[59.50, 63.20] | no | pass |"));
	EXPECT_NE(NULL, strstr(buf, "| svc-sleep/lock | LOCK (F_SETLKW, block) | no | none | "));
	EXPECT_NE(NULL, strstr(buf, "| link-down/lock | LOCK (F_SETLKW, block) | 18.20 s | - | "));
	EXPECT_NE(NULL, strstr(buf, "measured by customer-0619 (61.02 s after the GRANTED_RES "
				    "call: soft GRANTED_RES task); asserted absent by "
				    "svc-sleep/lock; no `timed out` moment recorded by "
				    "link-down/lock."));
	free(buf);

	/* every row asserted it absent: said once */
	t[0] = t[1];
	buf = answer(t, 2);
	EXPECT_NE(NULL, strstr(buf, ": asserted absent by every case."));
	free(buf);
}

/* the 0619 sequence: our lines and gaps beside the customer's, gaps not in the table */
TEST(customer_0619)
{
	struct lr_rep_test t;
	char m[2048] = "", *buf;

	mom(m, sizeof(m), "still trying", "the LOCK call", 18, 17.5, 19.8, 18.3, "wheel");
	mom(m, sizeof(m), "timed out", "the GRANTED_RES call", 61, 59.5, 63.2, 61.02, "soft");
	mom(m, sizeof(m), "still trying again", "the second LOCK call", 18, 17.5, 19.8, 18.4,
	    "wheel");
	mom(m, sizeof(m), "gap still trying -> timed out", "", -1, 0, 0, 50, "measured only");
	mom(m, sizeof(m), "gap timed out -> still trying again", "", -1, 0, 0, 20,
	    "measured only");
	ASSERT_EQ(0, rec(&t, "customer-0619", "customer-0619", "sequence", "7.3.4", 3, 4, m));
	buf = answer(&t, 1);
	EXPECT_NE(NULL, strstr(buf, "| 18.30 s (model 18.00 [17.50, 19.80]); 18.40 s (model "
				    "18.00 [17.50, 19.80]) | 61.02 s after"));
	EXPECT_NE(NULL, strstr(buf, "customer 0619: `still trying` 02:22:38, `timed out` "
				    "03:50:47 (88 min 9 s later), `still trying` 06:22:05"));
	EXPECT_NE(NULL, strstr(buf, "Ours: `still trying` 18.30 s after the LOCK call; `timed "
				    "out` 61.02 s after the GRANTED_RES call; `still trying` "
				    "again 18.40 s after the second LOCK call; `still trying` to "
				    "`timed out` 50.00 s, `timed out` to `still trying` again "
				    "20.00 s, so the order is the customer's."));
	EXPECT_NE(NULL, strstr(buf, "Our gaps are set by the test"));
	free(buf);
}

/* fin-blackhole's Match lists only what the case's own moments show */
TEST(fin_blackhole_match)
{
	char m[2048] = "", got[1024], *buf;

	/* no-reuseport: new port at once, no stall, FIN retransmissions on the rule */
	mom(m, sizeof(m), "FIN (idle close)", "the unlock", 300, 299.5, 302, 300.2, "idle");
	mom(m, sizeof(m), "FIN retransmissions seen", "the FIN", -1, 0, 0, 3,
	    "0.44/0.45, 0.87/0.90, 1.76/1.80");
	mom(m, sizeof(m), "fcntl() returned", "the fcntl() call", 0, -0.5, 3, 0.1, "rtt");
	mom(m, sizeof(m), "new connection", "the fcntl() call", -1, 0, 0, 0.05,
	    "new source port");
	ASSERT_NE(NULL, buf = one("fin-blackhole", "7.3.4", 3, 4, m, got, sizeof(got)));
	EXPECT_STREQ("Match: the doubling FIN schedule. Differs or not seen: no stall (no "
		     "`still trying` measured); the LOCK went out from a new source port (the "
		     "customer's from the same port).", got);
	EXPECT_EQ(NULL, strstr(buf, "port reuse"));
	EXPECT_EQ(NULL, strstr(buf, "challenge ACK"));
	free(buf);

	/* the port reused, the stall until the old socket died, one gap off the rule */
	m[0] = '\0';
	mom(m, sizeof(m), "FIN retransmissions seen", "the FIN", -1, 0, 0, 2,
	    "0.44/0.45, 0.87/1.90!");
	mom(m, sizeof(m), "still trying", "the fcntl() call", 18, 17.5, 19.8, 18.2, "wheel");
	mom(m, sizeof(m), "old socket gone", "the fcntl() call", 152, 151.5, 154, 152.3, "UTO");
	mom(m, sizeof(m), "OK", "the fcntl() call", 152, 151.5, 155, 152.4, "UTO");
	mom(m, sizeof(m), "new connection", "the fcntl() call", -1, 0, 0, 152.35,
	    "same source port");
	ASSERT_NE(NULL, buf = one("fin-blackhole", "7.3.4", 3, 4, m, got, sizeof(got)));
	EXPECT_STREQ("Match: the stall until the old socket died (`still trying`, then the new "
		     "connection after the old socket was gone); the order `still trying`, new "
		     "connection, `OK`; the port reuse (the new connection from the old source "
		     "port). Differs or not seen: FIN retransmissions off the doubling rule "
		     "(marked !).", got);
	EXPECT_NE(NULL, strstr(buf, "challenge ACK"));
	free(buf);

	/* fewer than two FIN retransmissions and no new connection: nothing claimed */
	m[0] = '\0';
	mom(m, sizeof(m), "FIN retransmissions seen", "the FIN", -1, 0, 0, 1, "0.44/0.45");
	ASSERT_NE(NULL, buf = one("fin-blackhole", "7.3.4", 3, 4, m, got, sizeof(got)));
	EXPECT_STREQ("Match: nothing the moments show. Differs or not seen: fewer than two FIN "
		     "retransmissions recorded; no stall (no `still trying` measured); no new "
		     "connection seen.", got);
	free(buf);
}

TEST(portmap_match)
{
	char m[2048] = "", got[1024], *buf;

	mom(m, sizeof(m), "still trying", "the fcntl() call", 18, 17.5, 19.8, 18.2, "bind");
	mom(m, sizeof(m), "SYN retransmissions", "the first SYN", -1, 0, 0, 2,
	    "1.00/1.02, 2.00/2.03");
	ASSERT_NE(NULL, buf = one("portmap-synack-lost", "7.3.4", 3, 4, m, got, sizeof(got)));
	EXPECT_STREQ("Match: `still trying` while the rpcbind handshake could not complete; "
		     "the SYN retransmitted unanswered (2 seen, each on the model's schedule). "
		     "Differs or not seen: our TCP keeps the SYN RTO at 1 s for the first 4 "
		     "retransmissions (tcp_syn_linear_timeouts), the customer's 4.19 doubled "
		     "it from 1 s.", got);
	free(buf);

	/* 4.19, no still trying, a retransmission off the schedule */
	m[0] = '\0';
	mom(m, sizeof(m), "still trying", "the fcntl() call", 60, 59.5, 61.8, -1, "bind");
	mom(m, sizeof(m), "SYN retransmissions", "the first SYN", -1, 0, 0, 2,
	    "1.00/1.02, 3.00/5.03!");
	ASSERT_NE(NULL, buf = one("portmap-synack-lost", "4.19.325", 10, 0, m, got,
				  sizeof(got)));
	EXPECT_STREQ("Match: the SYN RTO doubling from 1 s (tcp_syn_linear_timeouts 0). "
		     "Differs or not seen: no `still trying` measured; SYN retransmissions off "
		     "the model's schedule (marked !).", got);
	free(buf);
}

/* question 2's figures come from lib/timing.c: the 9x connect figure only under 4.19 */
TEST(question2_model)
{
	char got[1024], *buf;

	ASSERT_NE(NULL, buf = one("svc-sleep", "4.19.325", 10, 0, "", got, sizeof(got)));
	EXPECT_NE(NULL, strstr(buf, "to_initval 10 s, to_increment 10 s, to_maxval 60 s, 5 "
				    "retries, linear; its first major timeout, the `still "
				    "trying`, is 60 s after the call under the 4.19 sunrpc rules "
				    "(90 s when the call itself had to connect)."));
	EXPECT_NE(NULL, strstr(buf, "XS_IDLE_DISC_TO 300 s, the transport's TCP_USER_TIMEOUT "
				    "180 s"));
	free(buf);

	ASSERT_NE(NULL, buf = one("svc-sleep", "4.19.325", 3, 0, "", got, sizeof(got)));
	EXPECT_NE(NULL, strstr(buf, "is 18 s after the call under the 4.19 sunrpc rules (27 s "
				    "when the call itself had to connect)."));
	free(buf);

	ASSERT_NE(NULL, buf = one("svc-sleep", "7.3.4", 10, 4, "", got, sizeof(got)));
	EXPECT_NE(NULL, strstr(buf, "is 60 s after the call under the mainline sunrpc rules. "));
	EXPECT_EQ(NULL, strstr(buf, "had to connect"));
	free(buf);

	/* no version in the record: no rules, so no figures */
	ASSERT_NE(NULL, buf = one("svc-sleep", "", 10, 4, "", got, sizeof(got)));
	EXPECT_NE(NULL, strstr(buf, "names no kernel version"));
	EXPECT_EQ(NULL, strstr(buf, "first major timeout"));
	free(buf);
}

TEST_HARNESS_MAIN
