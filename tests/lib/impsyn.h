/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impsyn.h: the next SYN once a path is back, and the LOCK whose rpcbind query loses its
 * SYN-ACKs. Static functions on the harness's _metadata, like imptest.h.
 *
 * Contract: imp_next_syn() finds, in the trace, the connects whose SYN can get through
 * first after the path came back (from the start of the command that lifted the
 * impairment to its return), imp_server_synack() the server's own SYN-ACK that may beat
 * it, and imp_syn_window() / imp_next_syn_window() turn them into a model window for the
 * "OK" line; imp_rpcbind_lock() runs a whole LOCK under the
 * client's SYN-ACK drop and checks its lines, its result and the rpcbind connect's SYN
 * retransmissions.
 * Users: link_down.c (the link-up window), portmap_synack_lost.c, customer_0619.c.
 */
#ifndef LR_IMPSYN_H
#define LR_IMPSYN_H

#include "imptest.h"

/*
 * The first SYN at or after t of the client's connects to the server's port: the
 * trace's "worker connecting xprt ... (port N)" records after t_from (rpc_debug, kmsg
 * stamps: their first SYN leaves then). One made after t (a new attempt, before the line
 * that ends the wait at t_end) sends its first SYN at once; otherwise the newest one
 * before t (each new attempt follows the failure of the last) sends its next
 * retransmission of the tcp_syn_retries schedule (lr_tcp_syn_schedule(); the timers,
 * armed one after the other, add up their wheel rounding and LR_TOL_TIMER_MS each, in
 * *late). Returns that moment (lr_now() s), its delay from its connect in *delay; -1
 * when no connect is in the trace or its schedule had ended, and says which.
 */
static inline double imp_syn_after(struct imp_fix *f, const struct lr_tcp_sched *syn, int port,
				   double t_from, double t, double t_end, double *late,
				   double *delay, struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	double before = -1, after = -1;
	char ere[128];
	int i, k;

	*late = *delay = 0;
	snprintf(ere, sizeof(ere), "worker connecting xprt .* to %s \\(port %d\\)$", m->server,
		 port);
	for (i = 0; i < m->ntrace; i++) {
		double tr = m->trace[i].t;

		if (tr < t_from || !lr_re_match(ere, m->trace[i].text))
			continue;
		if (tr <= t)
			before = tr;
		else if (tr <= t_end && after < 0)
			after = tr;
	}
	if (after >= 0)
		return after;
	if (before < 0) {
		TH_LOG("no connect to port %d in the trace", port);
		return -1;
	}
	for (k = 1; k < syn->n; k++) {
		*late += (lr_timer_slack(&m->p, syn->at[k] - syn->at[k - 1]) + LR_TOL_TIMER_MS) / 1e3;
		if (before + syn->at[k] / 1e3 > t)
			break;
	}
	if (k == syn->n) {
		TH_LOG("the connect to port %d of %.2f s had no SYN left", port, before);
		return -1;
	}
	*delay = syn->at[k] / 1e3;
	return before + *delay;
}

/*
 * The next SYN that can get through once the path is back. The path came back during
 * the lr-ctl command that lifted the impairment: after t_off (its start) and before
 * m->t_switched (its return; nft in a loaded TCG guest can take a second). The earliest
 * SYN is the first after t_off; the latest, the first after the command returned: a SYN
 * in between may still have had its SYN-ACK dropped. Returns the earliest (-1: none, as
 * imp_syn_after()) and its delay from its connect in *delay; the latest in *upto, with
 * its schedule's lateness in *late.
 */
static inline double imp_next_syn(struct imp_fix *f, const struct lr_tcp_sched *syn, int port,
				  double t_from, double t_off, double t_end, double *late,
				  double *delay, double *upto, struct __test_metadata *_metadata)
{
	double t_done = f->m.t_switched > t_off ? f->m.t_switched : t_off;
	double best = imp_syn_after(f, syn, port, t_from, t_off, t_end, late, delay, _metadata);
	double d;

	*upto = best;
	if (best < 0 || t_done <= best)
		return best;
	*upto = imp_syn_after(f, syn, port, t_from, t_done, t_end, late, &d, _metadata);
	if (*upto < 0)
		*upto = best;
	return best;
}

