// SPDX-License-Identifier: GPL-2.0
/*
 * expect.c: the timing model's windows: what each scenario's moments should be, with
 * the tolerances of measuring them in TCG guests (timing.h, docs/timing-model.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "timing.h"
#include "timing_kernel.h"

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
