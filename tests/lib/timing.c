// SPDX-License-Identifier: GPL-2.0
/*
 * timing.c: the lockd/sunrpc/TCP timing model (see timing.h, docs/timing-model.md).
 *
 * Each constant below mirrors one kernel symbol; the comment names the symbol and the
 * file it lives in.  "both" means 4.19 (read from 4.19.y trees) and mainline (read
 * from 7.3) agree; where they differ the rule is switched on lr_rules().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "timing.h"

#define MSEC_PER_SEC	1000L

/* fs/lockd/host.c nlm_bind_host() (both): to_initval = to_increment = nlm_timeout*HZ */
#define NLM_TO_MAXVAL_MULT	6	/* .to_maxval = increment * 6UL */
#define NLM_TO_RETRIES		5	/* .to_retries = 5U */
/* include/linux/lockd/lockd.h LOCKD_DFLT_TIMEO (both): default nlm_timeout, s */
#define LOCKD_DFLT_TIMEO	10
/* fs/lockd/svc.c nlm_timeout_min / nlm_timeout_max (both): sysctl and module range, s */
#define NLM_TIMEOUT_MIN		3
#define NLM_TIMEOUT_MAX		20

/* net/sunrpc/xprtsock.c xs_tcp_default_timeout (both): the TCP transport's own
 * timeout; lockd does not pass its timeparms to the transport, so keepalive and
 * TCP_USER_TIMEOUT come from here (xs_tcp_set_socket_timeouts) */
#define XS_TCP_DEFAULT_INITVAL	(60 * MSEC_PER_SEC)	/* .to_initval = 60 * HZ */
#define XS_TCP_DEFAULT_MAXVAL	(60 * MSEC_PER_SEC)	/* .to_maxval = 60 * HZ */
#define XS_TCP_DEFAULT_RETRIES	2			/* .to_retries = 2 */
/* net/sunrpc/xprtsock.c (both) */
#define XS_BIND_TO		(60 * MSEC_PER_SEC)	/* XS_BIND_TO: rpcbind wait of the caller */
#define XS_TCP_INIT_REEST_TO	(3 * MSEC_PER_SEC)	/* XS_TCP_INIT_REEST_TO: first reconnect delay */
#define XS_IDLE_DISC_TO		(300 * MSEC_PER_SEC)	/* XS_IDLE_DISC_TO: idle close (the seed's FIN) */

/* net/sunrpc/clnt.c call_connect_status()/call_status() (both): rpc_delay(task, 3*HZ)
 * after a connection error (EHOSTUNREACH, ECONNRESET, ...) before the timeout check */
#define RPC_CONN_ERR_DELAY	(3 * MSEC_PER_SEC)

/* include/net/tcp.h (both) */
#define TCP_TIMEOUT_INIT	(1 * MSEC_PER_SEC)	/* TCP_TIMEOUT_INIT: first SYN RTO */
#define TCP_TIMEOUT_MIN_JIFFIES	2L			/* TCP_TIMEOUT_MIN = 2U */
#define TCP_RTO_MIN		200L			/* TCP_RTO_MIN = HZ / 5 */
#define TCP_RTO_MAX		(120 * MSEC_PER_SEC)	/* TCP_RTO_MAX (TCP_RTO_MAX_SEC) */
#define TCP_SYN_RETRIES		6			/* TCP_SYN_RETRIES */
#define TCP_RETR2		15			/* TCP_RETR2 */
#define TCP_FIN_TIMEOUT		60			/* TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN, s */
/* net/ipv4/tcp_ipv4.c tcp_sk_init() (mainline only): sysctl_tcp_syn_linear_timeouts = 4 */
#define TCP_SYN_LINEAR_TIMEOUTS	4
/* net/ipv4/tcp_ipv4.c tcp_sk_init() (both): sysctl_tcp_early_retrans = 3 (TLP on) */
#define TCP_EARLY_RETRANS	3
/* net/ipv4/tcp_timer.c tcp_orphan_retries() (both): 0 means 8 while the RTO is alive */
#define TCP_ORPHAN_RETRIES_ALIVE	8

/* kernel/time/timer.c (both, since 4.8): calc_index() rounds every expiry up to the
 * granularity of its wheel level, LVL_GRAN(n) = 1 << (n * LVL_CLK_SHIFT) jiffies, for
 * deltas from LVL_START(n) = (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT) on */
#define LVL_CLK_SHIFT		3
#define LVL_BITS		6
#define LVL_SIZE		(1L << LVL_BITS)
#define LVL_DEPTH		9
/* Kconfig default HZ_250 (kernel/Kconfig.hz); kernel-patches/config.fragment keeps it */
#define LR_DEFAULT_HZ		250

