// SPDX-License-Identifier: GPL-2.0
/*
 * portmap-synack-lost (customer capture 0619): the client's rpcbind query for lockd's port
 * never gets its TCP handshake done: the server's SYN-ACKs from port 111 are lost before
 * the client's stack sees them.
 *
 * Model of the path: a rule in the client's netfilter input hook drops SYN-ACKs from port
 * 111 ("lr-ctl synack-drop on"), so the bridge capture shows SYN, SYN-ACK and both sides
 * retransmitting, as the customer's client-side capture does, while the client's TCP
 * never completes the handshake.
 *
 * The query is the first lock of this boot: lockd's RPC client for the server is created
 * then (nlm_bind_host(), AUTOBIND), and its port is unknown. The test does not take the
 * usual probe lock first. The LOCK's task sleeps in call_bind while the rpcbind child
 * (soft, RPC_TASK_SOFTCONN) tries to connect; the child fails silently, the LOCK's own
 * timeout rules print "still trying" (4.19: after XS_BIND_TO, 60 s, whatever nlm_timeout;
 * mainline: the child inherits lockd's timeout, 6 * nlm_timeout). The hard LOCK never
 * prints "timed out": the customer's later "timed out" needs a soft RPC client named
 * lockd, i.e. the host's lockd acting as server for its own callbacks (GRANTED), not
 * this path (docs/timing-model.md).
 */
#include "lib/harness.h"
#include "lib/imptest.h"

FIXTURE(portmap_synack_lost) {
	struct imp_fix f;
};

FIXTURE_SETUP(portmap_synack_lost)
{
	imp_setup(&self->f, LR_PORTMAP_SYNACK_LOST, _metadata);
}

FIXTURE_TEARDOWN(portmap_synack_lost)
{
	imp_teardown(&self->f, _metadata);
}

#define RPCBIND_PORT	111

TEST_F_TIMEOUT(portmap_synack_lost, lock, IMP_TEST_TIMEOUT)
{
	struct imp_fix *f = &self->f;
	struct lr_imp *m = &f->m;
	struct imp_run u = { .go = -1 };
	struct lr_tcp_sched syn;
	struct lr_expect e;
	double t_on, t_go, t_off, ts_try = -1, ts_ok = -1, t_syn = -1, at[LR_MAX_SEGS];
	int i, n, lport = -1;
	long dropped;
	double late;
	char msg[1024] = "";
	size_t l;

	ASSERT_EQ(0, lr_scenario_expect(&m->p, LR_PORTMAP_SYNACK_LOST, NULL, &e));
	imp_prepare(f, IMP_SETLKW, &u, f->path, IMP_START, NULL, _metadata);
	lr_imp_watch(m, RPCBIND_PORT);
	ASSERT_EQ(0, lr_imp_trace_start(m));
	ASSERT_EQ(0, lr_imp_on(m, &t_on));
	t_go = lr_now();
	imp_start(&u, _metadata);
	TH_LOG("first LOCK of this boot (lockd's port unknown: rpcbind query) with SYN-ACKs "
	       "from %s:%d dropped in the client", m->server, RPCBIND_PORT);

	ts_try = imp_wait_line(f, lr_imp_re_trying(m), t_go, t_go + e.trying.hi / 1e3 + IMP_LATE_S);
	dropped = lr_imp_dropped(m);	/* "off" deletes the rule and its counter */
	ASSERT_EQ(0, lr_imp_off(m, &t_off));
	ASSERT_EQ(0, lr_child_read(&u.c, &u.r, sizeof(u.r), e.ok.hi / 1e3 + IMP_LATE_S))
		TH_LOG("the LOCK never returned after the path was restored");
	ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + e.ok.hi / 1e3 + IMP_LATE_S);
	lr_imp_drain(m);
	f->t_ref = u.r.t_call;

	imp_check(f, "still trying", &e.trying, ts_try < 0 ? -1 : ts_try - u.r.t_call, _metadata);
	imp_check(f, "OK", &e.ok, ts_ok < 0 ? -1 : ts_ok - t_off, _metadata);
	imp_check(f, "fcntl() returned", &e.ok, u.r.t_ret - t_off, _metadata);

	/* the first rpcbind connect: its SYN retransmissions against tcp_syn_retries */
	for (i = 0; i < m->nsev && lport < 0; i++)
		if (m->sev[i].state == LR_TCP_SYN_SENT && m->sev[i].t >= t_go) {
			lport = m->sev[i].lport;
			t_syn = m->sev[i].t;
		}
	ASSERT_LT(0, lport) TH_LOG("no SYN_SENT socket to port %d seen", RPCBIND_PORT);
	lr_tcp_syn_schedule(&m->p, &syn);
	n = lr_imp_retrans(m, lport, LR_TCP_SYN_SENT, at, LR_MAX_SEGS);
	/* each retransmission timer is armed when the previous one fired: the wheel's
	 * rounding adds up along the schedule */
	for (i = 0, late = 0; i < n && i + 1 < syn.n; i++) {
		double want = syn.at[i + 1] / 1e3, got = at[i] - t_syn, tol;
		bool ok;

		late += lr_timer_slack(&m->p, syn.at[i + 1] - syn.at[i]) / 1e3;
		tol = late + 1 + LR_SAMPLE_S;
		ok = got >= want - 0.5 && got <= want + tol;

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
	lr_imp_moment(m, "SYN retransmissions", "the first SYN", -1, 0, 0, i, msg);
	EXPECT_LE(1, dropped) TH_LOG("the rule dropped no SYN-ACK");
	TH_LOG("SYN-ACKs dropped by the client's rule: %ld", dropped);
	imp_no_timed_out(f, t_go, _metadata);
	TH_LOG("'timed out': none, as the model says: the rpcbind child is SOFTCONN (silent) "
	       "and the LOCK is hard");
	imp_final_state(f, IMP_SETLKW, &u.r, _metadata);
	imp_end(&u);
}

TEST_HARNESS_MAIN
