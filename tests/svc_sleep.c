// SPDX-License-Identifier: GPL-2.0
/*
 * svc-sleep: the server's lockd thread sleeps at the top of nlmsvc_lock() (the seed's
 * kernel change, switched at run time: kernel-patches/<line>/svc-sleep.patch,
 * /sys/module/lockd/parameters/nlm_svc_sleep, "lr-ctl svc-sleep on|off" on the server).
 *
 * The server's TCP stack still takes and ACKs every request; only lockd does not answer.
 * So the client's hard NLM RPC runs its whole retransmission schedule on a live
 * connection: re-sends (same XID) at each alarm, "lockd: server X not responding, still
 * trying" at its first major timeout, and "lockd: server X OK" on the reply once the
 * switch is off. The seed (4.19) saw alarms of 20, 30, 40 s and the message ~90 s after
 * the LOCK because that LOCK opened the connection; every test here starts without one
 * (lr_imp_fresh()), and the model (lib/timing.c) gives 4.19 and mainline their windows.
 *
 * lockd serves NLM with one thread: a LOCK stuck in nlmsvc_lock() holds up every later
 * request of every client, a TEST or UNLOCK included, although those alone never enter
 * nlmsvc_lock(). The *_behind_lock tests show that ordering; the kill_* tests show what
 * the client sends when the process waiting on the stuck LOCK is killed (a CANCEL and
 * then an async UNLOCK for a blocking request, the UNLOCK alone for a non-blocking one;
 * fs/lockd/clntproc.c nlmclnt_lock()) and which of them freed the range on the server.
 */
#include "lib/harness.h"
#include "lib/impsingle.h"

#include <sys/stat.h>

/*
 * Two fixtures. svc_sleep: each operation alone under the impairment, one variant per
 * operation (impsingle.h). svc_sleep_queued: a request queued behind a stalled LOCK,
 * sent by another process (*_behind_lock) or by the kernel when the LOCK's waiter is
 * killed (kill_*).
 */
FIXTURE(svc_sleep_queued) {
	struct imp_fix f;
	long srv_debug0;	/* the server's nlm_debug before the test raised it; -1 untouched */
};

/* ---- the server's nlm_debug, through its agent (the kill_* tests read its log) ---- */


/*
 * imp_single()'s svc-sleep step: the connection is up and the server only sleeps, so the
 * request goes out at once and is re-sent on the RPC's own alarm schedule.
 */
static void svc_sleep_sends(struct imp_fix *f, const struct lr_expect *e, enum imp_op k,
			    const struct lr_op_result *r, double t_off,
			    struct __test_metadata *_metadata)
{
	imp_check_resends(f, e, imp_proc(k), r->t_call, t_off, _metadata);
}

static const struct imp_hooks svc_sleep_hooks = { .sends = svc_sleep_sends };

FIXTURE_SETUP(svc_sleep_queued)
{
	self->srv_debug0 = -1;
	imp_setup(&self->f, LR_SVC_SLEEP, _metadata);
}

FIXTURE_TEARDOWN(svc_sleep_queued)
{
	lr_server_nlm_debug_restore(&self->srv_debug0);	/* a test that failed half-way */
	imp_teardown(&self->f, _metadata);
}

/* ---- the server has the LOCK: its stalled lockd thread printed the patch's line ---- */

struct srv_line {
	double after;		/* server dmesg stamp: only lines after it */
	const char *ere;
	double ts;		/* the first match's stamp */
};

static bool server_logged(void *arg)
{
	struct srv_line *s = arg;

	return lr_server_lines(s->after, s->ere, &s->ts, NULL, 1) == 1;
}

/* the stamp of the server's first line after `after` matching ere, waiting up to
 * timeout_s; -1 if none came */
static double srv_wait_line(double after, const char *ere, double timeout_s)
{
	struct srv_line s = { after, ere, -1 };

	return lr_wait_until(server_logged, &s, timeout_s) ? s.ts : -1;
}

