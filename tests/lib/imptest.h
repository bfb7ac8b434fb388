/* SPDX-License-Identifier: GPL-2.0 */
/*
 * imptest.h: the fixture and the flows of the impairment test groups (svc_sleep.c,
 * link_down.c). Static functions on the harness's _metadata, so ASSERT/EXPECT/TH_LOG
 * work in them (an ASSERT runs the teardown and ends the test); include it after
 * harness.h, once per test binary.
 *
 * Every flow follows the seed: the lockd connection is dropped first (the seed used
 * tcpkill), the impairment goes on, the operation starts in a child, the test waits for
 * "still trying" in the window the timing model gives, removes the impairment, and
 * checks the "OK" line, the operation's result and the lock state seen by another
 * process. Expected and measured moments go to LR_OUT/timings.jsonl, the rpc_debug trace
 * to LR_OUT/rpc_debug.txt (lib/impair.c).
 */
#ifndef LR_IMPTEST_H
#define LR_IMPTEST_H

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "impair.h"
#include "known_bugs.h"
#include "lr.h"
#include "ops.h"
#include "phase.h"
#include "timing.h"

/*
 * Bounds that only keep a broken test from hanging the case; the windows asserted come
 * from the timing model. IMP_LATE_S: how long past a window's end the test keeps
 * waiting, so a late line is measured and reported instead of missed.
 */
#define IMP_SAFETY_S		60
#define IMP_LATE_S		30
#define IMP_TEST_TIMEOUT	900	/* harness per-test hang guard (customer 4.19: ~3 min) */

/* the two ranges the tests lock: the operation's, and the stalled LOCK's in the
 * "behind" tests (disjoint: the two do not conflict, only queue) */
#define IMP_START	0
#define IMP_LEN		100
#define IMP_B_START	1000

struct imp_fix {
	struct lr_dmesg_mark mark;
	struct lr_imp m;
	char path[256], path2[256];
	int fd;
	double t_ref;		/* the first call, the report's zero */
	char allow[320];
};

enum imp_op { IMP_SETLKW, IMP_SETLK, IMP_GETLK, IMP_UNLOCK };

static inline const char *imp_opname(enum imp_op k)
{
	static const char *const n[] = { "F_SETLKW (NLM LOCK, block=1)",
		"F_SETLK (NLM LOCK, block=0)", "F_GETLK (NLM TEST)", "F_UNLCK (NLM UNLOCK)" };
	return n[k];
}

/* the NLM procedure k sends (include/linux/lockd/nlm.h NLMPROC_*) */
static inline int imp_proc(enum imp_op k)
{
	static const int proc[] = { 2, 2, 1, 4 };	/* LOCK, LOCK, TEST, UNLOCK */

	return proc[k];
}

static inline void imp_setup(struct imp_fix *f, enum lr_scenario sc,
		      struct __test_metadata *_metadata)
{
	char err[512];
	const char *base;

	f->fd = -1;
	f->m.kmsg = -1;
	lr_phase(-1, "%s: setting up (second mount, lockd's port, out of grace)",
		 _metadata->name);
	ASSERT_EQ(0, lr_dmesg_mark(&f->mark))
		TH_LOG("cannot mark the kernel logs (client /dev/kmsg, server agent %s): %s",
		       lr_mserver(), strerror(errno));
	ASSERT_EQ(0, lr_mount2(err, sizeof(err))) TH_LOG("%s", err);
	f->fd = lr_testfile(f->path, sizeof(f->path), lr_mnt(), _metadata->name);
	ASSERT_LE(0, f->fd) TH_LOG("create %s: %s", f->path, strerror(errno));
	base = strrchr(f->path, '/') + 1;
	snprintf(f->path2, sizeof(f->path2), "%s/%s", LR_MNT2_DEFAULT, base);
	ASSERT_EQ(0, lr_imp_init(&f->m, sc, _metadata->name, err, sizeof(err)))
		TH_LOG("%s", err);
	if (lr_rules(&f->m.p) == LR_RULES_UNKNOWN)
		SKIP(return, "no timing model for %u.%u: where 5.0..5.9 got rq_minortimeo was "
		     "not read (docs/timing-model.md)", f->m.p.kver_major, f->m.p.kver_minor);
	/* the client lines these tests provoke on purpose, and assert themselves */
	snprintf(f->allow, sizeof(f->allow), "(%s)|(%s)", lr_imp_re_trying(&f->m),
		 lr_imp_re_ok(&f->m));
	f->mark.client_allow = f->allow;
	TH_LOG("%s on %u.%u (%s sunrpc rules): nlm_timeout %u s, HZ %u, tcp_syn_retries %u, "
	       "server lockd port %d", lr_scenario_name(sc), f->m.p.kver_major,
	       f->m.p.kver_minor, lr_rules(&f->m.p) == LR_RULES_4_19 ? "4.19" : "mainline",
	       f->m.p.nlm_timeout, f->m.p.hz, f->m.p.tcp_syn_retries, f->m.lockd_port);
}

