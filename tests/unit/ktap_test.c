// SPDX-License-Identifier: GPL-2.0
/* ktap_test: lib/ktap.c, the one KTAP/TAP reader of the case verdict and of make check */
#include "harness.h"
#include "ktap.h"

/* k from text; its counts line and reason into the caller's buffers */
struct rd {
	struct lr_ktap k;
	char counts[256], why[2 * LR_KTAP_WHY + 8];
};

static struct rd *rd(const char *text)
{
	static struct rd r;

	lr_ktap_init(&r.k);
	lr_ktap_text(&r.k, text);
	lr_ktap_format(&r.k, r.counts, sizeof(r.counts));
	lr_ktap_why(&r.k, r.why, sizeof(r.why));
	return &r;
}

/* the kselftest harness's stream of a whole baseline run (7.3.4), diagnostics and all */
static const char baseline[] =
	"TAP version 13\n"
	"1..7\n"
	"# Starting 7 tests from 1 test cases.\n"
	"#  RUN           baseline.mount_options ...\n"
	"#            OK  baseline.mount_options\n"
	"ok 1 baseline.mount_options\n"
	"ok 2 baseline.seed_flow\n"
	"ok 3 baseline.nlm_test_read_lock # XFAIL server's nlmsvc_testlock() drops the lock type\n"
	"ok 4 baseline.grant_after_unlock\n"
	"ok 5 baseline.setlk_eagain\n"
	"ok 6 baseline.cancel_on_kill\n"
	"ok 7 baseline.close_releases\n"
	"# PASSED: 7 / 7 tests passed.\n"
	"# Totals: pass:6 fail:0 xfail:1 xpass:0 skip:0 error:0\n";

TEST(complete_stream)
{
	struct rd *r = rd(baseline);

	EXPECT_STREQ("pass=6 fail=0 skip=0 xfail=1 xpass=0 error=0 plan=7 results=7 "
		     "complete=1 docs=1", r->counts);
	EXPECT_TRUE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("", r->why);
}

TEST(truncated_stream)
{
	/* a client killed after 4 of 7: the seed's hole, "pass (4 passed)" of a 1..7 plan */
	struct rd *r = rd("TAP version 13\n1..7\nok 1 a\nok 2 b\nok 3 c\nok 4 d\n# RUN e ...\n");

	EXPECT_EQ(4, r->k.pass);
	EXPECT_EQ(7, r->k.plan);
	EXPECT_EQ(4, r->k.results);
	EXPECT_FALSE(r->k.complete);
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("plan 1..7 but 4 result(s)", r->why);
	/* cut in the middle of a line: the half line is still a result, the plan is not met */
	r = rd("1..2\nok 1 a\nok 2 b");
	EXPECT_TRUE(lr_ktap_ok(&r->k));
	r = rd("1..2\nok 1 a\nok");
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_EQ(1, r->k.error);
}

TEST(empty_input)
{
	struct rd *r = rd("");

	EXPECT_EQ(0, r->k.docs);
	EXPECT_FALSE(r->k.complete);
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("empty input", r->why);
	r = rd("\n  \n\r\n");
	EXPECT_STREQ("empty input", r->why);
	/* text without a TAP line: make check then goes by the step's exit status */
	r = rd("mainline 7.3.4 built in 263s\n# a comment\n");
	EXPECT_EQ(0, r->k.docs);
	EXPECT_STREQ("no TAP: no plan and no results", r->why);
	/* a version line alone (a binary that died before its plan) is a document */
	r = rd("TAP version 13\n");
	EXPECT_EQ(1, r->k.docs);
	EXPECT_STREQ("no plan (0 result(s))", r->why);
}

TEST(missing_plan)
{
	struct rd *r = rd("ok 1 a\nok 2 b\n");

	EXPECT_EQ(2, r->k.pass);
	EXPECT_EQ(2, r->k.results);
	EXPECT_FALSE(r->k.complete);
	EXPECT_STREQ("no plan (2 result(s))", r->why);
	/* a nested plan is not the document's */
	r = rd("    1..1\n    ok 1 a\nok 1 case\n");
	EXPECT_STREQ("no plan (1 result(s))", r->why);
}