/* Tolerances (not kernel symbols: measurement and emulation slack, see the doc) */
/* fin-blackhole: the FIN and the old socket's death are both stamped by the socket
 * watcher (LR_SAMPLE_MS), each up to that late: the death's model moment (FIN +
 * TCP_USER_TIMEOUT - the call) may come out that much later than the truth */
#define LR_TOL_SAMPLED_MS	(2 * LR_SAMPLE_MS)
#define LR_TOL_TCG_MS		1000	/* TCG guests on 2 shared host CPUs run late */
#define LR_SVC_SLEEP_POLL_MS	100	/* kernel-patches/7.3/svc-sleep.patch: msleep(100) poll */
/* default ARP failure time: neigh ucast_solicit (3) probes, retrans_time_ms 1000 each
 * (net/core/neighbour.c, /proc/sys/net/ipv4/neigh/default/) before the queued SYN is
 * dropped with ICMP host unreachable */
#define LR_NEIGH_FAIL_MS	(3 * MSEC_PER_SEC)

/*
 * The kernel defaults for @major.@minor.  tcp_syn_linear_timeouts exists in 7.3 and
 * not in 4.19; for the kernels in between read it in the guest.
 */
void lr_timing_defaults(struct lr_params *p, unsigned int major, unsigned int minor)
{
	memset(p, 0, sizeof(*p));
	p->kver_major = major;
	p->kver_minor = minor;
	p->nlm_timeout = LOCKD_DFLT_TIMEO;
	p->tcp_syn_retries = TCP_SYN_RETRIES;
	p->tcp_syn_linear_timeouts = major >= 7 ? TCP_SYN_LINEAR_TIMEOUTS : 0;
	p->tcp_retries2 = TCP_RETR2;
	p->tcp_orphan_retries = 0;
	p->tcp_fin_timeout = TCP_FIN_TIMEOUT;
	p->tcp_early_retrans = TCP_EARLY_RETRANS;
	p->tcp_rto_min_ms = TCP_RTO_MIN;
	p->tcp_rto_max_ms = TCP_RTO_MAX;
	p->hz = LR_DEFAULT_HZ;
}

/* Read one unsigned from procroot/rel; -ENOENT is returned as is (optional files). */
static int read_uint(const char *procroot, const char *rel, unsigned long *v)
{
	char path[4096], buf[64], *end;
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", procroot, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	errno = 0;
	*v = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

static int read_opt(const char *procroot, const char *rel, unsigned int *dst,
		    unsigned long dflt)
{
	unsigned long v;
	int err = read_uint(procroot, rel, &v);

	if (err == -ENOENT)
		v = dflt;
	else if (err)
		return err;
	if (v > 0xffffffffUL)
		return -ERANGE;
	*dst = v;
	return 0;
}

static int read_req(const char *procroot, const char *rel, unsigned int *dst)
{
	unsigned long v;
	int err = read_uint(procroot, rel, &v);

	if (err)
		return err;
	if (v > 0xffffffffUL)
		return -ERANGE;
	*dst = v;
	return 0;
}

/*
 * Fill @p from a /proc tree (procroot "/proc" in the guest, a temp dir in tests).
 * Returns 0, or a negative errno: -ENOENT for a missing required file, -EINVAL for
 * an unparsable one, -ERANGE for nlm_timeout outside [3, 20].
 */
int lr_timing_read_params(struct lr_params *p, const char *procroot)
{
	char path[4096], buf[128];
	unsigned long us;
	FILE *f;
	int err, n;

	lr_timing_defaults(p, 0, 0);

	n = snprintf(path, sizeof(path), "%s/sys/kernel/osrelease", procroot);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fgets(buf, sizeof(buf), f) ? sscanf(buf, "%u.%u", &p->kver_major,
						&p->kver_minor) : 0;
	fclose(f);
	if (n != 2)
		return -EINVAL;

	if ((err = read_req(procroot, "sys/fs/nfs/nlm_timeout", &p->nlm_timeout)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_syn_retries", &p->tcp_syn_retries)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_retries2", &p->tcp_retries2)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_orphan_retries",
			    &p->tcp_orphan_retries)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_fin_timeout", &p->tcp_fin_timeout)) ||
	    (err = read_opt(procroot, "sys/net/ipv4/tcp_early_retrans",
			    &p->tcp_early_retrans, TCP_EARLY_RETRANS)) ||
	    /* absent before the sysctl existed: 4.19 has linear SYN timeouts off */
	    (err = read_opt(procroot, "sys/net/ipv4/tcp_syn_linear_timeouts",
			    &p->tcp_syn_linear_timeouts, 0)) ||
	    (err = read_opt(procroot, "sys/net/ipv4/tcp_rto_max_ms",
			    &p->tcp_rto_max_ms, TCP_RTO_MAX)))
		return err;

	err = read_uint(procroot, "sys/net/ipv4/tcp_rto_min_us", &us);
	if (err == 0)
		p->tcp_rto_min_ms = (us + 999) / 1000;
	else if (err != -ENOENT)
		return err;

	if (p->nlm_timeout < NLM_TIMEOUT_MIN || p->nlm_timeout > NLM_TIMEOUT_MAX)
		return -ERANGE;
	return 0;
}