static inline void imp_teardown(struct imp_fix *f, struct __test_metadata *_metadata)
{
	char report[4096];
	int bad;

	lr_phase_scenario(false);
	lr_phase(-1, "%s: teardown (trace, report, kernel logs)", _metadata->name);
	if (f->m.impaired) {
		lr_imp_off(&f->m, NULL);
		TH_LOG("teardown removed the impairment");
	}
	if (f->m.test) {
		lr_imp_trace_stop(&f->m);
		lr_imp_report(&f->m, f->t_ref);
	}
	if (f->m.kmsg >= 0)
		close(f->m.kmsg);
	if (f->fd >= 0) {
		close(f->fd);
		unlink(f->path);
	}
	bad = lr_dmesg_check(&f->mark, report, sizeof(report));
	if (bad)
		TH_LOG("kernel logs since the test started:\n%s", report);
	EXPECT_EQ(0, bad);
}

/* ---- the pieces of a flow ---- */

static inline void imp_fresh(struct imp_fix *f, struct __test_metadata *_metadata)
{
	char err[512];

	ASSERT_EQ(0, lr_imp_fresh(&f->m, f->path2, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, lr_imp_trace_start(&f->m))
		TH_LOG("cannot set /proc/sys/sunrpc/rpc_debug: %s", strerror(errno));
}

/* the nth line matching ere stamped at or after since (the kmsg stamp), -1 if it did
 * not come before deadline; lines read by earlier waits count too */
static inline double imp_wait_nth(struct imp_fix *f, const char *ere, double since, int nth,
				  double deadline)
{
	double ts = -1;

	if (lr_imp_wait_nth(&f->m, ere, since - 2.0 / f->m.p.hz, nth, deadline, &ts) != 1)
		return -1;
	return ts;
}

static inline double imp_wait_line(struct imp_fix *f, const char *ere, double since,
				   double deadline)
{
	return imp_wait_nth(f, ere, since, 1, deadline);
}

/*
 * The model for f's scenario. fresh: the call opens the lockd connection itself; other:
 * another request's schedule whose alarms wait on the same transport (its queue's one
 * timer can round ours as coarsely as its longest alarm), or NULL.
 */
static inline void imp_expect(struct imp_fix *f, int fresh, const struct lr_expect *other,
			      struct lr_expect *e, struct __test_metadata *_metadata)
{
	struct lr_scenario_args a = { .fresh_connection = fresh };
	int i;

	for (i = 0; other && i < other->sched.n; i++) {
		if (other->sched.a[i].len > a.shared_alarm)
			a.shared_alarm = other->sched.a[i].len;
		if (other->sched.a[i].major)
			break;
	}

	ASSERT_EQ(0, lr_scenario_expect(&f->m.p, f->m.sc, &a, e));
}

/* a moment against a model window, logged side by side; EXPECTs it inside */
static inline void imp_check(struct imp_fix *f, const char *what, const struct lr_window *w,
		      double measured, struct __test_metadata *_metadata)
{
	struct lr_window s = *w;
	double rate = lr_imp_tick_rate(&f->m);
	long add = lr_window_tick_rate(&s, rate);
	char why[512];
	bool in;

	snprintf(why, sizeof(why), "%s", w->why);
	if (add > 0)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "; + %.2f s: the guest's "
			 "tick ran at %.1f %% of its clock during the test (/proc/stat), so every "
			 "timer fired that much later", add / 1e3, rate * 100);
	else if (add < 0)
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "; - %.2f s of the lower "
			 "bound: the guest's tick ran at %.1f %% of its clock during the test "
			 "(/proc/stat): the clock ran slow, every timer ended that much earlier on "
			 "it", -add / 1e3, rate * 100);
	s.why = why;
	in = lr_imp_window(&f->m, what, &s, measured);
	TH_LOG("%-28s expected %7.2f s [%.2f, %.2f] after %s, measured %s%.2f s%s",
	       what, s.expect / 1e3, s.lo / 1e3, s.hi / 1e3, s.ref,
	       measured < 0 ? "(none) " : "", measured, in ? "" : "  OUT OF WINDOW");
	TH_LOG("%-28s tolerance: %s", "", s.why);
	EXPECT_TRUE(measured >= 0 && in);
	EXPECT_TRUE(rate < 0 || rate >= LR_TICK_RATE_MIN)
		TH_LOG("the guest's tick ran at %.1f %% of its clock: too slow to judge the "
		       "kernel's timing (run fewer cases at once, JOBS=1)", rate * 100);
}

