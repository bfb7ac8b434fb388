/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h: the run summary's answers to the seed's three questions, per kernel, from
 * the cases' timings.json (written by lib/impair.c lr_imp_report(), one object per test;
 * read with jansson; schema in docs/results-schema.md) and result files; question 2's figures come from the timing model
 * (lib/timing.c, fed with each record's kernel version and parameters). Host only (jansson): the
 * tool tests/host/lr_report.c does the file walking; tests/unit/report_test.c tests
 * these functions.
 */
#ifndef LR_REPORT_H
#define LR_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#define LR_REP_MOMENTS	32

struct lr_rep_moment {
	char what[64], from[96];
	bool has_expect, has_measured;
	bool unchecked;			/* "checked": false: no assertion looked at it */
	double expect, lo, hi, measured;
	char why[512];
};

struct lr_rep_test {
	char kdir[48];			/* results/<run>/<kdir>/ */
	char casename[64];		/* from the result file: svc-sleep/lock */
	char verdict[16];
	char test[48], scenario[32], profile[16], rules[16];
	char kernel[48];		/* the client's release; "client/server" when the
					 * server's (server_kernel) differs */
	unsigned int nlm_timeout, hz, syn_retries, syn_linear;
	bool syn_linear_absent;		/* the kernel has no tcp_syn_linear_timeouts (null) */
	bool has_t0;
	double t0_kmsg;			/* the client's kmsg stamp of the test's first call */
	int nmom;
	struct lr_rep_moment mom[LR_REP_MOMENTS];
};

struct json_t;
/* one timings.json record (a JSON object) into t (fields it lacks stay zero); 0, or -1
 * when it is no object or names no test */
int lr_rep_from_json(const struct json_t *o, struct lr_rep_test *t);
/* the same from the record's text */
int lr_rep_parse(const char *text, struct lr_rep_test *t);
/* a case's timings.json (an array of records) into t[0..max-1]: their number, or -1 with
 * one line in err (unreadable, not JSON, not an array) */
int lr_rep_load(const char *path, struct lr_rep_test *t, int max, char *err, size_t size);
/* the n-th (from 0) moment of t named what (several may share a name), or NULL */
const struct lr_rep_moment *lr_rep_moment_nth(const struct lr_rep_test *t, const char *what,
					      int n);
/* pure: the NLM request a test makes, in words ("LOCK (F_SETLKW)") */
const char *lr_rep_request(const char *test);
/* pure: the markdown answers for the tests of one kernel (t[0..n-1], same kdir): what
 * each case measured; a match with the customer's captures only where its moments show it */
void lr_rep_answers(FILE *out, const struct lr_rep_test *t, int n);

#endif /* LR_REPORT_H */