TEST(trailing_plan)
{
	/* shell TAP (the unit .sh tests, kernel.sh dryrun) prints the plan last */
	struct rd *r = rd("ok 1 - a\nok 2 - b # SKIP no source\n1..2\n");

	EXPECT_TRUE(lr_ktap_ok(&r->k));
	EXPECT_EQ(1, r->k.pass);
	EXPECT_EQ(1, r->k.skip);
	r = rd("ok 1 - a\n1..2\n");
	EXPECT_STREQ("plan 1..2 but 1 result(s)", r->why);
	r = rd("1..0 # SKIP nothing to do here\n");
	EXPECT_TRUE(lr_ktap_ok(&r->k));
}

TEST(garbled_lines)
{
	struct rd *r;

	/* noise that is not TAP is ignored: kernel messages, words that start like a result */
	r = rd("1..2\n[   12.3] lockd: server not responding\nokay then\nnot okay\n\x01\x02\xff\n"
	       "ok 1 a\n# ok 9 in a diagnostic\nok 2 b\n");
	EXPECT_TRUE(lr_ktap_ok(&r->k));
	EXPECT_EQ(2, r->k.pass);
	/* a result that lost its number, a number glued to text, a plan that is no number */
	r = rd("1..2\nok 1 a\nok - b\n");
	EXPECT_EQ(1, r->k.error);
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("line 3: result without a number \"ok - b\"; plan 1..2 but 1 result(s)",
		     r->why);
	r = rd("1..1\nnot ok 1x a\nok 1 a\n");
	EXPECT_EQ(1, r->k.error);
	EXPECT_EQ(0, r->k.fail);
	r = rd("1..x\nok 1 a\n");
	EXPECT_EQ(1, r->k.error);
	EXPECT_STREQ("line 1: garbled plan \"1..x\"; no plan (1 result(s))", r->why);
	r = rd("1..1 junk\nok 1 a\n");
	EXPECT_EQ(1, r->k.error);
	/* results out of order or repeated, e.g. two writers on one stream */
	r = rd("1..3\nok 1 a\nok 3 c\nok 2 b\n");
	EXPECT_EQ(2, r->k.error);
	EXPECT_STREQ("line 3: result 3 where 2 was expected", r->why);
	r = rd("1..2\nok 1 a\nok 2 b\nok 3 c\n");
	EXPECT_FALSE(r->k.complete);
	EXPECT_STREQ("line 4: \"ok 3 c\" after the plan was complete; no plan (1 result(s))",
		     r->why);
	/* Bail out! */
	r = rd("1..2\nok 1 a\nBail out! no server\n");
	EXPECT_EQ(1, r->k.error);
	EXPECT_STREQ("Bail out! no server; plan 1..2 but 1 result(s)", r->why);
	/* CRLF line ends are line ends */
	r = rd("1..1\r\nok 1 a # SKIP why\r\n");
	EXPECT_TRUE(lr_ktap_ok(&r->k));
	EXPECT_EQ(1, r->k.skip);
}

TEST(directives)
{
	struct rd *r = rd("1..8\n"
			  "ok 1 a # SKIP no 4.19 source\n"
			  "ok 2 b # XFAIL known bug\n"
			  "ok 3 c # XPASS known bug did not show\n"
			  "ok 4 d #  a pass with a message (kselftest's double space)\n"
			  "ok 5 e # SKIPPED is no directive\n"
			  "ok 6 f #XFAIL\n"
			  "not ok 7 g # SKIP a not ok is a failure\n"
			  "not ok 8 h # TODO\n");

	EXPECT_EQ(2, r->k.pass);	/* d, and e: "SKIPPED" is a word of its message */
	EXPECT_EQ(1, r->k.skip);
	EXPECT_EQ(2, r->k.xfail);	/* b, and f: no blank is needed after '#' */
	EXPECT_EQ(1, r->k.xpass);
	EXPECT_EQ(2, r->k.fail);
	EXPECT_TRUE(r->k.complete);
	EXPECT_STREQ("not ok 7 g # SKIP a not ok is a failure", r->why);
	/* XPASS alone fails */
	r = rd("1..2\nok 1 a # XFAIL bug\nok 2 b # XPASS bug\n");
	EXPECT_TRUE(r->k.complete);
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("ok 2 b # XPASS bug", r->why);
	/* SKIP and XFAIL alone pass */
	r = rd("1..2\nok 1 a # XFAIL bug\nok 2 b # SKIP none\n");
	EXPECT_TRUE(lr_ktap_ok(&r->k));
}