/* the re-sends of the request first sent after t_call, until t_end, against the model */
static inline void imp_check_resends(struct imp_fix *f, const struct lr_expect *e, int proc,
			      double t_call, double t_end, struct __test_metadata *_metadata)
{
	double at[LR_MAX_ALARMS + 1];
	long exp[LR_MAX_ALARMS];
	unsigned int len;
	char msg[1024];
	int n, nexp, missing;

	n = lr_imp_sends(&f->m, proc, t_call, t_end, at, LR_MAX_ALARMS + 1, &len);
	EXPECT_LE(1, n) TH_LOG("no xs_tcp_send_request of the request in the rpc_debug trace");
	if (n < 1)
		return;
	nexp = lr_resend_moments(&e->sched, exp, LR_MAX_ALARMS);
	/* at[0] is the first transmission; the rest are re-sends */
	missing = lr_resend_check(&f->m.p, exp, nexp, at + 1, n - 1, t_end - t_call, msg,
				  sizeof(msg));
	TH_LOG("request (%u bytes) sent at %.2f s; re-sends (s after the call): %s", len,
	       at[0], msg);
	EXPECT_EQ(0, missing) TH_LOG("re-sends the model predicts did not happen");
	lr_imp_moment(&f->m, "re-sends", "the fcntl() call", -1, 0, 0, n - 1, msg);
	lr_imp_measured(&f->m, "first transmission", "the fcntl() call", at[0], "measured only");
}

/* no "timed out" since t0: the test's requests are hard; recorded for the report */
static inline void imp_no_timed_out(struct imp_fix *f, double t0, struct __test_metadata *_metadata)
{
	double first = -1;
	int n = lr_imp_count(&f->m, lr_imp_re_timedout(&f->m), t0, &first);

	EXPECT_EQ(0, n) TH_LOG("'timed out' on a hard mount: only soft RPC tasks print it");
	lr_imp_moment(&f->m, "timed out", "the test's first call", -1, 0, 0,
		      n ? first - t0 : -1,
		      n ? "seen, though only soft RPC tasks print it" :
		      "absent: every request of this test is a hard RPC (client side)");
}

/* ---- one operation under the impairment ---- */

struct imp_run {
	struct lr_child c;
	struct lr_op op;
	int go;
	struct lr_op_result r;
};

