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
	"\"note\": \"\"},\n";

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
}

TEST(parse_rejects)
{
	struct lr_rep_test t = { 0 };

	EXPECT_EQ(-1, lr_rep_parse("[", &t));
	EXPECT_EQ(-1, lr_rep_parse("]", &t));
	EXPECT_EQ(-1, lr_rep_parse("  {\"test\": \"x\"", &t));	/* unterminated */
	EXPECT_EQ(-1, lr_rep_parse("{\"scenario\": \"x\"}", &t));	/* no test name */
}

TEST(answers)
{
	struct lr_rep_test t = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_EQ(0, lr_rep_parse(line, &t));
	snprintf(t.kdir, sizeof(t.kdir), "mainline");
	snprintf(t.casename, sizeof(t.casename), "svc-sleep/lock");
	snprintf(t.verdict, sizeof(t.verdict), "pass");
	lr_rep_answers(f, &t, 1);
	fclose(f);
	EXPECT_NE(NULL, strstr(buf, "## mainline (7.3.4, profile quick)"));
	EXPECT_NE(NULL, strstr(buf, "| svc-sleep/lock | LOCK (F_SETLKW, block) | 18.12 s "
				    "(model 18.00 [17.50, 19.77]) | not seen (model 0.00 "
				    "[-0.50, 1.10]) | pass |"));
	EXPECT_NE(NULL, strstr(buf, "first major timeout, the `still trying`, is 18 s"));
	EXPECT_NE(NULL, strstr(buf, "- svc-sleep/lock: re-sends: expected 3.0"));
	free(buf);
}

TEST_HARNESS_MAIN
