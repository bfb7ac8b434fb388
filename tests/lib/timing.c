// SPDX-License-Identifier: GPL-2.0
/*
 * timing.c: the lockd/sunrpc/TCP timing model's schedules: when RPC alarms, SYN and FIN
 * retransmissions, timers and reconnects fire (timing.h, docs/timing-model.md). The
 * kernel's constants are in timing_kernel.h; the inputs in params.c, the scenario
 * windows in expect.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "timing.h"
#include "timing_kernel.h"

void lr_nlm_rpc_timeout(const struct lr_params *p, struct lr_rpc_timeout *to)
{
	long inc = (long)p->nlm_timeout * MSEC_PER_SEC;

	to->initval = inc;
	to->increment = inc;
	to->maxval = inc * NLM_TO_MAXVAL_MULT;
	to->retries = NLM_TO_RETRIES;
	to->exponential = 0;
}

void lr_xs_tcp_default_timeout(struct lr_rpc_timeout *to)
{
	to->initval = XS_TCP_DEFAULT_INITVAL;
	to->increment = 0;
	to->maxval = XS_TCP_DEFAULT_MAXVAL;
	to->retries = XS_TCP_DEFAULT_RETRIES;
	to->exponential = 0;
}

/* xs_tcp_set_socket_timeouts() (both): TCP_USER_TIMEOUT = to_initval * (to_retries + 1) */
long lr_xs_tcp_user_timeout(const struct lr_rpc_timeout *xto)
{
	return xto->initval * (long)(xto->retries + 1);
}

/* xs_tcp_set_socket_timeouts() (both): TCP_KEEPIDLE = TCP_KEEPINTVL = to_initval */
long lr_xs_tcp_keepidle(const struct lr_rpc_timeout *xto)
{
	return xto->initval;
}

/* xprt_calc_majortimeo() (mainline) / the body of xprt_reset_majortimeo() (4.19) */
static long calc_majortimeo(long rq_timeout, const struct lr_rpc_timeout *to)
{
	long m = rq_timeout;

	if (to->exponential)
		m <<= to->retries;
	else
		m += to->increment * (long)to->retries;
	if (m > to->maxval || m == 0)
		m = to->maxval;
	return m;
}

/* xprt_adjust_timeout(), minor branch (both) */
static long bump(long rq_timeout, const struct lr_rpc_timeout *to)
{
	if (to->exponential)
		rq_timeout <<= 1;
	else
		rq_timeout += to->increment;
	if (to->maxval && rq_timeout >= to->maxval)
		rq_timeout = to->maxval;
	return rq_timeout;
}

/*
 * The alarms of a hard RPC that never gets a reply, from the call (t = 0).
 *
 * 4.19 (net/sunrpc/xprt.c, clnt.c): xprt_request_init() sets rq_timeout = to_initval
 * and rq_majortimeo = now + calc; every call_timeout() before rq_majortimeo is a minor
 * timeout that grows rq_timeout (there is no rq_minortimeo), so a connect wakeup
 * (-EAGAIN -> call_connect_status -> call_timeout) already grows it; xprt_transmit()
 * re-arms rq_majortimeo from the current rq_timeout at the first transmission; the
 * alarm is rq_timeout, not capped.  After a major: rq_timeout = to_initval,
 * rq_majortimeo = now + calc.
 *
 * mainline: xprt_init_majortimeo() arms rq_majortimeo once (from tk_start when not
 * connected) and rq_minortimeo = start + to_initval; xprt_adjust_timeout() does
 * nothing before rq_minortimeo; the alarm is xprt_request_timeout() = min(now +
 * rq_timeout, rq_majortimeo).  After a major: rq_majortimeo += calc, rq_minortimeo +=
 * rq_timeout.
 */
int lr_rpc_schedule(const struct lr_params *p, const struct lr_rpc_timeout *to,
		    const struct lr_rpc_case *c, struct lr_rpc_sched *s)
{
	enum lr_rules r = lr_rules(p);
	long now = 0, rq = to->initval, maj, minor;
	int k;

	memset(s, 0, sizeof(*s));
	s->first_major = -1;
	if (to->initval <= 0 || to->maxval <= 0 || c->horizon <= 0)
		return -EINVAL;

	maj = calc_majortimeo(rq, to);
	minor = rq;
	if (r == LR_RULES_4_19) {
		for (k = 0; k < c->connect_wakeups; k++)
			rq = bump(rq, to);
		if (c->transmitted)
			maj = now + calc_majortimeo(rq, to);
	}

	while (now < c->horizon && s->n < LR_MAX_ALARMS) {
		struct lr_alarm *a = &s->a[s->n++];

		a->at = now;
		a->len = rq;
		if (r == LR_RULES_MAINLINE && now + a->len > maj)
			a->len = maj - now;
		now += a->len;

		if (now < maj) {
			if (r == LR_RULES_MAINLINE && now < minor)
				continue;	/* not reached with capped alarms */
			rq = bump(rq, to);
			if (r == LR_RULES_MAINLINE)
				minor += rq;
			a->major = 0;
		} else {
			rq = to->initval;
			if (r == LR_RULES_4_19) {
				maj = now + calc_majortimeo(rq, to);
			} else {
				maj += calc_majortimeo(rq, to);
				minor += rq;
			}
			a->major = 1;
			if (s->first_major < 0)
				s->first_major = now;
		}
	}
	return 0;
}

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

