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
 * Windows: lib/timing.c (LR_GRANTED_RES, LR_GRANTED_MSG), from the parameters each
 * guest reads; the SYN-ACK drops are lr-ctl synack-drop in the guest that queries.
 */
#include "lib/harness.h"
#include "lib/grantcb.h"

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
	cb_after_retry(&self->f, &self->s, _metadata);
}

TEST_F_TIMEOUT(soft_callback, granted_msg, IMP_TEST_TIMEOUT)
{
	cb_prepare(&self->f, &self->s, IMP_START, _metadata);
	ASSERT_EQ(0, lr_imp_trace_start(&self->f.m));
	cb_block(&self->f, &self->s, _metadata);
	cb_granted_msg(&self->f, &self->s, _metadata);
}

TEST_HARNESS_MAIN
