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
#include "lib/impsingle.h"
#include "lib/impsyn.h"
#include "lib/neigh.h"
#include "lib/proc.h"

/*
 * The client's neighbour entry for the server when the link came up. While the link was
 * down each connect's SYN found it unresolved: ARP who-has about once a second
 * (retrans_time_ms), up to mcast_solicit probes, then FAILED, its queue dropped and
 * "host unreachable"; the next packet starts a new resolution. A SYN sent while one is
 * under way (INCOMPLETE) waits in the entry's queue and leaves with the first ARP reply:
 * the next probe after link up, within retrans_time_ms, earlier than the SYN schedule's
 * next slot (seen in a customer run: "OK" 0.72 s after link up, the schedule's SYN at
 * 0.96 s; the ARP reply at 66.552 s and three queued packets 6 ms later). In any other
 * state nothing waits for ARP: REACHABLE, STALE, DELAY and PROBE send at once, FAILED
 * has dropped its queue (the next SYN resolves anew, in milliseconds once the link is
 * up). Read in the test process (one case a process) just before the link goes up.
 */
static struct {
	int state;		/* NUD_*, -1 no entry or not read */
	char dev[IF_NAMESIZE];
	long retrans_ms;	/* /proc/sys/net/ipv4/neigh/<dev>/retrans_time_ms, -1 unknown */
} nb = { -1, "", -1 };

static void link_down_before_off(struct imp_fix *f)
{
	char path[96];

	if (lr_neigh_state(f->m.server, &nb.state, nb.dev, sizeof(nb.dev))) {
		nb.state = -1;
		return;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/neigh/%s/retrans_time_ms", nb.dev);
	if (lr_read_long(path, &nb.retrans_ms))
		nb.retrans_ms = -1;
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
	double late, delay, best, upto, late_b = 0, delay_b = 0, bind, upto_b;
	struct lr_window w, b;

	best = imp_next_syn(f, syn, f->m.lockd_port, t_call, t_off, ts_ok, &late, &delay, &upto,
			    _metadata);
	if (best < 0) {
		TH_LOG("lockd's connect: the wide window");
		return *wide;
	}
	w = imp_syn_window(f, best, upto, t_off, late, best, ref, why);
	snprintf(why, sizeof(why), "%s of lockd's connect at %.2f s (tcp_syn_retries schedule; "
		 "timer wheel and timer lateness %.2f s)", delay ? "the next SYN retransmission" :
		 "the first SYN", w.expect / 1e3, late);
	imp_syn_switch_why(f, why, sizeof(why), best, upto, t_off);
	bind = imp_next_syn(f, syn, RPCBIND_PORT, t_call, t_off, ts_ok, &late_b, &delay_b,
			    &upto_b, _metadata);
	if (bind >= 0) {
		b = imp_syn_window(f, bind, upto_b, t_off, late_b, bind, ref, why);
		w.expect = w.expect > b.expect ? w.expect : b.expect;
		w.lo = w.lo > b.lo ? w.lo : b.lo;
		w.hi = w.hi > b.hi ? w.hi : b.hi;
		snprintf(why + strlen(why), sizeof(why) - strlen(why), ", and %s of the rpcbind "
			 "query a major timeout started, at %.2f s (%.2f s): the later of the two",
			 delay_b ? "the next SYN retransmission" : "the first SYN", b.expect / 1e3,
			 late_b);
		imp_syn_switch_why(f, why, sizeof(why), bind, upto_b, t_off);
	}
	snprintf(why + strlen(why), sizeof(why) - strlen(why), "; + TCG");
	return w;
}

/* imp_single()'s link-down step: "OK" comes with the first SYN after the link is up */
static void link_down_ok_window(struct imp_fix *f, struct lr_expect *e,
				const struct lr_op_result *r, double t_off, double ts_ok,
				struct __test_metadata *_metadata)
{
	struct lr_tcp_sched syn;

	lr_tcp_syn_schedule(&f->m.p, &syn);
	e->ok = imp_link_up_window(f, &syn, r->t_call, t_off, ts_ok < 0 ? r->t_ret : ts_ok,
				   &e->ok, _metadata);
	TH_LOG("the client's neighbour entry for %s just before link up: %s", f->m.server,
	       nb.state < 0 ? "none" : lr_nud_name(nb.state));
	if (nb.state == NUD_INCOMPLETE) {
		/* a SYN queued behind the resolution leaves with the next probe's reply:
		 * from link up on; the schedule's next SYN still bounds it */
		static char why[768];

		e->ok.lo = -lr_tol_stamp(&f->m.p);
		snprintf(why, sizeof(why), "%s; the client's neighbour entry for the server "
			 "was INCOMPLETE at link up, so a SYN queued behind it leaves with the "
			 "next probe's reply (every retrans_time_ms %ld ms on %s): from link up",
			 e->ok.why, nb.retrans_ms, nb.dev);
		e->ok.why = why;
	}
}

/* imp_single()'s link-down step: no connection while the link is down, so nothing is
 * sent before it is up */
static void link_down_sends(struct imp_fix *f, const struct lr_expect *e, enum imp_op k,
			    const struct lr_op_result *r, double t_off,
			    struct __test_metadata *_metadata)
{
	struct lr_imp *m = &f->m;
	double at[8], up = t_off - r->t_call;
	int n;

	n = lr_imp_sends(m, imp_proc(k), r->t_call, r->t_ret + 1, at, 8, NULL);
	EXPECT_LE(1, n) TH_LOG("the request was never transmitted");
	if (n >= 1) {
		EXPECT_LE(up, at[0])
			TH_LOG("sent %.2f s after the call, while the link was down", at[0]);
		TH_LOG("request first transmitted %.2f s after the link came back "
		       "(%.2f s after the call)", at[0] - up, at[0]);
		lr_imp_moment(m, "first transmission", "link up on the server", -1, 0, 0,
			      at[0] - up, "checked: not before the link came up");
	}
}

static const struct imp_hooks link_down_hooks = {
	.before_off = link_down_before_off,
	.ok_window = link_down_ok_window,
	.sends = link_down_sends,
};

IMP_SINGLE_FIXTURE(link_down, LR_LINK_DOWN, &link_down_hooks);

/* every operation that talks to the server stalls: each needs the connection */
IMP_OP_VARIANT(link_down, lock, IMP_SETLKW, true, NULL);
IMP_OP_VARIANT(link_down, setlk, IMP_SETLK, true, NULL);
IMP_OP_VARIANT(link_down, getlk, IMP_GETLK, true, NULL);
IMP_OP_VARIANT(link_down, unlock, IMP_UNLOCK, true, NULL);

TEST_HARNESS_MAIN