/*
 * 4.19 rules were read in 4.19.304, mainline rules in 7.3.4, and 5.10.223 has the
 * mainline ones (rq_minortimeo, xprt_init_majortimeo(), rpcb_create() with the caller's
 * cl_timeout). 4.19.304 has no rq_minortimeo. Where in 5.0..5.9 it arrived ("SUNRPC:
 * Don't update timeout value on connection reset", reported as tagged for stable 5.9)
 * was not read in a tree: those kernels get no rules, and no windows.
 */
enum lr_rules lr_rules(const struct lr_params *p)
{
	if (p->kver_major < 5)
		return LR_RULES_4_19;
	if (p->kver_major == 5 && p->kver_minor < 10)
		return LR_RULES_UNKNOWN;
	return LR_RULES_MAINLINE;
}

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

/*
 * How early a moment may look although nothing fires early: a timer armed in jiffy J
 * for N jiffies fires at J + N or later, up to one jiffy less than N after the arming
 * instant, and the call and kmsg stamps are jiffy-grained on a refined-jiffies guest;
 * two jiffies + 10 ms for the kmsg clock's calibration (lr_imp_init()). Measured
 * 2026-12-01: no moment earlier than its model figure (the smallest +0.005 s).
 */
long lr_tol_stamp(const struct lr_params *p)
{
	long hz = p->hz ? p->hz : LR_DEFAULT_HZ;

	return (2 * MSEC_PER_SEC + hz - 1) / hz + 10;
}

long lr_window_tick_rate(struct lr_window *w, double rate)
{
	long add;

	if (rate <= 0 || rate == 1)
		return 0;
	if (rate > 1) {
		/* the tick outran the clock: a clock on a TSC miscalibrated under TCG runs
		 * slow (seen: 1.015, "still trying" 17.83 s for an 18 s major), so every
		 * timer ends that much earlier on it; the lower bound moves, by the
		 * expected moment's share */
		add = (long)(w->expect * (1 - 1 / rate) + 0.5);
		w->lo -= add;
		return -add;
	}
	if (w->hi <= LR_TOL_TCG_MS)
		return 0;
	add = (long)((w->hi - LR_TOL_TCG_MS) * (1 / rate - 1) + 0.5);
	w->hi += add;
	return add;
}

/*
 * fin-blackhole: the SYN from the reused port meets a server that still holds the old
 * connection: challenge ACK (RFC 5961), the client's RST, then the SYN again. Mainline
 * (5.10 already) re-sends it TCP_TIMEOUT_MIN (2 jiffies) after the bad ACK
 * (tcp_rcv_synsent_state_process(): "Previous FIN/ACK or RST/ACK might be ignored");
 * 4.19 has no such branch and waits for the SYN's RTO, TCP_TIMEOUT_INIT.
 */
static long stale_peer_resyn(const struct lr_params *p)
{
	long hz = p->hz ? p->hz : LR_DEFAULT_HZ;
	long d = lr_rules(p) == LR_RULES_4_19 ? TCP_TIMEOUT_INIT :
		 (TCP_TIMEOUT_MIN_JIFFIES * MSEC_PER_SEC + hz - 1) / hz;

	return d + lr_timer_slack(p, d);
}

/*
 * How late the alarms up to the first major fire, together. Every task waiting for a
 * reply sleeps on xprt->pending, and a wait queue has one timer (4.19 timer_list,
 * mainline delayed_work: net/sunrpc/sched.c __rpc_add_timer()), armed for the earliest
 * expiry when that task queued; a task whose expiry falls before an already armed,
 * coarser-rounded expiry fires with it. @shared: the longest alarm another task on the
 * same queue may have pending (0: none), whose rounding then bounds each alarm's too.
 */
