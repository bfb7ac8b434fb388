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
 * the client sends when the process waiting on the stuck LOCK is killed (CANCEL for a
 * blocking request, an async UNLOCK for a non-blocking one; fs/lockd/clntproc.c
 * nlmclnt_lock()).
 */
#include "lib/harness.h"
#include "lib/imptest.h"

#include <sys/stat.h>

FIXTURE(svc_sleep) {
	struct imp_fix f;
};

FIXTURE_SETUP(svc_sleep)
{
	imp_setup(&self->f, LR_SVC_SLEEP, _metadata);
}

FIXTURE_TEARDOWN(svc_sleep)
{
	imp_teardown(&self->f, _metadata);
}

/* ---- the server has the LOCK: its stalled lockd thread printed the patch's line ---- */

struct srv_line {
	double after;		/* server dmesg stamp of the mark */
	const char *ere;
};

static bool server_logged(void *arg)
{
	struct srv_line *s = arg;
	char *d = lr_server_dmesg(), *p, *nl;
	bool found = false;

	for (p = d; p && *p && !found; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		found = lr_dmesg_ts(p) > s->after && lr_re_match(s->ere, p);
	}
	free(d);
	return found;
}

/* the patch's printk on entry to the stalled nlmsvc_lock() (kernel-patches/) */
#define IMP_SVC_SLEEP_RE	"nlmsvc_lock:[0-9]+, sleep"

static bool imp_lock_at_server(struct imp_fix *f)
{
	struct srv_line s = { f->mark.server_ts, IMP_SVC_SLEEP_RE };

	return lr_wait_until(server_logged, &s, IMP_SAFETY_S);
}

static const char not_lock[] =
	"svc-sleep stalls nlmsvc_lock() only: a TEST (nlmsvc_testlock) or an UNLOCK "
	"(nlmsvc_unlock) alone never enters it, so nothing can time out; see the "
	"*_behind_lock tests for the same request queued behind a stalled LOCK";

TEST_F_TIMEOUT(svc_sleep, lock, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_SETLKW, true, NULL, _metadata);
}

TEST_F_TIMEOUT(svc_sleep, setlk, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_SETLK, true, NULL, _metadata);
}

TEST_F_TIMEOUT(svc_sleep, getlk, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_GETLK, false, not_lock, _metadata);
}

TEST_F_TIMEOUT(svc_sleep, unlock, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_UNLOCK, false, not_lock, _metadata);
}

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

	imp_expect(f, 1, &ea, _metadata);
	imp_expect(f, 0, &eb, _metadata);
	imp_prepare(f, k, &b, f->path, IMP_START, &h, _metadata);
	imp_prepare(f, IMP_SETLKW, &a, f->path, IMP_B_START, NULL, _metadata);
	imp_fresh(f, _metadata);
	ASSERT_EQ(0, lr_imp_on(m, &t_on));
	imp_start(&a, _metadata);
	ASSERT_TRUE(imp_lock_at_server(f))
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
	imp_check(f, "first OK", &ea.ok, ok1 < 0 ? -1 : ok1 - t_off, _metadata);
	imp_check(f, "second OK", &eb.ok, ok2 < 0 ? -1 : ok2 - t_off, _metadata);
	imp_check(f, "A: fcntl() returned", &ea.ok, a.r.t_ret - t_off, _metadata);
	imp_check(f, "B: fcntl() returned", &eb.ok, b.r.t_ret - t_off, _metadata);
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

TEST_F_TIMEOUT(svc_sleep, getlk_behind_lock, IMP_TEST_TIMEOUT)
{
	behind(&self->f, IMP_GETLK, _metadata);
}

TEST_F_TIMEOUT(svc_sleep, unlock_behind_lock, IMP_TEST_TIMEOUT)
{
	behind(&self->f, IMP_UNLOCK, _metadata);
}

