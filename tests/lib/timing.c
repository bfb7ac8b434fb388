// SPDX-License-Identifier: GPL-2.0
/*
 * timing.c: the lockd/sunrpc timing model's schedules: when RPC alarms, timers and
 * reconnects fire, how late a timer may be (timing.h, docs/timing-model.md). TCP's own
 * timers are in timing_tcp.c, the kernel's constants in timing_kernel.h, the inputs in
 * params.c, the scenario windows in expect.c.
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
 * How late a timer_list armed @delay_ms ahead can fire: calc_index() rounds the
 * expiry up by up to LVL_GRAN(level) jiffies (kernel/time/timer.c, both).
 */
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

int lr_clock_rate(const struct lr_clockmark *a, const struct lr_clockmark *b, double *lo,
		  double *hi)
{
	double shortest = b->before - a->after, longest = b->after - a->before;
	double d = b->other - a->other;

	if (shortest <= 0 || d <= 0.01 || a->after < a->before || b->after < b->before)
		return -1;
	*lo = (d - 0.01) / longest;
	*hi = (d + 0.01) / shortest;
	return 0;
}
