// SPDX-License-Identifier: GPL-2.0
/*
 * link-down: the server's data NIC goes down before the operation and comes back after
 * the client logged "still trying" (the seed's "ifconfig ens2 down" / "up"; here
 * "lr-ctl link down|up" on the server, over the management NIC the impairment does not
 * touch).
 *
 * As in the seed the client has no lockd connection when the request is made (the seed
 * cut it with tcpkill; lr_imp_fresh() uses sock_diag), so the request is never sent while
 * the link is down: the transport tries to connect (SYNs, ARP failing, "host
 * unreachable"), each connect error passes through the RPC timeout check, and the
 * request's own major timeout prints "still trying". Once the link is back the next
 * connect succeeds and the request goes out; its reply prints "OK".
 *
 * Unlike svc-sleep, every operation that talks to the server stalls here, TEST and
 * UNLOCK included: they all need the connection.
 */
#include "lib/harness.h"
#include "lib/imptest.h"

FIXTURE(link_down) {
	struct imp_fix f;
};

FIXTURE_SETUP(link_down)
{
	imp_setup(&self->f, LR_LINK_DOWN, _metadata);
}

FIXTURE_TEARDOWN(link_down)
{
	imp_teardown(&self->f, _metadata);
}

TEST_F_TIMEOUT(link_down, lock, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_SETLKW, true, NULL, _metadata);
}

TEST_F_TIMEOUT(link_down, setlk, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_SETLK, true, NULL, _metadata);
}

TEST_F_TIMEOUT(link_down, getlk, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_GETLK, true, NULL, _metadata);
}

TEST_F_TIMEOUT(link_down, unlock, IMP_TEST_TIMEOUT)
{
	imp_single(&self->f, IMP_UNLOCK, true, NULL, _metadata);
}

TEST_HARNESS_MAIN