TEST(nested_subtests)
{
	/* vm/run.sh --tap: each case's tests indented under the case's own line */
	struct rd *r = rd("1..2\n"
			  "    ok 1 baseline.mount_options\n"
			  "    ok 2 baseline.nlm_test_read_lock # XFAIL bug\n"
			  "ok 1 - case mainline/baseline\n"
			  "\tnot ok 1 svc_sleep.lock\n"
			  "    # a nested diagnostic\n"
			  "not ok 2 - case mainline/svc-sleep/lock: 1 test(s) failed\n");

	EXPECT_EQ(2, r->k.pass);
	EXPECT_EQ(1, r->k.xfail);
	EXPECT_EQ(2, r->k.fail);
	EXPECT_EQ(2, r->k.results);
	EXPECT_TRUE(r->k.complete);
	EXPECT_STREQ("not ok 1 svc_sleep.lock", r->why);
	/* truncated between a case's tests and its own line: the plan sees it */
	r = rd("1..1\n    ok 1 a\n    ok 2 b\n");
	EXPECT_FALSE(r->k.complete);
	EXPECT_STREQ("plan 1..1 but 0 result(s)", r->why);
	/* nested numbering starts again under every case; a nested Bail out! still counts */
	r = rd("1..2\n  ok 1 a\nok 1 x\n  ok 1 b\n  Bail out! gone\nok 2 y\n");
	EXPECT_TRUE(r->k.complete);
	EXPECT_EQ(1, r->k.error);
}

TEST(totals_disagree)
{
	/* a "not ok" fails even when the Totals line says all passed; the disagreement too */
	struct rd *r = rd("TAP version 13\n1..2\nok 1 a\nnot ok 2 b\n"
			  "# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n");

	EXPECT_EQ(1, r->k.fail);
	EXPECT_EQ(1, r->k.error);
	EXPECT_EQ(2, r->k.results);	/* Totals is no result */
	EXPECT_TRUE(r->k.complete);
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("not ok 2 b", r->why);
	/* Totals cannot stand in for missing results */
	r = rd("1..7\nok 1 a\n# Totals: pass:7 fail:0 xfail:0 xpass:0 skip:0 error:0\n");
	EXPECT_FALSE(r->k.complete);
	EXPECT_EQ(1, r->k.pass);
	/* kselftest's "error" results are "not ok" lines: fail+error against them */
	r = rd("1..2\nnot ok 1 # error x\nnot ok 2 b\n"
	       "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:1\n");
	EXPECT_EQ(0, r->k.error);
	EXPECT_EQ(2, r->k.fail);
}

TEST(documents)
{
	/* make check's unit step: kselftest binaries (plan first, Totals last) and shell TAP
	 * (plan last), one after the other, with "# unit:" lines between them */
	struct rd *r = rd("# unit: a_test\nTAP version 13\n1..2\nok 1 a\nok 2 b\n"
			  "# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0\n"
			  "# unit: b_test\nTAP version 13\n1..1\nok 1 c # XFAIL must time out\n"
			  "# Totals: pass:0 fail:0 xfail:1 xpass:0 skip:0 error:0\n"
			  "# unit: bash c.sh\nok 1 - d\nok 2 - e\n1..2\n"
			  "# unit: 3/3 passed\n");

	EXPECT_STREQ("pass=4 fail=0 skip=0 xfail=1 xpass=0 error=0 plan=5 results=5 "
		     "complete=1 docs=3", r->counts);
	EXPECT_TRUE(lr_ktap_ok(&r->k));
	/* a binary that died mid-stream, then the next one's version line */
	r = rd("TAP version 13\n1..3\nok 1 a\nTAP version 13\n1..1\nok 1 b\n");
	EXPECT_EQ(2, r->k.docs);
	EXPECT_STREQ("plan 1..3 but 1 result(s)", r->why);
	/* ... or the next one's results without a version line */
	r = rd("1..3\nok 1 a\nok 1 b\n1..1\n");
	EXPECT_FALSE(lr_ktap_ok(&r->k));
	EXPECT_STREQ("line 3: result 1 where 2 was expected; plan 1..3 but 2 result(s)", r->why);
}

TEST_HARNESS_MAIN