/*
 * The window (ms after t_off) from the first moment a SYN-ACK can get through (first:
 * the SYN at best, or the server's own SYN-ACK before it) to the SYN at upto (lr_now()
 * s; the same as best unless the path came back during a retransmission interval): the
 * RPCs that follow and the line take milliseconds, + TCG. why names it.
 */
static inline struct lr_window imp_syn_window(struct imp_fix *f, double best, double upto,
					      double t_off, double late, double first,
					      const char *ref, const char *why)
{
	struct lr_window w = { 0 };

	if (first > best)
		first = best;
	w.expect = (long)((best - t_off) * 1e3);
	w.lo = (long)((first - t_off) * 1e3) - lr_tol_stamp(&f->m.p);
	w.hi = (long)(((upto > best ? upto : best) - t_off) * 1e3) + (long)(late * 1e3) + 1000;
	w.ref = ref;
	w.why = why;
	return w;
}

/* ", but lr-ctl took N s to lift the rule: up to the SYN at M s" when upto is later */
static inline void imp_syn_switch_why(struct imp_fix *f, char *why, size_t size, double best,
				      double upto, double t_off)
{
	size_t l = strlen(why);

	if (upto > best)
		snprintf(why + l, size - l, "; the command that lifted it returned %.2f s after it "
			 "started, so a SYN in between may still have lost its SYN-ACK: up to the "
			 "one at %.2f s", f->m.t_switched - t_off, upto - t_off);
}

struct imp_clock {
	bool ok;		/* the marks were read and gave a rate */
	double rlo, rhi;	/* the server's clock seconds per client second */
	unsigned int synack_retries;	/* the server's net.ipv4.tcp_synack_retries */
};

/*
 * The rate's range over the LOCK: the union of the stretch up to the restore (the SYNs
 * and expiries that decide) and the whole one to the end, so that a rate that changed
 * after the restore is covered too; the short stretch after the restore alone would say
 * more of the readings' round trips than of the clocks. A stretch too short to tell
 * (lr_clock_rate() -1) adds nothing. false: none could tell.
 */
static inline bool imp_clock_rate(struct imp_clock *ck, const struct lr_clockmark mk[3])
{
	double lo, hi;
	bool any = false;
	int i;

	for (i = 1; i < 3; i++) {
		if (lr_clock_rate(&mk[0], &mk[i], &lo, &hi))
			continue;
		ck->rlo = any && ck->rlo < lo ? ck->rlo : lo;
		ck->rhi = any && ck->rhi > hi ? ck->rhi : hi;
		any = true;
	}
	return any;
}

/* the longest timer that races a SYN within the LOCK's first minute: the SYN schedule's
 * gaps are 1, 2, 4, 8 s, the request's timer 1 s << num_timeout */
#define IMP_RACE_TIMER_MS	8000

/*
 * The server's own SYN-ACKs (lr_synack_timer()) to the client's rpcbind connects, as
 * the client dropped them until the rule went away (in [t_off, t_switched]): the first
 * that can arrive after t_off completes the handshake if it beats the client's next
 * SYN. Each connect (a client port in SYN_SENT since t_go) is one request sock on the
 * server; its SYNs are the watcher's, each sent in (t_prev, t]; the server's timers run
 * on its clock, ours = its / rate, rate in [rlo, rhi] (measured over the LOCK,
 * imp_clock_rate()). A SYN-ACK's earliest moment: from its SYN's earlier edge at rhi, never
 * early; its latest: from the later edge at rlo plus each chained timer's wheel rounding
 * and LR_TOL_TIMER_MS. A SYN and an expiry close enough to have crossed are followed
 * both ways (lr_synack_timer()'s tie). Any one whose latest moment is after t_off may
 * have got through at its earliest (or at t_off). Returns the earliest such moment
 * (lr_now() s) and its model moment in *nominal; -1 when none comes before t_end.
 */