/* the patch's printk on entry to the stalled nlmsvc_lock() (kernel-patches/) */
#define IMP_SVC_SLEEP_RE	"nlmsvc_lock:[0-9]+, sleep"

/* the server's stamp of the stalled LOCK's first svc-sleep line, -1 if it never came */
static double imp_lock_at_server(struct imp_fix *f)
{
	return srv_wait_line(f->mark.server_ts, IMP_SVC_SLEEP_RE, IMP_SAFETY_S);
}

static const char not_lock[] =
	"svc-sleep stalls nlmsvc_lock() only: a TEST (nlmsvc_testlock) or an UNLOCK "
	"(nlmsvc_unlock) alone never enters it, so nothing can time out; see the "
	"*_behind_lock tests for the same request queued behind a stalled LOCK";

IMP_SINGLE_FIXTURE(svc_sleep, LR_SVC_SLEEP, &svc_sleep_hooks);

IMP_OP_VARIANT(svc_sleep, lock, IMP_SETLKW, true, NULL);
IMP_OP_VARIANT(svc_sleep, setlk, IMP_SETLK, true, NULL);
IMP_OP_VARIANT(svc_sleep, getlk, IMP_GETLK, false, not_lock);
IMP_OP_VARIANT(svc_sleep, unlock, IMP_UNLOCK, false, not_lock);

/*
 * behind: a LOCK (process A, range 1000+100) stalls in nlmsvc_lock(); then k (process B,
 * range 0+100, no conflict with A) is sent on the same connection and waits for the one
 * lockd thread. Each request has its own RPC task: B's "still trying" comes on B's own
 * schedule, counted from B's call (the connection is up by then: no connect wakeup).
 * When the switch goes off, the thread answers A, then B: B cannot return before that.
 */
