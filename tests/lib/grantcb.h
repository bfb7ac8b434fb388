/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grantcb.h: the flows of the GRANTED callback tests (soft_callback.c, customer_0619.c),
 * the only NLM calls that print "lockd: server X not responding, timed out". Static
 * functions on the harness's _metadata, as imptest.h; include after it.
 *
 * Contract: a waiter blocked behind a holder (cb_setup, cb_prepare, cb_block), the
 * holder's release (cb_release), the server's lines (cb_srv_wait), and the flows both
 * tests run: a GRANTED_RES that loses its rpcbind handshake (cb_granted_res) and what
 * follows the server's retry (cb_after_retry). soft_callback.c's own GRANTED_MSG flow
 * lives in that file.
 *
 * A blocked F_SETLKW is granted by the server's GRANTED_MSG (fs/lockd/svclock.c
 * nlmsvc_grant_blocked()); the client's lockd answers with a GRANTED_RES
 * (svcproc.c nlmsvc_proc_granted_msg() -> nlmsvc_callback() -> nlm_async_reply()).
 * Both go out on the RPC client of a *server-side* NLM host (nlmsvc_lookup_host(),
 * h_server = 1): soft and AUTOBIND (fs/lockd/host.c nlm_bind_host(); 4.19 and
 * mainline). Its first call looks the peer's lockd port up with rpcbind; if that
 * handshake never completes, the call prints "timed out" at its major timeout, the
 * moment a hard call would print "still trying" (lib/timing.c lr_rpcbind_major()), and
 * is dropped.
 *
 * X is the host's h_name, the name of its NSM handle (fs/lockd/mon.c nsm_get_handle()):
 * on the client the handle its mount made for the server's address (the name mounted,
 * an address here); on the server the one made from the client's LOCK, whose caller name
 * is the client's nodename.
 *
 * What the server does next is nlmsvc_grant_callback()'s: an answered GRANTED_MSG waits
 * 60 s for the GRANTED_RES, a failed one is retried 10 s later (lr_grant_retry()); the
 * retry re-sends GRANTED_MSG for the block (b_granted), until the block goes: by a
 * GRANTED_RES, or by the waiter's own re-sent LOCK (NLMCLNT_POLL_TIMEOUT after its
 * BLOCKED reply), which the server grants at once since the lock is already the
 * waiter's (nlmsvc_lock(): vfs_lock_file() by the same owner).
 */
#ifndef LR_GRANTCB_H
#define LR_GRANTCB_H

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/utsname.h>
#include <time.h>

#include "imptest.h"

/* include/linux/lockd/nlm.h (uapi) */
#define NLMPROC_GRANTED_MSG	10
#define NLMPROC_GRANTED_RES	15
/* include/linux/sunrpc/debug.h: NLMDBG_CLIENT (clntproc.c: "call procedure N on X
 * (async)") | NLMDBG_SVCLOCK (svclock.c: "grant_reply: looking for cookie C, s=S") */
#define CB_SRV_NLM_DEBUG	(0x0002 | 0x0008)
/* include/linux/lockd/xdr.h: nlm_granted 0, nlm_lck_denied 1 (the s= of grant_reply) */
#define CB_NLM_LCK_DENIED	1

#define CB_MAX_LINES	16
/* how much longer than the model a server timer may take on the client's clock before a
 * wait for its effect gives up (two TCG guests' jiffies clocks drift apart); only
 * bounds the waiting, never a window */
#define CB_CLOCK_SKEW	1.5

struct cb_state {
	struct imp_run h, w;	/* the holder (other mount) and the waiter */
	unsigned long ino;
	long srv_debug0;	/* the server's nlm_debug before the test; -1 untouched */
	double srv_mark;	/* the server's log is read after this stamp */
	double t_block;		/* lr_now() as the waiter was told to lock */
	char allow[512];	/* client lines the test provokes */
	char srv_allow[160];	/* server lines the test provokes */
};

/* a window [expect - the stamps' grain, expect + hi_tol] (ms): nothing here is early */
static inline struct lr_window cb_window(const struct lr_params *p, long expect, long hi_tol,
					 const char *ref, const char *why)
{
	return (struct lr_window){ expect, expect - lr_tol_stamp(p), expect + hi_tol, ref, why };
}