/*
 * imp_prepare: the process for k, on path at start, with what it needs before the
 * impairment: its file open (open() revalidates over NFS: after a link-down it would
 * stall before the operation is even made), an UNLOCK's lock taken. A TEST gets a holder
 * to report (*holder: another process, on the other mount; not this process, whose own
 * close() of any descriptor of the file would drop it, POSIX). Each waits for
 * imp_start() and stays alive, holding what it got, until imp_end().
 */
static inline void imp_spawn(struct imp_run *u, enum imp_op k, const char *path, off_t start,
			     struct __test_metadata *_metadata)
{
	struct lr_op_result pre;

	u->go = -1;
	u->op = LR_OP(path, k == IMP_SETLKW ? F_SETLKW : k == IMP_GETLK ? F_GETLK : F_SETLK,
		      k == IMP_UNLOCK ? F_UNLCK : F_WRLCK, start, IMP_LEN);
	u->op.ready = true;
	if (k == IMP_UNLOCK) {
		u->op.pre_type = F_WRLCK;
		u->op.pre_start = start;
		u->op.pre_len = IMP_LEN;
	}
	ASSERT_EQ(0, lr_start_op(&u->c, &u->op, path, &u->go));
	ASSERT_EQ(0, lr_child_read(&u->c, &pre, sizeof(pre), IMP_SAFETY_S));
	ASSERT_EQ(0, pre.rc) TH_LOG("open %s%s: %s", path,
				    k == IMP_UNLOCK ? " and lock it" : "", strerror(-pre.rc));
}

static inline void imp_prepare(struct imp_fix *f, enum imp_op k, struct imp_run *u,
			       const char *path, off_t start, struct imp_run *holder,
			       struct __test_metadata *_metadata)
{
	if (holder) {
		holder->go = -1;
		holder->c.pid = 0;
	}
	if (k == IMP_GETLK && holder)	/* holds start+len: an UNLOCK that never starts */
		imp_spawn(holder, IMP_UNLOCK, f->path2, start, _metadata);
	imp_spawn(u, k, path, start, _metadata);
}

/* start the prepared operation */
static inline void imp_start(struct imp_run *u, struct __test_metadata *_metadata)
{
	ASSERT_EQ(1, write(u->go, "g", 1));
}

static inline void imp_end(struct imp_run *u)
{
	int st;

	if (u->go >= 0)
		close(u->go);
	u->go = -1;
	if (u->c.pid > 0)
		lr_child_reap(&u->c, &st, IMP_SAFETY_S);
}

/* the lock state after k returned, seen by a process on the other mount (the server) */
static inline void imp_final_state(struct imp_fix *f, enum imp_op k, const struct lr_op_result *r,
			    struct __test_metadata *_metadata)
{
	struct lr_op_result t;

	switch (k) {
	case IMP_SETLKW:
	case IMP_SETLK:
		EXPECT_EQ(0, r->rc) TH_LOG("%s: %s", imp_opname(k), strerror(-r->rc));
		ASSERT_EQ(0, lr_run_op(f->path2, F_GETLK, F_WRLCK, IMP_START, IMP_LEN, &t,
				       IMP_SAFETY_S));
		EXPECT_EQ(F_WRLCK, t.fl.l_type)
			TH_LOG("the server does not hold the granted lock (%s)",
			       lr_ltype(t.fl.l_type));
		TH_LOG("result: granted; another process sees %s %jd+%jd held (l_pid %d)",
		       lr_ltype(t.fl.l_type), (intmax_t)t.fl.l_start, (intmax_t)t.fl.l_len,
		       t.fl.l_pid);
		break;
	case IMP_GETLK:
		EXPECT_EQ(0, r->rc) TH_LOG("F_GETLK: %s", strerror(-r->rc));
		EXPECT_EQ(F_WRLCK, r->fl.l_type);
		EXPECT_GE(0, r->fl.l_pid) TH_LOG("a remote holder is reported as -svid (svids start at 0)");
		TH_LOG("result: F_GETLK reports %s %jd+%jd l_pid %d (the holder on the other mount)",
		       lr_ltype(r->fl.l_type), (intmax_t)r->fl.l_start, (intmax_t)r->fl.l_len,
		       r->fl.l_pid);
		break;
	case IMP_UNLOCK:
		EXPECT_EQ(0, r->rc) TH_LOG("F_UNLCK: %s", strerror(-r->rc));
		ASSERT_EQ(0, lr_run_op(f->path2, F_SETLK, F_WRLCK, IMP_START, IMP_LEN, &t,
				       IMP_SAFETY_S));
		EXPECT_EQ(0, t.rc) TH_LOG("the server still holds the unlocked range: %s",
					  strerror(-t.rc));
		TH_LOG("result: unlocked; another process then %s the range",
		       t.rc ? "cannot lock" : "locks");
		break;
	}
}

