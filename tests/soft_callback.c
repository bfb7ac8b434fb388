// SPDX-License-Identifier: GPL-2.0
/*
 * soft-callback: the NLM calls that print "lockd: server X not responding, timed out".
 *
 * Every request the client's processes make is a hard RPC (fs/lockd/host.c
 * nlm_bind_host(): RPC_CLNT_CREATE_HARDRTRY unless h_server): "still trying", never
 * "timed out". The soft ones are the callbacks of a blocked lock's grant, made on the
 * RPC client of a server-side NLM host (lib/grantcb.h):
 *
 *   granted_res  the client's lockd answers the server's GRANTED_MSG with a GRANTED_RES
 *                on a new RPC client (AUTOBIND). Its rpcbind query to the server's port
 *                111 loses every SYN-ACK, as the customer's 0619 capture shows for a
 *                LOCK: the client prints "lockd: server <server> not responding, timed
 *                out" and the GRANTED_RES is dropped. The waiter already has its lock
 *                (the GRANTED_MSG got through); the server, without a GRANTED_RES,
 *                grants again 60 s later, the client answers that retry "denied" (no
 *                request waits any more), and what the server does then depends on its
 *                version: the test checks who holds the range afterwards.
 *   granted_msg  the server's GRANTED_MSG loses its rpcbind handshake to the client's
 *                port 111: the *server* prints "lockd: server <client's nodename> not
 *                responding, timed out", retries 10 s later, and the waiter gets its lock
 *                from its own re-sent LOCK, NLMCLNT_POLL_TIMEOUT after it blocked.
 *
 * Windows: lib/expect.c (LR_GRANTED_RES, LR_GRANTED_MSG), from the parameters each
 * guest reads; the SYN-ACK drops are lr-ctl synack-drop in the guest that queries.
 */
#include "lib/harness.h"
#include "lib/grantcb.h"

/*
 * The server's GRANTED_MSG loses its rpcbind handshake (server-side SYN-ACK drop from
 * the client's port 111). Prepared and blocked by the caller. The server prints "timed
 * out" for the client's caller name and retries 10 s later; the waiter's own fallback is
 * its re-sent LOCK, NLMCLNT_POLL_TIMEOUT after it blocked, which the server grants at
 * once (the lock is the waiter's already) unless it answers BLOCKED for a queued block
 * (known bug grant-repoll-blocked); then the waiter gets the lock only from a delivered
 * GRANTED_MSG, after the drop is lifted.
 */