/* the server's nlm_debug |= CB_SRV_NLM_DEBUG, so its callbacks show in its log */
static inline void cb_setup(struct imp_fix *f, struct cb_state *s, bool timed_out_client,
			    struct __test_metadata *_metadata)
{
	s->srv_debug0 = -1;
	s->h.go = s->w.go = -1;
	s->h.c.pid = s->w.c.pid = 0;
	ASSERT_EQ(0, lr_server_nlm_debug_or(CB_SRV_NLM_DEBUG, &s->srv_debug0))
		TH_LOG("the server's nlm_debug: agent %s", lr_mserver());
	s->srv_mark = f->mark.server_ts;	/* the fixture's mark of the server's log */
	if (timed_out_client) {
		snprintf(s->allow, sizeof(s->allow), "%s|(%s)", f->allow,
			 lr_imp_re_timedout(&f->m));
		f->mark.client_allow = s->allow;
	}
}

static inline void cb_teardown(struct cb_state *s)
{
	imp_end(&s->w);
	imp_end(&s->h);
	lr_server_nlm_debug_restore(&s->srv_debug0);
}

/*
 * Out of the server's grace period first (its first LOCKs would sleep in the client's
 * grace wait: 5 * nlm_timeout after the server's lockd started, in the customer
 * profile); then the holder takes start+len through the other mount and the waiter is
 * ready on ours.
 */
static inline void cb_prepare(struct imp_fix *f, struct cb_state *s, off_t start,
			      struct __test_metadata *_metadata)
{
	double took;
	int rc = lr_out_of_grace(f->path2, &took);

	ASSERT_EQ(0, rc) TH_LOG("probe lock on %s: %s", f->path2, strerror(-rc));
	imp_spawn(&s->h, IMP_UNLOCK, f->path2, start, _metadata);
	imp_spawn(&s->w, IMP_SETLKW, f->path, start, _metadata);
	s->ino = lr_file_ino(f->fd);
	ASSERT_NE(0, s->ino);
}

/* the waiter's F_SETLKW, until the server queues it (BLOCKED: a waiter in /proc/locks) */
static inline void cb_block(struct imp_fix *f, struct cb_state *s,
			    struct __test_metadata *_metadata)
{
	s->t_block = lr_now();
	imp_start(&s->w, _metadata);
	ASSERT_TRUE(lr_server_waiter_wait(s->ino, true, IMP_SAFETY_S))
		TH_LOG("the server never queued the waiter's F_SETLKW (no blocked request on "
		       "inode %lu in its /proc/locks)", s->ino);
}

/* the holder lets go; returns lr_now() after its UNLOCK was answered */
static inline double cb_release(struct cb_state *s, struct __test_metadata *_metadata)
{
	imp_start(&s->h, _metadata);
	ASSERT_EQ(0, lr_child_read(&s->h.c, &s->h.r, sizeof(s->h.r), IMP_SAFETY_S))
		TH_LOG("the holder's UNLOCK never returned");
	ASSERT_EQ(0, s->h.r.rc) TH_LOG("the holder's UNLOCK: %s", strerror(-s->h.r.rc));
	return s->h.r.t_ret;
}

/*
 * The server's log lines matching ere after the test's mark, waiting until there are at
 * least n of them or lr_now() passes deadline; their number (<= CB_MAX_LINES).
 */
static inline int cb_srv_wait(struct cb_state *s, const char *ere, int n, double deadline,
			      double *ts, char (*text)[LR_LINE_MAX])
{
	struct timespec pause = { 0, 250 * 1000 * 1000 };	/* the agent's polling rate */
	int got;

	for (;;) {
		got = lr_server_lines(s->srv_mark, ere, ts, text, CB_MAX_LINES);
		if (got >= n || lr_now() >= deadline)
			return got < 0 ? 0 : got;
		nanosleep(&pause, NULL);
	}
}

static inline const char *cb_re_call(int proc)
{
	static char b[2][64];
	char *r = b[proc == NLMPROC_GRANTED_RES];

	snprintf(r, sizeof(b[0]), "^lockd: call procedure %d on .* \\(async\\)$", proc);
	return r;
}

/*
 * The client's GRANTED_RES loses its rpcbind handshake (client-side SYN-ACK drop from the
 * server's port 111, as for portmap-synack-lost). Prepared and blocked by the caller;
 * returns the GRANTED_RES call's moment (client lr_now() clock) and, in *ts_tmo, its
 * "timed out". Ends with the drop off and the server's retry handled.
 */
