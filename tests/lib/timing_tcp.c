// SPDX-License-Identifier: GPL-2.0
/*
 * timing_tcp.c: TCP's own timers in the model (timing.h): the client's SYN and FIN
 * retransmissions, and the server's SYN-ACKs of a connection that never completes.
 */
#include <stdbool.h>
#include <string.h>

#include "timing.h"
#include "timing_kernel.h"

/*
 * SYN (re)transmissions from connect(), ms after the first SYN.
 * tcp_retransmit_timer()/tcp_write_timeout() (net/ipv4/tcp_timer.c): the RTO starts
 * at TCP_TIMEOUT_INIT; mainline keeps it for the first tcp_syn_linear_timeouts RTOs,
 * then doubles (4.19 doubles from the first); the attempt fails with ETIMEDOUT at the
 * RTO after tcp_syn_retries (+ tcp_syn_linear_timeouts) retransmissions.
 */
void lr_tcp_syn_schedule(const struct lr_params *p, struct lr_tcp_sched *t)
{
	unsigned int lin = p->tcp_syn_linear_timeouts;
	unsigned int max = p->tcp_syn_retries + lin;
	long rto = TCP_TIMEOUT_INIT, now = 0;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->at[t->n++] = 0;
	for (i = 1; i <= max + 1; i++) {
		now += rto;
		if (i > max || t->n >= LR_MAX_SEGS)
			break;
		t->at[t->n++] = now;
		if (i > lin) {		/* tp->total_rto > tcp_syn_linear_timeouts */
			rto <<= 1;
			if (rto > (long)p->tcp_rto_max_ms)
				rto = p->tcp_rto_max_ms;
		}
	}
	t->giveup = now;
}

/*
 * retransmits_timed_out() with timeout == 0 (both): the time "boundary" RTO_MIN-based
 * doublings take, capped at TCP_RTO_MAX per step (tcp_model_timeout() in mainline).
 */
static long model_timeout(unsigned int boundary, long rto_base, long rto_max)
{
	unsigned int thresh = 0;
	long t;

	while ((rto_base << (thresh + 1)) <= rto_max)	/* ilog2(TCP_RTO_MAX / rto_base) */
		thresh++;
	if (boundary <= thresh)
		return ((2L << boundary) - 1) * rto_base;
	t = ((2L << thresh) - 1) * rto_base;
	return t + (long)(boundary - thresh) * rto_max;
}

/*
 * Retransmissions of an unanswered FIN (or any lone segment), ms after its first
 * transmission, on a connection whose RTO is @rto.
 *  - the first resend is the tail loss probe (tcp_schedule_loss_probe(), armed by
 *    tcp_early_retrans >= 3) one RTO-sized PTO later; the RTO timer then fires at
 *    rto, 2 rto, 4 rto ... after it (icsk_rto <<= 1, capped at tcp_rto_max): the
 *    seed's 0.22, 0.44, 0.87, 1.76 ... s;
 *  - @user_timeout (TCP_USER_TIMEOUT, ms; 0 = none) ends it exactly: the timer is
 *    clamped to it (tcp_clamp_rto_to_user_timeout(), in 4.19.y and mainline) and
 *    tcp_write_err() kills the socket;
 *  - otherwise tcp_retries2 (socket still owned, the xprt only shut it down) or
 *    tcp_orphan_retries (orphan: 0 means 8 while the RTO is below tcp_rto_max).
 */
void lr_tcp_fin_schedule(const struct lr_params *p, long rto, long user_timeout,
			 int orphan, struct lr_tcp_sched *t)
{
	long rto_max = p->tcp_rto_max_ms, limit, now = 0;
	unsigned int retries;

	memset(t, 0, sizeof(*t));
	if (rto <= 0)
		rto = p->tcp_rto_min_ms;
	if (user_timeout > 0) {
		limit = user_timeout;
	} else {
		retries = p->tcp_retries2;
		if (orphan) {
			retries = p->tcp_orphan_retries;
			if (retries == 0)
				retries = TCP_ORPHAN_RETRIES_ALIVE;
		}
		limit = model_timeout(retries, p->tcp_rto_min_ms, rto_max);
	}

	t->at[t->n++] = 0;
	if (lr_tcp_tlp(p) && rto < limit) {
		now = rto;
		t->at[t->n++] = now;	/* TLP probe */
	}
	for (;;) {
		long next = now + rto;

		/* tcp_write_timeout() runs when the timer fires, before the resend */
		if (next >= limit) {
			t->giveup = user_timeout > 0 ? limit : next;
			return;
		}
		if (t->n >= LR_MAX_SEGS) {
			t->giveup = -1;
			return;
		}
		now = next;
		t->at[t->n++] = now;
		rto <<= 1;
		if (rto > rto_max)
			rto = rto_max;
	}
}

