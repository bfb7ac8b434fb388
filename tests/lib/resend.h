/* SPDX-License-Identifier: GPL-2.0 */
/*
 * resend.h: the re-sends of a hard RPC on TCP: when the model says they happen, and
 * whether the measured ones match.
 *
 * Contract: pure functions on the timing model's alarm schedule (timing.h) and on the
 * measured send times (trace.h lr_imp_sends()).
 * Users: imptest.h imp_check_resends() (svc-sleep's operations); tests/unit/impair_test.c.
 */
#ifndef LR_RESEND_H
#define LR_RESEND_H

#include <stddef.h>
#include "timing.h"

/*
 * pure: the moments (ms after the call) a hard RPC re-sends on TCP, from its alarm
 * schedule: each alarm's expiry, minor or major, is followed by a re-send (lockd's
 * tasks lack RPC_TASK_NO_RETRANS_TIMEOUT, so rpc_task_need_encode() holds; 4.19
 * retransmits after every call_timeout()). Returns their number (<= max).
 */
int lr_resend_moments(const struct lr_rpc_sched *s, long *at, int max);
/*
 * pure: match measured re-sends (s) against expected ones (ms): each expected moment
 * before until_s must have one measured re-send in [E - stamps, E + late_ms(E)], and
 * every measured re-send must fall in some expected moment's window. Returns the
 * number of expected moments without a match plus the unexplained re-sends; msg gets
 * both lists (MISSING, EXTRA).
 */
int lr_resend_check(const struct lr_params *p, const long *exp, int nexp, const double *got,
		    int ngot, double until_s, char *msg, size_t size);

#endif /* LR_RESEND_H */