static void behind(struct imp_fix *f, enum imp_op k, struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	struct imp_run a = { .go = -1 }, b = { .go = -1 };
	struct lr_expect ea, eb;
	struct lr_op_result t;
	double t_on, t_b, t_off, ts_a = -1, ts_b = -1, ok1 = -1, ok2 = -1, until;
	struct imp_run h = { .go = -1 };
	int n;

	/* A and B wait on one transport: each one's alarms may fire with the other's */
	imp_expect(f, 1, NULL, &ea, _metadata);
	imp_expect(f, 0, &ea, &eb, _metadata);
	imp_expect(f, 1, &eb, &ea, _metadata);
	imp_prepare(f, k, &b, f->path, IMP_START, &h, _metadata);
	imp_prepare(f, IMP_SETLKW, &a, f->path, IMP_B_START, NULL, _metadata);
	imp_fresh(f, _metadata);
	ASSERT_EQ(0, lr_imp_on(m, &t_on));
	imp_start(&a, _metadata);
	ASSERT_LE(0, imp_lock_at_server(f))
		TH_LOG("the server never logged '%s': A's LOCK did not reach nlmsvc_lock()",
		       IMP_SVC_SLEEP_RE);
	t_b = lr_now();
	imp_start(&b, _metadata);
	TH_LOG("A: F_SETLKW %d+%d stalled in the server's nlmsvc_lock(); B: %s %d+%d sent "
	       "%.2f s after the impairment", IMP_B_START, IMP_LEN, imp_opname(k), IMP_START,
	       IMP_LEN, t_b - t_on);

	/* both tasks reach their major timeout while the thread sleeps */
	until = t_b + eb.trying.hi / 1e3;
	if (t_on + ea.trying.hi / 1e3 > until)
		until = t_on + ea.trying.hi / 1e3;
	until += IMP_LATE_S;
	ts_a = imp_wait_nth(f, lr_imp_re_trying(m), t_on, 1, until);
	ts_b = imp_wait_nth(f, lr_imp_re_trying(m), t_on, 2, until);
	ASSERT_EQ(0, lr_imp_off(m, &t_off));
	ASSERT_EQ(0, lr_child_read(&a.c, &a.r, sizeof(a.r), ea.ok.hi / 1e3 + IMP_LATE_S));
	ASSERT_EQ(0, lr_child_read(&b.c, &b.r, sizeof(b.r), eb.ok.hi / 1e3 + IMP_LATE_S))
		TH_LOG("B did not return after the impairment ended");
	ok1 = imp_wait_nth(f, lr_imp_re_ok(m), t_off, 1, t_off + ea.ok.hi / 1e3 + IMP_LATE_S);
	ok2 = imp_wait_nth(f, lr_imp_re_ok(m), t_off, 2, t_off + eb.ok.hi / 1e3 + IMP_LATE_S);
	lr_imp_drain(m);
	f->t_ref = a.r.t_call;

	/* the two lines in the order the model expects them (on 4.19 A's comes last: its
	 * call opened the connection, 9 * nlm_timeout against B's 6) */
	if (a.r.t_call + ea.trying.expect / 1e3 > b.r.t_call + eb.trying.expect / 1e3) {
		double t = ts_a;

		ts_a = ts_b;
		ts_b = t;
	}
	imp_check(f, "A: still trying", &ea.trying, ts_a < 0 ? -1 : ts_a - a.r.t_call,
		  _metadata);
	imp_check(f, "B: still trying", &eb.trying, ts_b < 0 ? -1 : ts_b - b.r.t_call,
		  _metadata);
	imp_check_off(f, "first OK", &ea.ok, t_off, ok1 < 0 ? -1 : ok1 - t_off, _metadata);
	imp_check_off(f, "second OK", &eb.ok, t_off, ok2 < 0 ? -1 : ok2 - t_off, _metadata);
	imp_check_off(f, "A: fcntl() returned", &ea.ok, t_off, a.r.t_ret - t_off, _metadata);
	imp_check_off(f, "B: fcntl() returned", &eb.ok, t_off, b.r.t_ret - t_off, _metadata);
	EXPECT_GE(b.r.t_ret, t_off)
		TH_LOG("B returned %.2f s before the switch went off: it did not queue behind A",
		       t_off - b.r.t_ret);
	TH_LOG("B waited %.2f s for a request lockd never looks at while A's LOCK sleeps",
	       b.r.t_ret - b.r.t_call);
	n = lr_imp_count(m, lr_imp_re_trying(m), t_on, NULL);
	EXPECT_EQ(2, n) TH_LOG("%d 'still trying' lines for two requests", n);
	imp_check_resends(f, &eb, imp_proc(k), b.r.t_call, t_off, _metadata);
	imp_no_timed_out(f, t_on, _metadata);

	EXPECT_EQ(0, a.r.rc) TH_LOG("A: %s", strerror(-a.r.rc));
	imp_final_state(f, k, &b.r, _metadata);
	ASSERT_EQ(0, lr_run_op(f->path2, F_GETLK, F_WRLCK, IMP_B_START, IMP_LEN, &t,
			       IMP_SAFETY_S));
	EXPECT_EQ(F_WRLCK, t.fl.l_type) TH_LOG("A's lock is not held on the server");
	imp_end(&a);
	imp_end(&b);
	imp_end(&h);
}

TEST_F_TIMEOUT(svc_sleep_queued, getlk_behind_lock, IMP_TEST_TIMEOUT)
{
	behind(&self->f, IMP_GETLK, _metadata);
}

TEST_F_TIMEOUT(svc_sleep_queued, unlock_behind_lock, IMP_TEST_TIMEOUT)
{
	behind(&self->f, IMP_UNLOCK, _metadata);
}