/* ---- the next SYN once a path is back (link-down, portmap-synack-lost) ---- */

#define RPCBIND_PORT	111

/*
 * The next SYN that can get through once the path is back at t_off, of the client's
 * connects to the server's port: the trace's "worker connecting xprt ... (port N)"
 * records after t_from (rpc_debug, kmsg stamps: their first SYN leaves then). One made
 * after t_off (a new attempt, before the line that ends the wait at t_end) sends its
 * first SYN at once; otherwise the newest one before t_off (each new attempt follows the
 * failure of the last) sends its next retransmission of the tcp_syn_retries schedule
 * (lr_tcp_syn_schedule(); the timers, armed one after the other, add up their wheel
 * rounding and LR_TOL_TIMER_MS each, in *late). Returns that moment (lr_now() s), its
 * delay from its connect in *delay; -1 when no connect is in the trace or its schedule
 * had ended, and says which.
 */
static inline double imp_next_syn(struct imp_fix *f, const struct lr_tcp_sched *syn, int port,
				  double t_from, double t_off, double t_end, double *late,
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
		double t = m->trace[i].t;

		if (t < t_from || !lr_re_match(ere, m->trace[i].text))
			continue;
		if (t <= t_off)
			before = t;
		else if (t <= t_end && after < 0)
			after = t;
	}
	if (after >= 0)
		return after;
	if (before < 0) {
		TH_LOG("no connect to port %d in the trace", port);
		return -1;
	}
	for (k = 1; k < syn->n; k++) {
		*late += (lr_timer_slack(&m->p, syn->at[k] - syn->at[k - 1]) + LR_TOL_TIMER_MS) / 1e3;
		if (before + syn->at[k] / 1e3 > t_off)
			break;
	}
	if (k == syn->n) {
		TH_LOG("the connect to port %d of %.2f s had no SYN left", port, before);
		return -1;
	}
	*delay = syn->at[k] / 1e3;
	return before + *delay;
}

/* the window (ms after t_off) around the SYN at best (lr_now() s); why names it */
static inline struct lr_window imp_syn_window(struct imp_fix *f, double best, double t_off,
					      double late, double skew, const char *ref,
					      const char *why)
{
	struct lr_window w = { 0 };

	w.expect = (long)((best - t_off) * 1e3);
	w.lo = w.expect - lr_tol_stamp(&f->m.p) - (long)(skew * 1e3);
	/* the answer to the SYN, the RPCs that follow and the line: milliseconds, + TCG */
	w.hi = w.expect + (long)(late * 1e3) + 1000;
	w.ref = ref;
	w.why = why;
	return w;
}

/*
 * portmap-synack-lost: when the SYN-ACK path is restored at t_off, the rpcbind connect
 * that gets through is the one whose SYN goes out next (imp_next_syn()). The server's
 * own SYN-ACK retransmission (the same first steps, on its clock) may beat it: the two
 * guests' jiffies clocks drift apart (LR_GUEST_SKEW), so the window opens that fraction
 * of the SYN's delay earlier. The rpcbind answer, the connect to lockd, the LOCK and its
 * reply follow within milliseconds. No connect seen: the wide window.
 */