static inline double cb_granted_res(struct imp_fix *f, struct cb_state *s, double *ts_tmo,
				    struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	struct lr_expect e;
	struct lr_window win_grant;
	double t_on, t_unlock, t_off, t_res = -1, t_res2 = -1, ts = -1, sts[CB_MAX_LINES];
	double msg[CB_MAX_LINES];
	char txt[CB_MAX_LINES][LR_LINE_MAX], *p;
	long srv_to = lr_server_nlm_timeout(), dropped;
	int i, n, nmsg, lport = -1, st = -1, lp[4];

	ASSERT_EQ(0, lr_scenario_expect(&m->p, LR_GRANTED_RES, NULL, &e));
	ASSERT_LT(0, srv_to) TH_LOG("the server's fs.nfs.nlm_timeout is unreadable");
	lr_imp_watch(m, RPCBIND_PORT);
	ASSERT_EQ(0, lr_imp_on(m, &t_on)) TH_LOG("synack-drop on: %s", strerror(errno));
	t_unlock = cb_release(s, _metadata);

	/* the GRANTED_MSG is not impaired: the waiter gets the lock at once */
	ASSERT_EQ(0, lr_child_read(&s->w.c, &s->w.r, sizeof(s->w.r), srv_to + IMP_LATE_S))
		TH_LOG("the waiter never returned after the holder's unlock");
	win_grant = cb_window(&m->p, 0, srv_to * 1000, "the holder's UNLOCK",
		"the server's GRANTED_MSG is not impaired: one round trip, before its first "
		"retransmission (the server's nlm_timeout)");
	imp_check(f, "F_SETLKW granted (GRANTED_MSG)", &win_grant, s->w.r.t_ret - t_unlock,
		  _metadata);
	EXPECT_EQ(0, s->w.r.rc) TH_LOG("the waiter's F_SETLKW: %s", strerror(-s->w.r.rc));

	t_res = imp_wait_line(f, cb_re_call(NLMPROC_GRANTED_RES), t_unlock - 1,
			      t_unlock + IMP_SAFETY_S);
	ASSERT_LE(0, t_res) TH_LOG("the client's lockd sent no GRANTED_RES (nlm_debug: no "
				   "'call procedure %d ... (async)')", NLMPROC_GRANTED_RES);
	if (!f->t_ref)
		f->t_ref = t_res;
	ts = imp_wait_line(f, lr_imp_re_timedout(m), t_res, t_res + e.tmo.hi / 1e3 + IMP_LATE_S);
	*ts_tmo = ts;
	dropped = lr_imp_dropped(m);	/* "off" deletes the rule and its counter */
	EXPECT_EQ(0, lr_imp_off(m, &t_off));
	imp_check(f, "timed out", &e.tmo, ts < 0 ? -1 : ts - t_res, _metadata);

	/* its rpcbind query: a connect to port 111 that never left SYN_SENT */
	for (i = 0; i < m->nsev && lport < 0; i++)
		if (m->sev[i].state == LR_TCP_SYN_SENT && m->sev[i].t >= t_res - LR_SAMPLE_S)
			lport = m->sev[i].lport;
	EXPECT_LT(0, lport) TH_LOG("no connect to the server's port %d after the GRANTED_RES "
				   "call: no rpcbind query", RPCBIND_PORT);
	EXPECT_LE(1, dropped) TH_LOG("the rule dropped no SYN-ACK");
	/* and it never reached lockd's port: no connect there before it timed out */
	n = lr_trace_connects(m->trace, m->ntrace, t_res, m->lockd_port, lp, 4) -
	    lr_trace_connects(m->trace, m->ntrace, ts < 0 ? t_off : ts, m->lockd_port, lp, 4);
	EXPECT_EQ(0, n) TH_LOG("the GRANTED_RES's transport connected to lockd's port %d "
			       "before it timed out", m->lockd_port);
	TH_LOG("GRANTED_RES: rpcbind connect from port %d never completed (%ld SYN-ACKs "
	       "dropped); 'timed out' %.2f s after the call", lport, dropped,
	       ts < 0 ? -1 : ts - t_res);

	/*
	 * The server waits 60 s for a GRANTED_RES, then grants again. Measured on the
	 * server's clock, from its GRANTED_MSG's answer to the re-sent GRANTED_MSG: each
	 * guest's clock runs on its own jiffies (refined-jiffies under TCG), so a server
	 * timer is not timed with the client's. The client sees GRANTED_RES again.
	 */
	n = cb_srv_wait(s, "^lockd: GRANT_MSG RPC callback$", 1, lr_now(), sts, NULL);
	nmsg = cb_srv_wait(s, cb_re_call(NLMPROC_GRANTED_MSG), 2,
			   lr_now() + e.retry.hi / 1e3 * CB_CLOCK_SKEW + IMP_LATE_S, msg, NULL);
	EXPECT_LE(1, n) TH_LOG("the server logged no answer to its GRANTED_MSG");
	imp_check(f, "grant retry (GRANTED_MSG again)", &e.retry,
		  n >= 1 && nmsg >= 2 ? msg[1] - sts[0] : -1, _metadata);
	t_res2 = imp_wait_nth(f, cb_re_call(NLMPROC_GRANTED_RES), t_res, 2,
			      lr_now() + IMP_SAFETY_S);
	ASSERT_LE(0, t_res2) TH_LOG("the client never answered the server's retry");
	lr_imp_measured(m, "GRANTED_RES again", "the GRANTED_RES call", t_res2 - t_res,
			"measured only, on the client's clock");
	/* the drop was off before it started: rpcbind answers, it connects to lockd at once */
	if (t_off < t_res2) {
		char ere[80];

		snprintf(ere, sizeof(ere), "worker connecting xprt .* \\(port %d\\)$",
			 m->lockd_port);
		imp_wait_line(f, ere, t_res2, t_res2 + m->p.nlm_timeout);
		n = lr_trace_connects(m->trace, m->ntrace, t_res2, m->lockd_port, lp, 4);
		EXPECT_LE(1, n) TH_LOG("the second GRANTED_RES did not connect to lockd's port "
				       "within nlm_timeout of its call, with the path restored");
		if (n >= 1)
			TH_LOG("the second GRANTED_RES connected to lockd's port %d from port %d",
			       m->lockd_port, lp[0]);
	} else {
		TH_LOG("the server's retry came %.2f s before the drop was lifted: it waited for "
		       "the first GRANTED_RES's rpcbind, not checked", t_off - t_res2);
	}
	/* what the client answered, as the server read it */
	n = cb_srv_wait(s, "^grant_reply: looking for cookie .*, s=[0-9]+ ?$", 1,
			lr_now() + e.tmo.hi / 1e3 * CB_CLOCK_SKEW + IMP_LATE_S, sts, txt);
	EXPECT_LE(1, n) TH_LOG("the server never received a GRANTED_RES");
	/* grant_reply's s= is the __be32 status printed as an int */
	if (n >= 1 && (p = strstr(txt[n - 1], "s=")))
		st = ntohl((uint32_t)strtoul(p + 2, NULL, 10));
	EXPECT_EQ(CB_NLM_LCK_DENIED, st)
		TH_LOG("the client answered the retried GRANTED_MSG with %d: nlmclnt_grant() "
		       "answers nlm_lck_denied (1) when no request waits", st);
	TH_LOG("the client answered the server's retry with GRANTED_RES status %d (%s): its "
	       "waiter already holds the lock", st, st == 1 ? "nlm_lck_denied" : "?");
	lr_imp_moment(m, "GRANTED_RES status seen by the server", "-", -1, 0, 0, st,
		      "nlm_stats: 0 granted, 1 denied (fs/lockd/svclock.c nlmsvc_grant_reply)");
	return t_res;
}