static void cb_granted_msg(struct imp_fix *f, struct cb_state *s,
				  struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	struct lr_params sp = m->p;
	struct lr_expect e;
	struct lr_window poll, late;
	struct utsname u;
	char re[160], *srel;
	double t_on, t_off, t_unlock, msg[CB_MAX_LINES], tmo[CB_MAX_LINES], lk[CB_MAX_LINES];
	long srv_to = lr_server_nlm_timeout();
	int nmsg, ntmo, nlk, i;
	bool polled, stuck = false;

	ASSERT_LT(0, srv_to) TH_LOG("the server's fs.nfs.nlm_timeout is unreadable");
	ASSERT_EQ(0, uname(&u));
	/* the GRANTED_MSG is the server's call: its own timeout and its own kernel's rules
	 * (a pair's server may run another kernel than the client, vm/run.sh) */
	sp.nlm_timeout = srv_to;
	srel = lr_server_release();
	ASSERT_NE(NULL, srel) TH_LOG("the server's agent did not answer 'uname'");
	sscanf(srel, "%u.%u", &sp.kver_major, &sp.kver_minor);
	free(srel);
	ASSERT_EQ(0, lr_scenario_expect(&sp, LR_GRANTED_MSG, NULL, &e));
	lr_lockd_re(re, sizeof(re), u.nodename, "not responding, timed out");
	snprintf(s->srv_allow, sizeof(s->srv_allow), "%s", re);
	f->mark.server_allow = s->srv_allow;

	ASSERT_EQ(0, lr_imp_on(m, &t_on)) TH_LOG("synack-drop on in the server: %s",
						 strerror(errno));
	t_unlock = cb_release(s, _metadata);
	if (!f->t_ref)
		f->t_ref = s->t_block;

	/* the waiter: its re-sent LOCK, NLMCLNT_POLL_TIMEOUT after its BLOCKED reply */
	poll = cb_window(&m->p, lr_nlmclnt_poll(), lr_timer_slack(&m->p, lr_nlmclnt_poll()) + 1000,
		"the F_SETLKW call",
		"nlmclnt_wait() times out NLMCLNT_POLL_TIMEOUT after the BLOCKED reply and "
		"the LOCK is re-sent; the server grants it at once (the lock is the waiter's "
		"already); timer wheel + TCG");
	polled = !lr_child_read(&s->w.c, &s->w.r, sizeof(s->w.r),
				s->t_block + poll.hi / 1e3 + IMP_LATE_S - lr_now());
	if (polled) {
		imp_check(f, "F_SETLKW granted (re-sent LOCK)", &poll,
			  s->w.r.t_ret - s->w.r.t_call, _metadata);
	} else {
		/* the server's view: a re-sent LOCK after the grant, answered BLOCKED */
		nlk = cb_srv_wait(s, "^lockd: nlmsvc_lock returned 50331648$", 2, 0, lk, NULL);
		stuck = nlk >= 2;	/* the first BLOCKED is the original request's */
		TH_LOG("the waiter did not return %.0f s after its call: the server answered "
		       "its re-sent LOCK BLOCKED (%d BLOCKED replies in its log) while it "
		       "holds the lock for it", lr_now() - s->t_block, nlk);
		lr_imp_moment(m, "F_SETLKW granted (re-sent LOCK)", poll.ref, poll.expect / 1e3,
			      poll.lo / 1e3, poll.hi / 1e3, -1,
			      "not granted: the re-sent LOCK was answered BLOCKED");
		EXPECT_TRUE(stuck) TH_LOG("the waiter never returned and the server's log "
					  "does not say why");
	}

	/* the server's GRANTED_MSG and its "timed out" (server clock) */
	nmsg = cb_srv_wait(s, cb_re_call(NLMPROC_GRANTED_MSG), 1, lr_now() + IMP_SAFETY_S,
			   msg, NULL);
	ASSERT_LE(1, nmsg) TH_LOG("the server sent no GRANTED_MSG after the unlock");
	ntmo = cb_srv_wait(s, re, 1, t_unlock + e.tmo.hi / 1e3 * CB_CLOCK_SKEW + IMP_LATE_S,
			   tmo, NULL);
	/* "timed out" is the report's column: printed by the server here (e.tmo.ref) */
	imp_check(f, "timed out", &e.tmo, ntmo >= 1 ? tmo[0] - msg[0] : -1, _metadata);
	EXPECT_EQ(0, lr_imp_off(m, &t_off));

	if (stuck) {
		/* a delivered GRANTED_MSG ends it: the next retry, or the one in flight
		 * once its rpcbind connect gets through */
		late = cb_window(&m->p, 0, e.tmo.hi + e.retry.hi, "the drop lifted",
			"the GRANTED_MSG in flight connects at its next SYN, or fails at its "
			"major and is retried 10 s later; + timer wheel, TCG");
		ASSERT_EQ(0, lr_child_read(&s->w.c, &s->w.r, sizeof(s->w.r),
					   late.hi / 1e3 * CB_CLOCK_SKEW + IMP_LATE_S))
			TH_LOG("the waiter never returned after the drop was lifted");
		imp_check(f, "F_SETLKW granted (GRANTED_MSG delivered)", &late,
			  s->w.r.t_ret - t_off, _metadata);
	}
	EXPECT_EQ(0, s->w.r.rc) TH_LOG("the waiter's F_SETLKW: %s", strerror(-s->w.r.rc));

	/* each retry: 10 s after the previous GRANTED_MSG timed out (server clock) */
	nmsg = cb_srv_wait(s, cb_re_call(NLMPROC_GRANTED_MSG), CB_MAX_LINES, 0, msg, NULL);
	ntmo = cb_srv_wait(s, re, CB_MAX_LINES, 0, tmo, NULL);
	for (i = 1; i < nmsg && i <= ntmo; i++)
		imp_check(f, "grant retry (GRANTED_MSG again)", &e.retry, msg[i] - tmo[i - 1],
			  _metadata);
	TH_LOG("the server sent GRANTED_MSG %d time(s), %d timed out; %s", nmsg, ntmo,
	       stuck ? "the waiter got the lock from a delivered one" :
	       "the waiter's re-sent LOCK took the block");
	lr_imp_measured(m, "GRANTED_MSG calls", "-", nmsg,
			"measured only: the first and the server's retries");

	/* the server holds the lock for the waiter, and has no request left */
	EXPECT_TRUE(lr_server_waiter_wait(s->ino, false, IMP_SAFETY_S))
		TH_LOG("the server still has a blocked request on inode %lu", s->ino);
	imp_final_state(f, IMP_SETLKW, &s->w.r, _metadata);
	/* the client's own requests are hard: it prints none (not recorded: the moment
	 * "timed out" of this test is the server's) */
	EXPECT_EQ(0, lr_imp_count(m, lr_imp_re_timedout(m), s->t_block, NULL))
		TH_LOG("'timed out' on the client: its requests are hard");
	LR_XFAIL_IF_KNOWN("grant-repoll-blocked", stuck);
}

FIXTURE(soft_callback) {
	struct imp_fix f;
	struct cb_state s;
};

/* the impairment is the test's: in the guest whose callback queries rpcbind */
static enum lr_scenario scenario_of(const char *test)
{
	return strcmp(test, "granted_msg") ? LR_GRANTED_RES : LR_GRANTED_MSG;
}

FIXTURE_SETUP(soft_callback)
{
	enum lr_scenario sc = scenario_of(_metadata->name);

	imp_setup(&self->f, sc, _metadata);
	cb_setup(&self->f, &self->s, sc == LR_GRANTED_RES, _metadata);
}

FIXTURE_TEARDOWN(soft_callback)
{
	cb_teardown(&self->s);
	imp_teardown(&self->f, _metadata);
}

TEST_F_TIMEOUT(soft_callback, granted_res, IMP_TEST_TIMEOUT)
{
	double ts_tmo;

	cb_prepare(&self->f, &self->s, IMP_START, _metadata);
	ASSERT_EQ(0, lr_imp_trace_start(&self->f.m));
	cb_block(&self->f, &self->s, _metadata);
	cb_granted_res(&self->f, &self->s, &ts_tmo, _metadata);
	LR_XFAIL_IF_KNOWN("grant-retry-unlock", cb_after_retry(&self->f, &self->s, _metadata));
}

TEST_F_TIMEOUT(soft_callback, granted_msg, IMP_TEST_TIMEOUT)
{
	cb_prepare(&self->f, &self->s, IMP_START, _metadata);
	ASSERT_EQ(0, lr_imp_trace_start(&self->f.m));
	cb_block(&self->f, &self->s, _metadata);
	cb_granted_msg(&self->f, &self->s, _metadata);
}

TEST_HARNESS_MAIN
