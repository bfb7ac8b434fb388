/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h: the run summary's answers to the seed's three questions, per kernel, from
 * the cases' timings.json (written by lib/impair.c lr_imp_report(), one object per test
 * on its own line) and result files; question 2's figures come from the timing model
 * (lib/timing.c, fed with each record's kernel version and parameters). Pure: the host
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
	char test[48], scenario[32], kernel[48], profile[16], rules[16];
	unsigned int nlm_timeout, hz, syn_retries, syn_linear;
	int nmom;
	struct lr_rep_moment mom[LR_REP_MOMENTS];
};

/* pure: parse one timings.json object line into t (fields it lacks stay zero); 0 or -1 */
int lr_rep_parse(const char *line, struct lr_rep_test *t);
/* pure: the NLM request a test makes, in words ("LOCK (F_SETLKW)") */
const char *lr_rep_request(const char *test);
/* pure: the markdown answers for the tests of one kernel (t[0..n-1], same kdir): what
 * each case measured; a match with the customer's captures only where its moments show it */
void lr_rep_answers(FILE *out, const struct lr_rep_test *t, int n);

#endif /* LR_REPORT_H */