/*
 * kill: the process waiting on the stalled LOCK gets SIGKILL. rpc_call_sync() waits
 * TASK_KILLABLE, so it leaves at once; nlmclnt_call() returns -EINTR and nlmclnt_lock()
 * (fs/lockd/clntproc.c, 4.19 and mainline) sends async hard RPCs that outlive the
 * process:
 *   - a non-blocking request (F_SETLK) goes straight to out_unlock: an UNLOCK;
 *   - a blocking one (F_SETLKW) first sends a CANCEL: nlmclnt_cancel() ->
 *     nlmclnt_async_call(), whose rpc_wait_for_completion_task() waits TASK_KILLABLE and
 *     returns -ERESTARTSYS at once with the fatal signal pending; nlmclnt_cancel() != 0,
 *     so the `goto out` is not taken, and status < 0 falls through to out_unlock: an
 *     UNLOCK follows the CANCEL.
 * Both go through nlmclnt_async_call() -> __nlm_async_call(), which prints "lockd: call
 * procedure <proc> on <host> (async)" (nlm_debug NLMDBG_CLIENT). They queue behind the
 * stalled LOCK and log their own "still trying" on their own schedule. After the switch
 * goes off the server answers the LOCK (granting it to an owner that is gone), then what
 * the kill sent; its log (NLMDBG_SVCLOCK) says which request freed the range, and
 * another process checks that it is free.
 */
#define NLMPROC_CANCEL	3	/* include/linux/lockd/nlm.h (uapi: NLMPROC_*) */
#define NLMPROC_UNLOCK	4
#define NLMDBG_SVCLOCK	0x0008	/* fs/lockd/lockd.h (mainline), include/linux/lockd/debug.h */

/* a client line's stamp as seconds after t_kill (-1: not seen); kmsg stamps here can
 * run up to a jiffy behind lr_now() (a jiffy-driven sched_clock), so a line the kill
 * caused may be stamped just before it: that is 0 */
static double after_kill(double ts, double t_kill)
{
	return ts < 0 ? -1 : ts > t_kill ? ts - t_kill : 0;
}

static const char *re_async_call(char *buf, size_t size, int proc)
{
	snprintf(buf, size, "^lockd: call procedure %d on .* \\(async\\)$", proc);
	return buf;
}

/* the trace position of the first record stamped at or after t0 matching ere, -1 if
 * none: stamps can be equal (a jiffy-driven sched_clock), positions keep the order */
static int trace_pos(const struct lr_imp *m, const char *ere, double t0)
{
	int i;

	for (i = 0; i < m->ntrace; i++)
		if (m->trace[i].t >= t0 && lr_re_match(ere, m->trace[i].text))
			return i;
	return -1;
}

/*
 * What the server did with the stalled LOCK and the requests the kill sent, from its
 * log after the LOCK's svc-sleep line (the patch prints it before nlmsvc_lock()'s own
 * dprintks). fs/lockd/svclock.c, 4.19 and mainline, nlm_debug NLMDBG_SVCLOCK:
 *   nlmsvc_lock()            "lockd: nlmsvc_lock(...)", "lockd: vfs_lock_file returned N"
 *   nlmsvc_cancel_blocked()  "lockd: nlmsvc_cancel(...)", then "lockd: unlinking block"
 *                            only if it found the request's block
 *   nlmsvc_unlock()          "lockd: nlmsvc_unlock(...)", then its own
 *                            nlmsvc_cancel_blocked(): that nlmsvc_cancel line is the
 *                            UNLOCK's, not a CANCEL's
 * A granted LOCK leaves no block (4.19 never queues it, mainline takes it off the list:
 * nlmsvc_remove_block()). The first of each counts: the CANCEL and UNLOCK re-sent while
 * the thread slept are handled again afterwards (lockd keeps no reply cache).
 */
#define SRV_MAX_LINES	64
#define SRV_RE	"^lockd: (vfs_lock_file returned|nlmsvc_(lock|cancel|unlock)\\(|unlinking block)"

struct srv_seen {
	double lock, cancel, unlock;	/* server stamps of the first of each; -1 none */
	int lock_rc;			/* the LOCK's vfs_lock_file() result */
	bool cancel_found;		/* the CANCEL unlinked a block */
	int il, ic, iu, ib;		/* their lines (ib: the unlinking), -1 none */
};

/* the owner (svid) a request line names: "pi=N" */
static int line_pi(const char *t)
{
	const char *p = strstr(t, "pi=");

	return p ? atoi(p + 3) : -1;
}

