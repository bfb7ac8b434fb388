/* SPDX-License-Identifier: GPL-2.0 */
/*
 * moments.h: expected-vs-measured moments of one impairment test, and its record.
 *
 * Contract: a test records each moment it checks (or only measures) with the model's
 * expectation and tolerance; lr_imp_report() appends the test's record (scenario,
 * kernels, parameters, moments, tick rate, note) to LR_OUT/timings.jsonl and its kept
 * trace to LR_OUT/rpc_debug.txt (docs/results-schema.md).
 * Users: imptest.h and the flows; the host's lr_report reads what it writes.
 */
#ifndef LR_MOMENTS_H
#define LR_MOMENTS_H

#include <stdbool.h>
#include "timing.h"

#define LR_MOMENTS_MAX	32

/* one expected-vs-measured moment, for the report */
struct lr_moment {
	const char *what;	/* "still trying", "OK", "result" ... */
	const char *ref;	/* what it is measured from */
	double expect, lo, hi;	/* s after ref; expect < 0: no model figure */
	double measured;	/* s after ref; < 0: not seen */
	char why[512];		/* the tolerance's reason, or what was measured */
	bool checked;		/* false: recorded for the report, no assertion on it */
};

struct lr_imp;

/* record a moment for the report; returns measured inside [lo, hi] (always true for
 * expect < 0: then the test's own assertions check it) */
bool lr_imp_moment(struct lr_imp *m, const char *what, const char *ref, double expect,
		   double lo, double hi, double measured, const char *why);
/* record a moment no assertion looks at: timings.json says "checked": false, the
 * report "measured only, not a check" */
void lr_imp_measured(struct lr_imp *m, const char *what, const char *ref, double measured,
		     const char *why);
/* a model window (ms) as a moment (s) */
bool lr_imp_window(struct lr_imp *m, const char *what, const struct lr_window *w,
		   double measured);

/* append the test's record to LR_OUT/timings.jsonl and its trace to LR_OUT/rpc_debug.txt */
void lr_imp_report(struct lr_imp *m, double t_ref);

#endif /* LR_MOMENTS_H */