bool lr_tcp_tlp(const struct lr_params *p)
{
	/* tcp_schedule_loss_probe(): only with tcp_early_retrans 3 or 4 (both lines) */
	return p->tcp_early_retrans >= TCP_EARLY_RETRANS;
}


/*
 * The server's SYN-ACKs of one connect whose SYN-ACKs are lost, as its request sock's
 * timer sends them (4.19 to 7.3 alike: net/ipv4/inet_connection_sock.c
 * reqsk_timer_handler(), net/ipv4/tcp_minisocks.c tcp_check_req()):
 *  - the first SYN makes the request sock and arms its timer TCP_TIMEOUT_INIT ahead,
 *    num_timeout 0;
 *  - the timer fires: with num_timeout >= tcp_synack_retries the request is dropped
 *    (syn_ack_recalc()) and the next SYN starts a new one; otherwise it re-sends the
 *    SYN-ACK, num_timeout++, and re-arms TCP_TIMEOUT_INIT << num_timeout ahead (capped
 *    at TCP_RTO_MAX);
 *  - a retransmitted SYN is answered at once and moves the pending timer to
 *    TCP_TIMEOUT_INIT << num_timeout after it (mod_timer_pending()).
 * Seen 2026-12-02 in a quick customer-0619's capture: SYNs at 3.52, 6.15, 8.82, 11.48,
 * 14.14, 16.80 s, the timer's SYN-ACKs at 4.54, 8.19 and 20.93 s, as this model has them.
 * A SYN that reaches the server less than @tie s from the timer's expiry races it: which came
 * first decides num_timeout and so every later expiry (the client's 1 s linear SYN
 * retransmissions race the request's first 1 s timer at each step), so both orders are
 * followed and out[] gets the SYN-ACKs of every order, each once, unsorted.
 * syn[0..n-1]: the connect's SYNs in order (s, the client's clock); rate: the server's
 * clock seconds per client second. Fills out[] with the timer's SYN-ACKs up to @until
 * (the client's s) and returns how many; -1 when they did not fit in max or the orders
 * were too many to follow (LR_SYNACK_BUDGET steps): the caller knows nothing then.
 */
struct synack_sim {
	const double *syn;
	int n, max, k, budget;
	unsigned int retries;
	double rate, tie, until;
	struct lr_synack *out;
};

static long synack_timeo(int num)
{
	long t = TCP_TIMEOUT_INIT << num;

	return t > TCP_RTO_MAX ? TCP_RTO_MAX : t;
}

/* out[] holds each SYN-ACK once, whichever orders lead to it (the most timers chained) */
static void synack_add(struct synack_sim *s, int j, long after, int steps, long last)
{
	int i;

	for (i = 0; i < s->k; i++)
		if (s->out[i].syn == j && s->out[i].after == after) {
			if (s->out[i].steps < steps)
				s->out[i].steps = steps;
			if (s->out[i].last < last)
				s->out[i].last = last;
			return;
		}
	if (s->k >= s->max) {
		s->budget = -1;
		return;
	}
	s->out[s->k++] = (struct lr_synack){ .syn = j, .after = after, .steps = steps,
					      .last = last };
}

/* one order of events from request state (i: next SYN, j: the SYN the timer counts
 * from, -1 no request); fire_first: the race at hand goes to the timer */
static void synack_run(struct synack_sim *s, int i, int j, int num, long after, int steps,
		       bool fire_first)
{
	while (s->budget-- > 0) {
		double fire = j < 0 ? -1 : s->syn[j] + after / 1e3 / s->rate;
		bool race = j >= 0 && i < s->n && s->syn[i] - fire < s->tie &&
			    fire - s->syn[i] < s->tie;

		if (race && !fire_first && fire <= s->until)
			synack_run(s, i, j, num, after, steps, true);
		if (i < s->n && (j < 0 || (s->syn[i] <= fire && !fire_first) ||
				 (race && !fire_first))) {
			/* a new request, or a retransmitted SYN answered and re-arming */
			if (j < 0)
				num = 0;
			j = i++;
			after = synack_timeo(num);
			steps = 1;
			continue;
		}
		fire_first = false;
		if (j < 0 || fire > s->until)
			return;
		if ((unsigned int)num >= s->retries) {
			j = -1;		/* dropped */
			continue;
		}
		synack_add(s, j, after, steps, synack_timeo(num));
		if (s->budget < 0)
			return;
		num++;
		after += synack_timeo(num);
		steps++;
	}
}

int lr_synack_timer(const double *syn, int n, unsigned int retries, double rate, double tie,
		    double until, struct lr_synack *out, int max)
{
	struct synack_sim s = { .syn = syn, .n = n, .max = max, .budget = LR_SYNACK_BUDGET,
				.retries = retries, .rate = rate, .tie = tie, .until = until,
				.out = out };

	if (rate <= 0)
		return 0;
	synack_run(&s, 0, -1, 0, 0, 0, false);
	return s.budget < 0 ? -1 : s.k;
}