static inline double imp_server_synack(struct imp_fix *f, const struct imp_clock *ck,
				       double t_go, double t_off, double t_end, double *nominal,
				       struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	double at[LR_MAX_SEGS], prev[LR_MAX_SEGS], best = -1, grain, tie, mid;
	struct lr_synack sa[LR_MAX_SEGS * 8];
	int e, i, k, n, seen[LR_SOCK_EV_MAX], nseen = 0;
	long timer = lr_timer_slack(&m->p, IMP_RACE_TIMER_MS) + LR_TOL_TIMER_MS;

	mid = (ck->rlo + ck->rhi) / 2;
	for (e = 0; e < m->nsev; e++) {
		const struct lr_sock_ev *ev = &m->sev[e];

		if (ev->state != LR_TCP_SYN_SENT || ev->t < t_go)
			continue;
		for (i = 0; i < nseen && seen[i] != ev->lport; i++)
			;
		if (i < nseen)
			continue;	/* a connect's first SYN only */
		seen[nseen++] = ev->lport;
		at[0] = ev->t;
		prev[0] = ev->t_prev;
		n = 1 + lr_imp_retrans(m, ev->lport, LR_TCP_SYN_SENT, at + 1, prev + 1,
				       LR_MAX_SEGS - 1);
		/* a SYN and the timer race when they may have crossed: the SYN's sample
		 * grain, either timer's lateness, the rate's range over the timer */
		for (i = 0, grain = 0; i < n; i++)
			grain = at[i] - prev[i] > grain ? at[i] - prev[i] : grain;
		tie = grain + 2 * timer / 1e3 + IMP_RACE_TIMER_MS / 1e3 *
		      (1 / ck->rlo - 1 / ck->rhi);
		k = lr_synack_timer(at, n, ck->synack_retries, mid, tie, t_end, sa,
				    LR_MAX_SEGS * 8);
		if (k < 0) {
			TH_LOG("the server's SYN-ACK timer: too many orders to follow, any "
			       "moment from the restore on");
			*nominal = -1;
			return t_off;
		}
		for (i = 0; i < k; i++) {
			const struct lr_synack *s = &sa[i];
			double early = prev[s->syn] + s->after / 1e3 / ck->rhi;
			double late = at[s->syn] + (s->after + s->steps *
				(lr_timer_slack(&m->p, s->last) + LR_TOL_TIMER_MS)) / 1e3 / ck->rlo;

			if (late < t_off)
				continue;	/* surely dropped by the rule */
			if (early < t_off)
				early = t_off;
			if (best < 0 || early < best) {
				best = early;
				*nominal = at[s->syn] + s->after / 1e3 / mid;
			}
		}
	}
	return best;
}

/*
 * portmap-synack-lost: when the SYN-ACK path is restored at t_off, the rpcbind connect
 * that gets through is the one whose SYN goes out next (imp_next_syn()), unless the
 * server's own SYN-ACK retransmission comes first (imp_server_synack(); unknown rate:
 * any moment from t_off on). The rpcbind answer, the connect to lockd, the LOCK and its
 * reply follow within milliseconds. No connect seen: the wide window.
 */
static inline struct lr_window imp_next_syn_window(struct imp_fix *f,
						    const struct lr_tcp_sched *syn,
						    const struct imp_clock *ck, double t_go,
						    double t_off, double ts_ok,
						    const struct lr_window *wide,
						    struct __test_metadata *_metadata)
{
	static char why[768];
	double late, delay, best, upto, first, nominal = -1;
	struct lr_window w;
	size_t l;

	best = imp_next_syn(f, syn, RPCBIND_PORT, 0, t_off, ts_ok, &late, &delay, &upto,
			    _metadata);
	if (best < 0) {
		TH_LOG("the rpcbind connect: the wide window");
		return *wide;
	}
	first = ck->ok ? imp_server_synack(f, ck, t_go, t_off, best, &nominal,
						   _metadata) : t_off;
	snprintf(why, sizeof(why), "%s (tcp_syn_retries schedule from its connect, timer wheel "
		 "and timer lateness %.2f s) gets the SYN-ACK through", delay ?
		 "the next SYN retransmission of the rpcbind connect in flight" :
		 "the first SYN of a new rpcbind connect", late);
	imp_syn_switch_why(f, why, sizeof(why), best, upto, t_off);
	l = strlen(why);
	if (!ck->ok)
		snprintf(why + l, sizeof(why) - l, "; or the server's own SYN-ACK retransmission "
			 "at any moment (its clock's rate unknown)");
	else if (first >= 0 && first < best && nominal < 0)
		snprintf(why + l, sizeof(why) - l, "; or the server's own SYN-ACK retransmission "
			 "at any moment (too many orders of SYNs and timer to follow)");
	else if (first >= 0 && first < best)
		snprintf(why + l, sizeof(why) - l, "; or the server's own SYN-ACK retransmission "
			 "(request-sock timer, tcp_synack_retries %u, model %.2f s, its clock at "
			 "%.3f-%.3f of ours) from %.2f s", ck->synack_retries, nominal - t_off,
			 ck->rlo, ck->rhi, first - t_off);
	l = strlen(why);
	snprintf(why + l, sizeof(why) - l, "; + TCG");
	w = imp_syn_window(f, best, upto, t_off, late, first < 0 ? best : first,
			   "the SYN-ACK path restored", why);
	if (nominal >= t_off && nominal < best)
		w.expect = (long)((nominal - t_off) * 1e3);
	return w;
}

