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
#include "lib/impsyn.h"

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

TEST_F_TIMEOUT(portmap_synack_lost, lock, IMP_TEST_TIMEOUT)
{
	struct imp_fix *f = &self->f;
	struct imp_run u = { .go = -1 };
	double t_go;

	imp_prepare(f, IMP_SETLKW, &u, f->path, IMP_START, NULL, _metadata);
	ASSERT_EQ(0, lr_imp_trace_start(&f->m));
	t_go = imp_rpcbind_lock(f, &u, 0, _metadata);
	imp_no_timed_out(f, t_go, _metadata);
	TH_LOG("'timed out': none, as the model says: the rpcbind child is SOFTCONN (silent) "
	       "and the LOCK is hard");
	imp_final_state(f, IMP_SETLKW, &u.r, _metadata);
	imp_end(&u);
}

TEST_HARNESS_MAIN