static inline struct lr_window imp_next_syn_window(struct imp_fix *f,
						    const struct lr_tcp_sched *syn, double t_off,
						    double ts_ok, const struct lr_window *wide,
						    struct __test_metadata *_metadata)
{
	static char why[256];
	double late, delay, best;

	best = imp_next_syn(f, syn, RPCBIND_PORT, 0, t_off, ts_ok, &late, &delay, _metadata);
	if (best < 0) {
		TH_LOG("the rpcbind connect: the wide window");
		return *wide;
	}
	snprintf(why, sizeof(why), "%s (tcp_syn_retries schedule from its connect, timer wheel "
		 "and timer lateness %.2f s) gets the SYN-ACK through; + TCG", delay ?
		 "the next SYN retransmission of the rpcbind connect in flight" :
		 "the first SYN of a new rpcbind connect", late);
	return imp_syn_window(f, best, t_off, late, delay * LR_GUEST_SKEW,
			      "the SYN-ACK path restored", why);
}

/*
 * link-down: nothing reached the server while its link was down, so the request waits
 * for a SYN after t_off (link up): the pending connect of lockd's transport, and, when
 * a major timeout forced a rebind (call_timeout(): rpc_force_rebind() for autobind) and
 * so an rpcbind query, that query's connect to port 111 too (the LOCK's connect waits
 * for its answer). Both run on the client's timers alone: the later of the two next SYNs
 * (imp_next_syn(); both bounds the later one's), then the handshake, rpcbind, LOCK and
 * reply in milliseconds. No connect of lockd's in the trace: the wide window.
 */
static inline struct lr_window imp_link_up_window(struct imp_fix *f,
						   const struct lr_tcp_sched *syn, double t_call,
						   double t_off, double ts_ok,
						   const struct lr_window *wide,
						   struct __test_metadata *_metadata)
{
	static const char ref[] = "link up on the server";
	static char why[512];
	double late, delay, best, late_b = 0, delay_b = 0, bind;
	struct lr_window w, b;

	best = imp_next_syn(f, syn, f->m.lockd_port, t_call, t_off, ts_ok, &late, &delay,
			    _metadata);
	if (best < 0) {
		TH_LOG("lockd's connect: the wide window");
		return *wide;
	}
	w = imp_syn_window(f, best, t_off, late, 0, ref, why);
	snprintf(why, sizeof(why), "%s of lockd's connect at %.2f s (tcp_syn_retries schedule; "
		 "timer wheel and timer lateness %.2f s)", delay ? "the next SYN retransmission" :
		 "the first SYN", w.expect / 1e3, late);
	bind = imp_next_syn(f, syn, RPCBIND_PORT, t_call, t_off, ts_ok, &late_b, &delay_b,
			    _metadata);
	if (bind >= 0) {
		b = imp_syn_window(f, bind, t_off, late_b, 0, ref, why);
		w.expect = w.expect > b.expect ? w.expect : b.expect;
		w.lo = w.lo > b.lo ? w.lo : b.lo;
		w.hi = w.hi > b.hi ? w.hi : b.hi;
		snprintf(why + strlen(why), sizeof(why) - strlen(why), ", and %s of the rpcbind "
			 "query a major timeout started, at %.2f s (%.2f s): the later of the two",
			 delay_b ? "the next SYN retransmission" : "the first SYN", b.expect / 1e3,
			 late_b);
	}
	snprintf(why + strlen(why), sizeof(why) - strlen(why), "; + TCG");
	return w;
}

/*
 * imp_single: one operation under the impairment. stalls: the impairment holds it
 * (else it must complete at once, and the test says why).
 */
