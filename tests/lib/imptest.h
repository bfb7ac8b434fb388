/* SPDX-License-Identifier: GPL-2.0 */
/*
 * imptest.h: the fixture and the flows of the impairment test groups (svc_sleep.c,
 * link_down.c). Static functions on the harness's _metadata, so ASSERT/EXPECT/TH_LOG
 * work in them (an ASSERT runs the teardown and ends the test); include it after
 * harness.h, once per test binary.
 *
 * Contract: the fixture (imp_setup/imp_teardown), the pieces every flow is built of
 * (the fresh connection, waits on the trace, model windows checked and reported, the
 * re-sends, the operation in a child and the lock state after it). The flows live beside
 * it: impsingle.h (one operation under the impairment, svc_sleep.c and link_down.c),
 * impsyn.h (the next SYN once a path is back; a LOCK whose rpcbind query loses its
 * SYN-ACKs: portmap_synack_lost.c, customer_0619.c).
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

#define RPCBIND_PORT	111	/* the server's rpcbind: lockd's port is looked up there */

struct imp_fix {
	struct lr_dmesg_mark mark;
	struct lr_imp m;
	char path[256], path2[256];
	int fd;
	double t_ref;		/* the first call, the report's zero */
	char allow[320];
	/* the scenario's own steps inside a generic flow (impsingle.h), set by the test */
	const struct imp_hooks *hooks;
	/* the test's name in the logs and timings.json: a per-op variant sets its
	 * operation's before imp_setup() (impsingle.h), which else sets the harness's */
	const char *name;
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

	f->fd = -1;
	f->m.kmsg = -1;
	if (!f->name)
		f->name = _metadata->name;
	lr_phase(-1, "%s: setting up (second mount, lockd's port, out of grace)", f->name);
	ASSERT_EQ(0, lr_dmesg_mark(&f->mark))
		TH_LOG("cannot mark the kernel logs (client /dev/kmsg, server agent %s): %s",
		       lr_mserver(), strerror(errno));
	f->fd = lr_test_files(f->name, f->path, f->path2, sizeof(f->path), err, sizeof(err));
	ASSERT_LE(0, f->fd) TH_LOG("%s", err);
	ASSERT_EQ(0, lr_imp_init(&f->m, sc, f->name, err, sizeof(err)))
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
	lr_phase(-1, "%s: teardown (trace, report, kernel logs)", f->name);
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

/*
 * imp_check_off: imp_check() of a moment counted from t_off, the start of the command
 * that lifted the impairment (lr_imp_off()). The switch flipped somewhere before that
 * command returned (m->t_switched): an agent round trip into the server, 0.2-1.2 s
 * measured with three pairs on two cores. The upper bound moves by that span, the
 * lower one stays. (Windows that follow the wire, impsyn.h, count from the first SYN
 * after each end instead.)
 */
static inline void imp_check_off(struct imp_fix *f, const char *what, const struct lr_window *w,
				 double t_off, double measured, struct __test_metadata *_metadata)
{
	struct lr_window s = *w;
	long add = (long)((f->m.t_switched - t_off) * 1e3);
	char why[512];

	if (add > 0) {
		s.hi += add;
		snprintf(why, sizeof(why), "%s; + %.2f s: the command that lifted the "
			 "impairment returned that long after it started", w->why, add / 1e3);
		s.why = why;
	}
	imp_check(f, what, &s, measured, _metadata);
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

#endif /* LR_IMPTEST_H */