/* the CANCEL and UNLOCK counted are the stalled LOCK's owner's (its nlmsvc_lock pi=) */
static int srv_seen(double after, struct srv_seen *s, char (*text)[LR_LINE_MAX], double *ts)
{
	int i, pi = -1, n = lr_server_lines(after, SRV_RE, ts, text, SRV_MAX_LINES);
	bool unlocks = false, in_cancel = false;

	*s = (struct srv_seen){ -1, -1, -1, 0, false, -1, -1, -1, -1 };
	for (i = 0; i < n; i++) {
		const char *t = text[i];

		if (!strncmp(t, "lockd: unlinking block", 22)) {
			if (in_cancel && s->ib < 0) {
				s->cancel_found = true;
				s->ib = i;
			}
			continue;
		}
		if (!strncmp(t, "lockd: vfs_lock_file returned ", 30)) {
			if (s->il < 0) {
				s->il = i;
				s->lock = ts[i];
				s->lock_rc = atoi(t + 30);
			}
			continue;
		}
		in_cancel = false;
		if (!strncmp(t, "lockd: nlmsvc_lock(", 19)) {
			if (pi < 0)
				pi = line_pi(t);
		} else if (!strncmp(t, "lockd: nlmsvc_unlock(", 21)) {
			unlocks = true;		/* its own nlmsvc_cancel line follows */
			if (s->iu < 0 && line_pi(t) == pi) {
				s->iu = i;
				s->unlock = ts[i];
			}
		} else if (unlocks) {
			unlocks = false;
		} else if (s->ic < 0 && line_pi(t) == pi) {	/* a CANCEL's nlmsvc_cancel */
			s->ic = i;
			s->cancel = ts[i];
			in_cancel = true;
		}
	}
	return n;
}