/* ---- a LOCK whose rpcbind query loses its SYN-ACKs (portmap-synack-lost, 0619) ---- */

/*
 * imp_rpcbind_lock: u (prepared F_SETLKW) is started with the client dropping SYN-ACKs
 * from the server's port 111; its LOCK must look lockd's port up first (the host's
 * first call, or the first after NLM_HOST_REBIND). Waits for "still trying", lifts the
 * drop, waits for the result and "OK", checks them and the rpcbind connect's SYN
 * retransmissions against the model. nth 0 names the moments "still trying", "OK", ...;
 * nth 1 "still trying again", ... (customer 0619's third line). The trace must be on.
 * Returns t_go (lr_now() at the start).
 */
static inline double imp_rpcbind_lock(struct imp_fix *f, struct imp_run *u, int nth,
				      struct __test_metadata *_metadata)
{
	static const char *const names[2][4] = {
		{ "still trying", "OK", "fcntl() returned", "SYN retransmissions" },
		{ "still trying again", "OK again", "fcntl() returned again",
		  "SYN retransmissions again" },
	};
	const char *const *nm = names[nth ? 1 : 0];
	struct lr_imp *m = &f->m;
	struct lr_tcp_sched syn;
	struct lr_clockmark mk[3];
	struct imp_clock ck = { 0 };
	long synack_retries;
	struct lr_expect e;
	struct lr_window okw;
	double t_on, t_go, t_off, ts_try = -1, ts_ok = -1, t_syn = -1, syn_gap = 0;
	double at[LR_MAX_SEGS], prev[LR_MAX_SEGS];
	int i, n, lport = -1;
	long dropped;
	double late;
	char msg[1024] = "";
	size_t l;

	ASSERT_EQ(0, lr_scenario_expect(&m->p, LR_PORTMAP_SYNACK_LOST, NULL, &e));
	ASSERT_EQ(0, lr_server_sysctl("net.ipv4.tcp_synack_retries", &synack_retries))
		TH_LOG("the server's net.ipv4.tcp_synack_retries: no answer from its agent");
	ck.synack_retries = synack_retries;
	/* the server's clock against ours over the LOCK (its SYN-ACK timer runs on it):
	 * read before, at the restore and after */
	ck.ok = !lr_server_clockmark(&mk[0]);
	lr_imp_watch(m, RPCBIND_PORT);
	ASSERT_EQ(0, lr_imp_on(m, &t_on)) TH_LOG("synack-drop on: %s", strerror(errno));
	t_go = lr_now();
	imp_start(u, _metadata);
	TH_LOG("LOCK that must look lockd's port up (rpcbind query) with SYN-ACKs from %s:%d "
	       "dropped in the client", m->server, RPCBIND_PORT);
	lr_phase(e.trying.expect / 1e3, "LOCK, rpcbind's SYN-ACKs dropped: waiting for "
		 "'still trying'");