/*
 * After the lost GRANTED_RES and the server's retry: does the server still hold the
 * waiter's lock? Another process on the other mount tries it. The client's own list
 * still says the waiter holds it (a process on our mount is refused locally).
 * Returns true when the server let go of it: known bug grant-retry-unlock, which the
 * caller passes to LR_XFAIL_IF_KNOWN at the end of its body (not here: an assertion
 * after this one would otherwise fail a test already marked XFAIL, under its reason).
 */
static inline bool cb_after_retry(struct imp_fix *f, struct cb_state *s,
				  struct __test_metadata *_metadata)
{
	struct lr_op_result t, l;
	bool lost;

	ASSERT_EQ(0, lr_run_op(f->path2, F_SETLK, F_WRLCK, IMP_START, IMP_LEN, &t,
			       IMP_SAFETY_S));
	ASSERT_EQ(0, lr_run_op(f->path, F_GETLK, F_WRLCK, IMP_START, IMP_LEN, &l,
			       IMP_SAFETY_S));
	lost = t.rc == 0;
	TH_LOG("after the retry: the client's list shows %s %jd+%jd held by pid %d (the "
	       "waiter %d); a process on the other mount %s the range on the server%s",
	       lr_ltype(l.fl.l_type), (intmax_t)l.fl.l_start, (intmax_t)l.fl.l_len,
	       l.fl.l_pid, s->w.c.pid, lost ? "LOCKS" : "cannot lock",
	       lost ? ": the server let go of a lock the client still holds" : "");
	EXPECT_EQ(F_WRLCK, l.fl.l_type) TH_LOG("the waiter's lock is gone from the client");
	lr_imp_moment(&f->m, "lock after the retry", "-", -1, 0, 0, lost ? 0 : 1, lost ?
		      "released on the server while the waiter holds it (split)" :
		      "still the waiter's on the server");
	if (lost)
		lr_run_op(f->path2, F_SETLK, F_UNLCK, IMP_START, IMP_LEN, &t, IMP_SAFETY_S);
	else
		EXPECT_EQ(-EAGAIN, t.rc) TH_LOG("%s", strerror(-t.rc));
	return lost;
}

#endif /* LR_GRANTCB_H */