/*
 * How late a timer_list armed @delay_ms ahead can fire: calc_index() rounds the
 * expiry up by up to LVL_GRAN(level) jiffies (kernel/time/timer.c, both).
 */
bool lr_tcp_tlp(const struct lr_params *p)
{
	/* tcp_schedule_loss_probe(): only with tcp_early_retrans 3 or 4 (both lines) */
	return p->tcp_early_retrans >= TCP_EARLY_RETRANS;
}

long lr_timer_slack(const struct lr_params *p, long delay_ms)
{
	long hz = p->hz ? p->hz : LR_DEFAULT_HZ;
	long d = (delay_ms * hz + MSEC_PER_SEC - 1) / MSEC_PER_SEC;
	int lvl;

	for (lvl = 0; lvl < LVL_DEPTH - 1; lvl++)
		if (d < ((LVL_SIZE - 1) << (lvl * LVL_CLK_SHIFT)))	/* LVL_START(lvl + 1) */
			break;
	return ((1L << (lvl * LVL_CLK_SHIFT)) * MSEC_PER_SEC + hz - 1) / hz;
}

/*
 * The first major timeout of a lockd call whose rpcbind handshake never completes (its
 * transport is unbound: first use, after the rpc_force_rebind() of a major timeout, or
 * NLM_HOST_REBIND after the last lookup). A hard call (every client-side NLM request)
 * prints "still trying" then, a soft one (the server-side hosts' callbacks: GRANTED_MSG,
 * *_RES) "timed out": rpc_check_timeout() / 4.19 call_timeout() decide the major before
 * they look at RPC_IS_SOFT, so both lines come at the same moment.
 * 4.19: the caller sleeps XS_BIND_TO on xprt->binding (call_bind); the rpcbind child
 * is SOFTCONN on xs_tcp_default_timeout (rpcb_create() passes no timeout) and ends
 * after 60 s too; the caller's call_timeout() sees its major at the first pass after
 * 6 * nlm_timeout: at a multiple of XS_BIND_TO.
 * mainline: rpcb_create() gets the caller's cl_timeout, so the child gives up at its
 * major, 6 * nlm_timeout, and wakes the caller, whose major is due then too.
 */
long lr_rpcbind_major(const struct lr_params *p)
{
	struct lr_rpc_timeout to;
	long maj;

	lr_nlm_rpc_timeout(p, &to);
	maj = calc_majortimeo(to.initval, &to);
	if (lr_rules(p) == LR_RULES_4_19)
		return (maj + XS_BIND_TO - 1) / XS_BIND_TO * XS_BIND_TO;
	return maj;
}

/* the timer that ends that wait: XS_BIND_TO (4.19) or the child's major (mainline) */
long lr_rpcbind_slack(const struct lr_params *p)
{
	return lr_timer_slack(p, lr_rules(p) == LR_RULES_4_19 ? XS_BIND_TO : lr_rpcbind_major(p));
}

/* fs/lockd/svclock.c nlmsvc_grant_callback() (both): "RPC error: Re-insert for
 * retransmission" timeout = 10 * HZ; "Call was successful, now wait for client
 * callback" timeout = 60 * HZ. The lockd thread's retry timer (nlmsvc_retry_blocked())
 * then runs nlmsvc_grant_blocked(), which re-sends GRANTED_MSG (b_granted) */
#define NLMSVC_GRANT_RETRY	(10 * MSEC_PER_SEC)
#define NLMSVC_GRANT_WAIT	(60 * MSEC_PER_SEC)
#define NLMCLNT_POLL_TIMEOUT	(30 * MSEC_PER_SEC)

long lr_grant_retry(int ok)
{
	return ok ? NLMSVC_GRANT_WAIT : NLMSVC_GRANT_RETRY;
}

long lr_nlmclnt_poll(void)
{
	return NLMCLNT_POLL_TIMEOUT;
}

/* xs_connect() -> xprt_reconnect_delay()/xs_reconnect_backoff() (both): the delay
 * before reconnect @attempt (1 = first after a server-side close) when the transport
 * still holds its socket: XS_TCP_INIT_REEST_TO doubling up to max_reconnect_timeout =
 * xs_tcp_default_timeout.to_maxval (xs_setup_tcp) */
long lr_xs_reconnect_delay(unsigned int attempt)
{
	long d = XS_TCP_INIT_REEST_TO;

	while (attempt-- > 1 && d < XS_TCP_DEFAULT_MAXVAL)
		d <<= 1;
	return d < XS_TCP_DEFAULT_MAXVAL ? d : XS_TCP_DEFAULT_MAXVAL;
}

/* xprt_schedule_autodisconnect() with xprt->idle_timeout = XS_IDLE_DISC_TO (both):
 * an idle lockd connection is shut down (the seed's FIN) this long after last use */
long lr_xs_idle_disc_to(void)
{
	return XS_IDLE_DISC_TO;
}
