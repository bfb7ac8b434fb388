// SPDX-License-Identifier: GPL-2.0
/* resend.c: the re-sends a hard RPC makes, matched against the measured ones (resend.h). */
#include "impair.h"

#include <stdio.h>
#include <string.h>

int lr_resend_moments(const struct lr_rpc_sched *s, long *at, int max)
{
	int i, n = 0;

	for (i = 0; i < s->n && n < max; i++)
		at[n++] = s->a[i].at + s->a[i].len;
	return n;
}

/* how late re-send k can be: the wheel slack of every alarm up to it, 1 s for TCG, and
 * 0.5 s for the rpcbind query a major timeout's rpc_force_rebind() puts before it; how
 * early: never, but for the stamps (lr_tol_stamp()) */
#define LR_RESEND_TCG_S		1.0
#define LR_RESEND_REBIND_S	0.5
#define LR_RESEND_MAX		64

int lr_resend_check(const struct lr_params *p, const long *exp, int nexp, const double *got,
		    int ngot, double until_s, char *msg, size_t size)
{
	double slack = 0, lo[LR_RESEND_MAX], hi[LR_RESEND_MAX];
	int i, j, missing = 0, extra = 0, prev = 0;
	size_t l;

	msg[0] = '\0';
	if (nexp > LR_RESEND_MAX)
		nexp = LR_RESEND_MAX;
	for (i = 0; i < nexp; i++) {
		bool found = false;

		slack += lr_timer_slack(p, exp[i] - prev) / 1e3;
		prev = exp[i];
		lo[i] = exp[i] / 1e3 - lr_tol_stamp(p) / 1e3;
		hi[i] = exp[i] / 1e3 + slack + LR_RESEND_TCG_S + LR_RESEND_REBIND_S;
		if (hi[i] > until_s)
			continue;	/* the impairment ended before it was due */
		for (j = 0; j < ngot; j++)
			found |= got[j] >= lo[i] && got[j] <= hi[i];
		l = strlen(msg);
		snprintf(msg + l, size - l, "%s%.1f [%.2f, %.1f]%s", i ? ", " : "expected ",
			 exp[i] / 1e3, lo[i], hi[i], found ? "" : " MISSING");
		missing += !found;
	}
	l = strlen(msg);
	snprintf(msg + l, size - l, "; measured");
	/* two-sided: a re-send no alarm of the model explains is as wrong as a missing one */
	for (j = 0; j < ngot; j++) {
		bool known = false;

		for (i = 0; i < nexp; i++)
			known |= got[j] >= lo[i] && got[j] <= hi[i];
		extra += !known;
		l = strlen(msg);
		snprintf(msg + l, size - l, " %.2f%s", got[j], known ? "" : " EXTRA");
	}
	return missing + extra;
}