	ts_try = imp_wait_line(f, lr_imp_re_trying(m), t_go, t_go + e.trying.hi / 1e3 + IMP_LATE_S);
	dropped = lr_imp_dropped(m);	/* "off" deletes the rule and its counter */
	ck.ok = ck.ok && !lr_server_clockmark(&mk[1]);
	ASSERT_EQ(0, lr_imp_off(m, &t_off));
	TH_LOG("SYN-ACK path restored: 'lr-ctl synack-drop off' took %.2f s", m->t_switched - t_off);
	lr_phase(-1, "SYN-ACK path restored: waiting for the result and 'OK'");
	ASSERT_EQ(0, lr_child_read(&u->c, &u->r, sizeof(u->r), e.ok.hi / 1e3 + IMP_LATE_S))
		TH_LOG("the LOCK never returned after the path was restored");
	ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + e.ok.hi / 1e3 + IMP_LATE_S);
	lr_imp_drain(m);
	if (!f->t_ref)
		f->t_ref = u->r.t_call;

	ck.ok = ck.ok && !lr_server_clockmark(&mk[2]) && imp_clock_rate(&ck, mk);
	if (ck.ok)
		TH_LOG("the server's clock ran at %.3f-%.3f of the client's over the LOCK",
		       ck.rlo, ck.rhi);
	else
		TH_LOG("the server's clock could not be read (or too briefly): its rate is unknown");
	lr_tcp_syn_schedule(&m->p, &syn);
	okw = imp_next_syn_window(f, &syn, &ck, t_go, t_off, ts_ok < 0 ? u->r.t_ret : ts_ok,
				  &e.ok, _metadata);
	imp_check(f, nm[0], &e.trying, ts_try < 0 ? -1 : ts_try - u->r.t_call, _metadata);
	imp_check(f, nm[1], &okw, ts_ok < 0 ? -1 : ts_ok - t_off, _metadata);
	imp_check(f, nm[2], &okw, u->r.t_ret - t_off, _metadata);

	/* the rpcbind connect: its SYN retransmissions against tcp_syn_retries */
	for (i = 0; i < m->nsev && lport < 0; i++)
		if (m->sev[i].state == LR_TCP_SYN_SENT && m->sev[i].t >= t_go) {
			lport = m->sev[i].lport;
			t_syn = m->sev[i].t;
			syn_gap = t_syn - m->sev[i].t_prev;
		}
	EXPECT_LT(0, lport) TH_LOG("no SYN_SENT socket to port %d seen: no rpcbind query",
				   RPCBIND_PORT);
	n = lport < 0 ? 0 : lr_imp_retrans(m, lport, LR_TCP_SYN_SENT, at, prev,
						 LR_MAX_SEGS);
	/* each retransmission timer is armed when the previous one fired: the wheel's
	 * rounding and each timer's own lateness (LR_TOL_TIMER_MS) add up along the
	 * schedule. Both ends are samples: the first SYN went in (t_syn - syn_gap, t_syn],
	 * the retransmission in (prev, at], so the span is measured that much short or long
	 */
	for (i = 0, late = 0; i < n && i + 1 < syn.n; i++) {
		double want = syn.at[i + 1] / 1e3, got = at[i] - t_syn, tol;
		bool ok;

		late += (lr_timer_slack(&m->p, syn.at[i + 1] - syn.at[i]) + LR_TOL_TIMER_MS) / 1e3;
		tol = late + (at[i] - prev[i]);
		/* never early: the timer fires at its moment or after it */
		ok = got >= want - syn_gap - lr_tol_stamp(&m->p) / 1e3 && got <= want + tol;

		/* only while the drop was on: after it the handshake may complete */
		if (at[i] > t_off)
			break;
		l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, "%s%.2f/%.2f%s", i ? ", " : "", want, got,
			 ok ? "" : "!");
		EXPECT_TRUE(ok) TH_LOG("SYN retransmission %d at %.2f s, model %.2f s (-%.3f "
				       "+%.3f: the samples' grain and the timers)", i + 1, got,
				       want, syn_gap + lr_tol_stamp(&m->p) / 1e3, tol);
	}
	EXPECT_LE(1, i) TH_LOG("no SYN retransmission of the rpcbind connect seen");
	TH_LOG("rpcbind connect from port %d: SYN retransmissions (model/measured s after the "
	       "first SYN; tcp_syn_retries %u, tcp_syn_linear_timeouts %u): %s", lport,
	       m->p.tcp_syn_retries, m->p.tcp_syn_linear_timeouts, msg);
	lr_imp_moment(m, nm[3], "the first SYN", -1, 0, 0, i, msg);
	EXPECT_LE(1, dropped) TH_LOG("the rule dropped no SYN-ACK");
	TH_LOG("SYN-ACKs dropped by the client's rule: %ld", dropped);
	return t_go;
}

#endif /* LR_IMPSYN_H */