static void kill_waiter(struct imp_fix *f, long *srv_debug0, enum imp_op k,
			struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	struct imp_run a = { .go = -1 };
	struct lr_expect ea, ec;
	struct lr_op_result t;
	struct srv_seen sv;
	bool cw = k == IMP_SETLKW, leaked;
	int st, n, pc = -1, pu;
	double t_on, t_kill, t_reaped, t_off, ts_call, ts_cancel = -1, ts_unlock, ts_try = -1;
	double ts_ok = -1, t_sleep, since, t_free = -1, sts[SRV_MAX_LINES];
	char re_c[80], re_u[80], by[384], txt[SRV_MAX_LINES][LR_LINE_MAX];

	re_async_call(re_c, sizeof(re_c), NLMPROC_CANCEL);
	re_async_call(re_u, sizeof(re_u), NLMPROC_UNLOCK);
	/* the CANCEL / UNLOCK waits on the transport beside the stalled LOCK */
	imp_expect(f, 1, NULL, &ea, _metadata);
	imp_expect(f, 0, &ea, &ec, _metadata);
	imp_prepare(f, k, &a, f->path, IMP_START, NULL, _metadata);
	imp_fresh(f, _metadata);
	ASSERT_EQ(0, lr_server_nlm_debug_or(NLMDBG_SVCLOCK, srv_debug0))
		TH_LOG("cannot raise the server's nlm_debug: agent %s", lr_mserver());
	ASSERT_EQ(0, lr_imp_on(m, &t_on));
	imp_start(&a, _metadata);
	t_sleep = imp_lock_at_server(f);
	ASSERT_LE(0, t_sleep) TH_LOG("the LOCK never reached nlmsvc_lock()");

	t_kill = lr_now();
	ASSERT_EQ(0, kill(a.c.pid, SIGKILL));
	ASSERT_EQ(0, lr_child_reap(&a.c, &st, IMP_SAFETY_S));
	t_reaped = lr_now();
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	close(a.go);
	a.go = -1;
	TH_LOG("%s killed %.2f s after it started; reaped %.3f s after SIGKILL (the "
	       "sync RPC wait is TASK_KILLABLE)", imp_opname(k), t_kill - t_on,
	       t_reaped - t_kill);
	EXPECT_LT(t_reaped - t_kill, m->p.nlm_timeout)
		TH_LOG("the killed process hung on in the kernel");

	/* the async calls the kill sent, in the client's trace: CANCEL then UNLOCK for
	 * F_SETLKW, the UNLOCK alone for F_SETLK */
	since = t_kill - 2.0 / m->p.hz;		/* as imp_wait_nth(): stamps are per jiffy */
	if (cw) {
		ts_cancel = imp_wait_line(f, re_c, t_kill, t_kill + IMP_SAFETY_S);
		EXPECT_LE(0, ts_cancel) TH_LOG("no async CANCEL after the kill");
	}
	ts_unlock = imp_wait_line(f, re_u, t_kill, t_kill + IMP_SAFETY_S);
	EXPECT_LE(0, ts_unlock) TH_LOG("no async UNLOCK after the kill%s", cw ?
		  " (out_unlock, after the CANCEL whose killable wait returned at once)" : "");
	pu = trace_pos(m, re_u, since);
	if (cw) {
		pc = trace_pos(m, re_c, since);
		EXPECT_TRUE(pc >= 0 && pu > pc)
			TH_LOG("CANCEL and UNLOCK not in that order (trace positions %d, %d)",
			       pc, pu);
		TH_LOG("client sent CANCEL (async) %.3f s and then UNLOCK (async) %.3f s after "
		       "the kill", after_kill(ts_cancel, t_kill), after_kill(ts_unlock, t_kill));
		lr_imp_measured(m, "CANCEL sent", "SIGKILL", after_kill(ts_cancel, t_kill),
				"measured only");
	} else {
		TH_LOG("client sent UNLOCK (async) %.3f s after the kill",
		       after_kill(ts_unlock, t_kill));
	}
	lr_imp_measured(m, "UNLOCK sent", "SIGKILL", after_kill(ts_unlock, t_kill),
			"measured only");
	ts_call = cw ? ts_cancel : ts_unlock;
	if (ts_call < 0)
		ts_call = t_kill;

	ts_try = imp_wait_line(f, lr_imp_re_trying(m), ts_call,
			       ts_call + ec.trying.hi / 1e3 + IMP_LATE_S);
	ASSERT_EQ(0, lr_imp_off(m, &t_off));
	ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + ec.ok.hi / 1e3 + IMP_LATE_S);
	lr_imp_drain(m);
	f->t_ref = t_on;
	imp_check(f, "async call: still trying", &ec.trying, ts_try < 0 ? -1 : ts_try - ts_call,
		  _metadata);
	imp_check_off(f, "async call: OK", &ec.ok, t_off, ts_ok < 0 ? -1 : ts_ok - t_off,
		      _metadata);
	n = lr_imp_count(m, lr_imp_re_trying(m), t_kill, NULL);
	TH_LOG("%d 'still trying' line(s) from the SIGKILL on (%s, and any other task's that "
	       "reached its major timeout)", n, cw ? "the CANCEL's and the UNLOCK's own" :
	       "the UNLOCK's own");
	if (!cw)
		EXPECT_EQ(0, lr_imp_count(m, re_c, since, NULL))
			TH_LOG("a CANCEL for a non-blocking LOCK (out_unlock sends only UNLOCK)");
	imp_no_timed_out(f, t_on, _metadata);

	/* the server's side: which request freed the range (its log, server clock) */
	EXPECT_LE(0, srv_wait_line(t_sleep, "^lockd: nlmsvc_unlock\\(", IMP_SAFETY_S))
		TH_LOG("the server never handled the UNLOCK (no nlmsvc_unlock line)");
	n = srv_seen(t_sleep, &sv, txt, sts);
	lr_server_nlm_debug_restore(srv_debug0);
	EXPECT_LE(0, n) TH_LOG("the server's log: agent %s", lr_mserver());
	EXPECT_LE(0, sv.lock) TH_LOG("no 'vfs_lock_file returned' for the stalled LOCK");
	EXPECT_LE(0, sv.unlock) TH_LOG("no nlmsvc_unlock for the UNLOCK");
	if (cw)
		EXPECT_LE(0, sv.cancel) TH_LOG("no nlmsvc_cancel for the CANCEL");
	/* one lockd thread, busy with the LOCK when the kill's requests came */
	if (sv.lock >= 0 && sv.unlock >= 0 && (!cw || sv.cancel >= 0))
		EXPECT_TRUE(sv.lock <= sv.unlock && (!cw || sv.lock <= sv.cancel))
			TH_LOG("the server handled a request of the kill before the stalled "
			       "LOCK");
	if (sv.il >= 0)
		TH_LOG("server [%.6f] %s  (the stalled LOCK)", sts[sv.il], txt[sv.il]);
	if (sv.ic >= 0)
		TH_LOG("server [%.6f] %s  (the CANCEL)", sts[sv.ic], txt[sv.ic]);
	if (sv.ib >= 0)
		TH_LOG("server [%.6f] %s  (the CANCEL found a block)", sts[sv.ib], txt[sv.ib]);
	if (sv.iu >= 0)
		TH_LOG("server [%.6f] %s  (the UNLOCK)", sts[sv.iu], txt[sv.iu]);
	if (sv.lock < 0 || sv.unlock < 0 || (cw && sv.cancel < 0)) {
		snprintf(by, sizeof(by), "unknown: the server's log lacks the LOCK's result, the "
			 "UNLOCK%s", cw ? " or the CANCEL" : "");
	} else if (sv.lock_rc == 0 && !sv.cancel_found && sv.lock <= sv.unlock &&
		   (!cw || sv.lock <= sv.cancel)) {
		t_free = sv.unlock;
		snprintf(by, sizeof(by), "UNLOCK (%s)", cw ?
			 "the LOCK was granted before the CANCEL: nothing to cancel" :
			 "the LOCK was granted; a non-blocking LOCK gets no CANCEL");
	} else if (cw && sv.lock_rc != 0 && sv.cancel_found) {
		t_free = sv.cancel;
		snprintf(by, sizeof(by), "CANCEL (the LOCK was not granted, vfs_lock_file "
			 "returned %d: the CANCEL removed its blocked request)", sv.lock_rc);
	} else {
		snprintf(by, sizeof(by), "unclear: vfs_lock_file returned %d, the CANCEL %s a "
			 "block", sv.lock_rc, sv.cancel_found ? "found" : "found no");
	}
	TH_LOG("range freed by: %s", by);
	lr_imp_moment(m, "range freed by", "the stalled LOCK's vfs_lock_file() (server log)",
		      -1, 0, 0, t_free < 0 ? -1 : t_free - sv.lock, by);

	/* who holds the range now: nobody should; the owner is dead */
	ASSERT_EQ(0, lr_run_op(f->path2, F_SETLK, F_WRLCK, IMP_START, IMP_LEN, &t,
			       IMP_SAFETY_S));
	leaked = t.rc == -EAGAIN;
	if (!t.rc) {
		TH_LOG("result: the range is free; another process locked it");
		lr_run_op(f->path2, F_SETLK, F_UNLCK, IMP_START, IMP_LEN, &t, IMP_SAFETY_S);
	} else {
		TH_LOG("result: another process gets %s: the server still holds the dead "
		       "process's lock", strerror(-t.rc));
	}
	EXPECT_FALSE(leaked) TH_LOG("the dead process's lock outlived its %s",
				    cw ? "CANCEL and UNLOCK" : "UNLOCK");
}

TEST_F_TIMEOUT(svc_sleep_queued, kill_setlkw, IMP_TEST_TIMEOUT)
{
	kill_waiter(&self->f, &self->srv_debug0, IMP_SETLKW, _metadata);
}

TEST_F_TIMEOUT(svc_sleep_queued, kill_setlk, IMP_TEST_TIMEOUT)
{
	kill_waiter(&self->f, &self->srv_debug0, IMP_SETLK, _metadata);
}

TEST_HARNESS_MAIN