static inline void imp_single(struct imp_fix *f, enum imp_op k, bool stalls, const char *why_not,
		       struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	struct imp_run u = { .go = -1 };
	struct lr_expect e;
	double t_on, t_off, t_go, ts_try = -1, ts_ok = -1, until;
	struct imp_run h = { .go = -1 };
	struct lr_tcp_sched syn;
	int n;

	imp_expect(f, 1, NULL, &e, _metadata);
	imp_prepare(f, k, &u, f->path, IMP_START, &h, _metadata);
	imp_fresh(f, _metadata);
	ASSERT_EQ(0, lr_lockd_conns(m)) TH_LOG("the lockd connection is still up");
	ASSERT_EQ(0, lr_imp_on(m, &t_on)) TH_LOG("impairment on: agent %s", lr_mserver());
	t_go = lr_now();
	imp_start(&u, _metadata);
	TH_LOG("%s under %s, started %.2f s after the impairment", imp_opname(k),
	       lr_scenario_name(m->sc), t_go - t_on);
	if (stalls)
		lr_phase(e.trying.expect / 1e3, "%s under %s: waiting for 'still trying'",
			 imp_opname(k), lr_scenario_name(m->sc));
	else
		lr_phase(m->p.nlm_timeout, "%s under %s: not stalled, waiting for its result",
			 imp_opname(k), lr_scenario_name(m->sc));

	if (!stalls) {
		/* it must not wait for the impairment: done before lockd's first retransmission */
		until = t_go + m->p.nlm_timeout;
		ASSERT_EQ(0, lr_child_read(&u.c, &u.r, sizeof(u.r), IMP_SAFETY_S));
		lr_imp_drain(m);
		f->t_ref = u.r.t_call;
		TH_LOG("not stalled: returned after %.3f s; %s", u.r.t_ret - u.r.t_call, why_not);
		EXPECT_LT(u.r.t_ret, until)
			TH_LOG("took longer than nlm_timeout: it waited for a retransmission");
		lr_imp_moment(m, "result", "the fcntl() call", -1, 0, 0, u.r.t_ret - u.r.t_call,
			      why_not);
		/* no "still trying" check here: it would follow from the one above (a
		 * request answered before its first retransmission has no major timeout) */
		ASSERT_EQ(0, lr_imp_off(m, &t_off));
	} else {
		until = t_go + e.trying.hi / 1e3 + IMP_LATE_S;
		ts_try = imp_wait_line(f, lr_imp_re_trying(m), t_go, until);
		ASSERT_EQ(0, lr_imp_off(m, &t_off));
		lr_phase(e.ok.hi / 1e3, "impairment off: waiting for the result and 'OK'");
		ASSERT_EQ(0, lr_child_read(&u.c, &u.r, sizeof(u.r),
					   e.ok.hi / 1e3 + IMP_LATE_S))
			TH_LOG("%s did not return after the impairment ended", imp_opname(k));
		ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + e.ok.hi / 1e3 + IMP_LATE_S);
		lr_imp_drain(m);
		f->t_ref = u.r.t_call;
		if (m->sc == LR_LINK_DOWN) {
			lr_tcp_syn_schedule(&m->p, &syn);
			e.ok = imp_link_up_window(f, &syn, u.r.t_call, t_off,
						  ts_ok < 0 ? u.r.t_ret : ts_ok, &e.ok, _metadata);
		}
		imp_check(f, "still trying", &e.trying, ts_try < 0 ? -1 : ts_try - u.r.t_call,
			  _metadata);
		imp_check(f, "OK", &e.ok, ts_ok < 0 ? -1 : ts_ok - t_off, _metadata);
		imp_check(f, "fcntl() returned", &e.ok, u.r.t_ret - t_off, _metadata);
		n = lr_imp_count(m, lr_imp_re_trying(m), t_go, NULL);
		EXPECT_EQ(1, n) TH_LOG("%d 'still trying' lines for one request", n);
		if (m->sc == LR_SVC_SLEEP) {
			imp_check_resends(f, &e, imp_proc(k), u.r.t_call, t_off, _metadata);
		} else {
			double at[8], up = t_off - u.r.t_call;

			/* no connection while the link is down: nothing is sent before it is up */
			n = lr_imp_sends(m, imp_proc(k), u.r.t_call, u.r.t_ret + 1, at, 8, NULL);
			EXPECT_LE(1, n) TH_LOG("the request was never transmitted");
			if (n >= 1) {
				EXPECT_LE(up, at[0])
					TH_LOG("sent %.2f s after the call, while the link was down",
					       at[0]);
				TH_LOG("request first transmitted %.2f s after the link came back "
				       "(%.2f s after the call)", at[0] - up, at[0]);
				lr_imp_moment(m, "first transmission", "link up on the server", -1,
					      0, 0, at[0] - up, "checked: not before the link came up");
			}
		}
	}
	imp_no_timed_out(f, t_go, _metadata);
	imp_final_state(f, k, &u.r, _metadata);
	imp_end(&u);
	imp_end(&h);
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
	struct lr_expect e;
	struct lr_window okw;
	double t_on, t_go, t_off, ts_try = -1, ts_ok = -1, t_syn = -1, at[LR_MAX_SEGS];
	int i, n, lport = -1;
	long dropped;
	double late;
	char msg[1024] = "";
	size_t l;

	ASSERT_EQ(0, lr_scenario_expect(&m->p, LR_PORTMAP_SYNACK_LOST, NULL, &e));
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
	ASSERT_EQ(0, lr_imp_off(m, &t_off));
	lr_phase(-1, "SYN-ACK path restored: waiting for the result and 'OK'");
	ASSERT_EQ(0, lr_child_read(&u->c, &u->r, sizeof(u->r), e.ok.hi / 1e3 + IMP_LATE_S))
		TH_LOG("the LOCK never returned after the path was restored");
	ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + e.ok.hi / 1e3 + IMP_LATE_S);
	lr_imp_drain(m);
	if (!f->t_ref)
		f->t_ref = u->r.t_call;

	lr_tcp_syn_schedule(&m->p, &syn);
	okw = imp_next_syn_window(f, &syn, t_off, ts_ok < 0 ? u->r.t_ret : ts_ok, &e.ok,
				  _metadata);
	imp_check(f, nm[0], &e.trying, ts_try < 0 ? -1 : ts_try - u->r.t_call, _metadata);
	imp_check(f, nm[1], &okw, ts_ok < 0 ? -1 : ts_ok - t_off, _metadata);
	imp_check(f, nm[2], &okw, u->r.t_ret - t_off, _metadata);

	/* the rpcbind connect: its SYN retransmissions against tcp_syn_retries */
	for (i = 0; i < m->nsev && lport < 0; i++)
		if (m->sev[i].state == LR_TCP_SYN_SENT && m->sev[i].t >= t_go) {
			lport = m->sev[i].lport;
			t_syn = m->sev[i].t;
		}
	EXPECT_LT(0, lport) TH_LOG("no SYN_SENT socket to port %d seen: no rpcbind query",
				   RPCBIND_PORT);
	n = lport < 0 ? 0 : lr_imp_retrans(m, lport, LR_TCP_SYN_SENT, at, LR_MAX_SEGS);
	/* each retransmission timer is armed when the previous one fired: the wheel's
	 * rounding and each timer's own lateness (LR_TOL_TIMER_MS) add up along the
	 * schedule */
	for (i = 0, late = 0; i < n && i + 1 < syn.n; i++) {
		double want = syn.at[i + 1] / 1e3, got = at[i] - t_syn, tol;
		bool ok;

		late += (lr_timer_slack(&m->p, syn.at[i + 1] - syn.at[i]) + LR_TOL_TIMER_MS) / 1e3;
		tol = late + LR_SAMPLE_S;
		/* sampled every LR_SAMPLE_S, each stamp up to that late, never early */
		ok = got >= want - LR_SAMPLE_S - lr_tol_stamp(&m->p) / 1e3 && got <= want + tol;

		/* only while the drop was on: after it the handshake may complete */
		if (at[i] > t_off)
			break;
		l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, "%s%.2f/%.2f%s", i ? ", " : "", want, got,
			 ok ? "" : "!");
		EXPECT_TRUE(ok) TH_LOG("SYN retransmission %d at %.2f s, model %.2f s (+%.2f)",
				       i + 1, got, want, tol);
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

#endif /* LR_IMPTEST_H */