static long sched_slack(const struct lr_params *p, const struct lr_rpc_sched *s, long shared)
{
	long slack = 0, own, other = shared ? lr_timer_slack(p, shared) : 0;
	int i;

	for (i = 0; i < s->n; i++) {
		own = lr_timer_slack(p, s->a[i].len);
		slack += own > other ? own : other;
		if (s->a[i].major)
			break;
	}
	return slack;
}

static void window(struct lr_window *w, long expect, long lo_tol, long hi_tol,
		   const char *ref, const char *why)
{
	w->expect = expect;
	w->lo = expect - lo_tol;
	w->hi = expect + hi_tol;
	w->ref = ref;
	w->why = why;
}

static const char *const names[LR_NR_SCENARIOS] = {
	[LR_SVC_SLEEP] = "svc-sleep",
	[LR_LINK_DOWN] = "link-down",
	[LR_FIN_BLACKHOLE] = "fin-blackhole",
	[LR_PORTMAP_SYNACK_LOST] = "portmap-synack-lost",
	[LR_GRANTED_RES] = "granted-res",
	[LR_GRANTED_MSG] = "granted-msg",
	[LR_CUSTOMER_0619] = "customer-0619",
};

const char *lr_scenario_name(enum lr_scenario sc)
{
	return (unsigned int)sc < LR_NR_SCENARIOS ? names[sc] : NULL;
}