/*
 * kill: the process waiting on the stalled LOCK gets SIGKILL. rpc_call_sync() waits
 * TASK_KILLABLE, so it leaves at once; nlmclnt_call() returns -EINTR and nlmclnt_lock()
 * sends, as an async hard RPC that outlives the process: CANCEL (procedure 3) for a
 * blocking request, UNLOCK (procedure 4, out_unlock) for a non-blocking one. That call
 * queues behind the stalled LOCK too and logs its own "still trying" on its own schedule.
 * After the switch goes off the server answers the LOCK (granting it to an owner that is
 * gone) and then the CANCEL or UNLOCK; the test checks who holds the range afterwards.
 */
#define NLMPROC_CANCEL	3	/* include/linux/lockd/nlm.h (uapi: NLMPROC_*) */
#define NLMPROC_UNLOCK	4

static void kill_waiter(struct imp_fix *f, enum imp_op k, struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	struct imp_run a = { .go = -1 };
	struct lr_expect ea, ec;
	struct lr_op_result t;
	int proc = k == IMP_SETLKW ? NLMPROC_CANCEL : NLMPROC_UNLOCK, st, n;
	double t_on, t_kill, t_reaped, t_off, ts_call = -1, ts_try = -1, ts_ok = -1;
	char ere[160];
	bool leaked;

	imp_expect(f, 1, &ea, _metadata);
	imp_expect(f, 0, &ec, _metadata);
	imp_prepare(f, k, &a, f->path, IMP_START, NULL, _metadata);
	imp_fresh(f, _metadata);
	ASSERT_EQ(0, lr_imp_on(m, &t_on));
	imp_start(&a, _metadata);
	ASSERT_TRUE(imp_lock_at_server(f)) TH_LOG("the LOCK never reached nlmsvc_lock()");

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

	/* nlmclnt_async_call()'s dprintk (nlm_debug NLMDBG_CLIENT) names the procedure */
	snprintf(ere, sizeof(ere), "^lockd: call procedure %d on .* \\(async\\)$", proc);
	ts_call = imp_wait_line(f, ere, t_kill, t_kill + IMP_SAFETY_S);
	EXPECT_LE(0, ts_call) TH_LOG("no async %s after the kill",
				     proc == NLMPROC_CANCEL ? "CANCEL" : "UNLOCK");
	if (ts_call < 0)
		ts_call = t_kill;
	TH_LOG("client sent %s (async) %.3f s after the kill",
	       proc == NLMPROC_CANCEL ? "CANCEL" : "UNLOCK", ts_call - t_kill);
	lr_imp_moment(m, proc == NLMPROC_CANCEL ? "CANCEL sent" : "UNLOCK sent", "SIGKILL",
		      -1, 0, 0, ts_call - t_kill, "measured only");

	ts_try = imp_wait_line(f, lr_imp_re_trying(m), ts_call,
			       ts_call + ec.trying.hi / 1e3 + IMP_LATE_S);
	ASSERT_EQ(0, lr_imp_off(m, &t_off));
	ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + ec.ok.hi / 1e3 + IMP_LATE_S);
	lr_imp_drain(m);
	f->t_ref = t_on;
	imp_check(f, "async call: still trying", &ec.trying, ts_try < 0 ? -1 : ts_try - ts_call,
		  _metadata);
	imp_check(f, "async call: OK", &ec.ok, ts_ok < 0 ? -1 : ts_ok - t_off, _metadata);
	n = lr_imp_count(m, lr_imp_re_trying(m), t_kill, NULL);
	TH_LOG("%d 'still trying' line(s) from the SIGKILL on (the %s's own, and any other "
	       "task's that reached its major timeout)", n,
	       proc == NLMPROC_CANCEL ? "CANCEL" : "UNLOCK");
	imp_no_timed_out(f, t_on, _metadata);

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
				    proc == NLMPROC_CANCEL ? "CANCEL" : "UNLOCK");
}

TEST_F_TIMEOUT(svc_sleep, kill_setlkw, IMP_TEST_TIMEOUT)
{
	kill_waiter(&self->f, IMP_SETLKW, _metadata);
}

TEST_F_TIMEOUT(svc_sleep, kill_setlk, IMP_TEST_TIMEOUT)
{
	kill_waiter(&self->f, IMP_SETLK, _metadata);
}

TEST_HARNESS_MAIN