int lr_scenario_expect(const struct lr_params *p, enum lr_scenario sc,
		       const struct lr_scenario_args *a, struct lr_expect *e)
{
	struct lr_rpc_timeout to, xto;
	struct lr_rpc_case c = { .horizon = 10 * 60 * MSEC_PER_SEC };
	enum lr_rules r = lr_rules(p);
	static const char call[] = "the fcntl() call";
	static const char wheel_why[] = "timer wheel rounds each alarm up (LVL_GRAN, "
		"kernel/time/timer.c) + TCG lateness; timers never fire early";
	static const char shared_why[] = "timer wheel rounds each alarm up (LVL_GRAN), as "
		"coarsely as the longest alarm another task on xprt->pending may have armed "
		"the queue's one timer for; + TCG lateness; timers never fire early";
	static const char bind_why[] = "one rpcbind wait (XS_BIND_TO or the child's major) "
		"rounded up by the timer wheel; + TCG";
	struct lr_tcp_sched fin;
	long death, last, early = lr_tol_stamp(p);
	int err;

	memset(e, 0, sizeof(*e));
	if (r == LR_RULES_UNKNOWN)
		return -EOPNOTSUPP;
	lr_nlm_rpc_timeout(p, &to);
	lr_xs_tcp_default_timeout(&xto);

	switch (sc) {
	case LR_SVC_SLEEP:
		c.transmitted = 1;
		c.connect_wakeups = a && a->fresh_connection ? 1 : 0;
		if ((err = lr_rpc_schedule(p, &to, &c, &e->sched)))
			return err;
		e->still_trying = 1;
		window(&e->trying, e->sched.first_major, early,
		       sched_slack(p, &e->sched, a ? a->shared_alarm : 0) + LR_TOL_TCG_MS, call,
		       a && a->shared_alarm ? shared_why : wheel_why);
		window(&e->ok, 0, early, LR_SVC_SLEEP_POLL_MS + LR_TOL_TCG_MS,
		       "writing 0 to the server's nlm_svc_sleep",
		       "the stalled lockd thread polls its switch every 100 ms, then "
		       "answers the held request; + TCG lateness");
		return 0;

	case LR_LINK_DOWN:
		c.transmitted = 0;
		if ((err = lr_rpc_schedule(p, &to, &c, &e->sched)))
			return err;
		e->still_trying = 1;
		window(&e->trying, e->sched.first_major, early,
		       sched_slack(p, &e->sched, 0) + RPC_CONN_ERR_DELAY + LR_TOL_TCG_MS +
		       (r == LR_RULES_4_19 ? LR_NEIGH_FAIL_MS : 0), call,
		       r == LR_RULES_4_19 ?
		       "connect errors (ICMP host unreachable once ARP fails, ~3 s) wake the "
		       "task, call_connect_status() delays 3 s, call_timeout() sees the major "
		       "on the first pass after 6*nlm_timeout; + timer wheel, TCG" :
		       "the alarm is capped at rq_majortimeo, but the task may sit in "
		       "call_connect_status()'s 3 s rpc_delay then; + timer wheel, TCG");
		window(&e->ok, 0, early, XS_TCP_DEFAULT_MAXVAL + LR_TOL_TCG_MS,
		       "link up on the server",
		       "a SYN queued on the failed neighbour leaves when ARP resolves (seed); "
		       "otherwise the next SYN retransmission or reconnect, the latter capped "
		       "at max_reconnect_timeout = xs_tcp_default_timeout.to_maxval (60 s)");
		return 0;

	case LR_FIN_BLACKHOLE:
		if (a && a->no_reuseport) {
			/* xs_tcp_shutdown() without reuseport is xs_close() (mainline; 4.19
			 * with kernel-patches/4.19/no-reuseport.patch): the transport lets
			 * go of the FIN_WAIT1 socket at the idle close and the LOCK connects
			 * at once from a new port; nothing times out */
			e->still_trying = 0;
			window(&e->ok, 0, early, to.initval, call,
			       "a new connection and one round trip: answered before lockd's "
			       "first retransmission (to_initval = nlm_timeout)");
			return 0;
		}
		/* XPRT_CLOSING (xs_tcp_state_change, TCP_FIN_WAIT1): xprt_connect() starts
		 * no connect, the request is never sent until the old socket dies */
		c.transmitted = 0;
		if ((err = lr_rpc_schedule(p, &to, &c, &e->sched)))
			return err;
		lr_tcp_fin_schedule(p, a ? a->fin_rto : 0, lr_xs_tcp_user_timeout(&xto), 0,
				    &fin);
		death = fin.giveup - (a ? a->fin_to_call : 0);
		last = fin.at[fin.n - 1];
		e->still_trying = death > e->sched.first_major;
		window(&e->trying, e->sched.first_major, early,
		       sched_slack(p, &e->sched, 0) + LR_TOL_TCG_MS, call, wheel_why);
		window(&e->gone, death, early + LR_TOL_SAMPLED_MS,
		       lr_timer_slack(p, fin.giveup - last) + LR_TOL_TCG_MS, call,
		       "the old socket dies at FIN + TCP_USER_TIMEOUT (180 s) on a timer "
		       "clamped to it and rounded up by the timer wheel; + TCG");
		if (a && a->peer_stale)
			window(&e->ok, death, early + LR_TOL_SAMPLED_MS, e->gone.hi - death +
			       stale_peer_resyn(p), call,
			       "the old socket's death (FIN + TCP_USER_TIMEOUT, timer wheel), then "
			       "SYN from the same port; a server still holding the old connection "
			       "answers it with a challenge ACK and the SYN goes again (4.19: at "
			       "its RTO, TCP_TIMEOUT_INIT 1 s; mainline: 2 jiffies later); LOCK, "
			       "reply; + TCG");
		else
			e->ok = e->gone;
		return 0;

	case LR_PORTMAP_SYNACK_LOST:
	case LR_CUSTOMER_0619:
		e->still_trying = 1;
		e->sched.first_major = lr_rpcbind_major(p);
		window(&e->trying, e->sched.first_major, early,
		       lr_rpcbind_slack(p) + LR_TOL_TCG_MS, call, bind_why);
		window(&e->ok, 0, early, XS_BIND_TO + LR_TOL_TCG_MS,
		       "the SYN-ACK path restored",
		       "the next SYN of the pending rpcbind connect (RTO <= 32 s) or the next "
		       "rpcbind attempt (<= XS_BIND_TO)");
		if (sc == LR_PORTMAP_SYNACK_LOST)
			return 0;
		/* fall through: 0619's "timed out" is a GRANTED_RES in between */
	case LR_GRANTED_RES:
	case LR_GRANTED_MSG:
		/* soft (nlmsvc_lookup_host(): h_server), AUTOBIND on a new RPC client: its
		 * first rpcbind query meets the lost handshake */
		e->timed_out = 1;
		window(&e->tmo, lr_rpcbind_major(p), early,
		       lr_rpcbind_slack(p) + LR_TOL_TCG_MS, sc == LR_GRANTED_MSG ?
		       "the server's GRANTED_MSG call" : "the GRANTED_RES call", bind_why);
		/* GRANTED_RES lost: the server's GRANTED_MSG was answered, it waits 60 s;
		 * GRANTED_MSG timed out: it retries 10 s after that */
		window(&e->retry, lr_grant_retry(sc != LR_GRANTED_MSG), early,
		       lr_timer_slack(p, lr_grant_retry(sc != LR_GRANTED_MSG)) + LR_TOL_TCG_MS,
		       sc == LR_GRANTED_MSG ? "the server's 'timed out'" :
		       "the answer to the server's GRANTED_MSG",
		       "nlmsvc_grant_callback() re-queues the block (10 s after an RPC error, 60 s "
		       "after an answered GRANTED_MSG), lockd's retry timer is rounded up by the "
		       "timer wheel; + TCG");
		return 0;

	default:
		return -EINVAL;
	}
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
