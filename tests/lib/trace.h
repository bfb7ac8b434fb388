/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h: the kernel-log trace of one impairment test: what it keeps, how it waits on
 * it, and the rpc_debug lines it reads back.
 *
 * Contract: lr_imp_trace_start() turns rpc_debug/nlm_debug on (lr_imp_trace_stop()
 * restores them); from then on every /dev/kmsg record a wait reads is kept in m->trace
 * (lockd's own lines always), stamped on lr_now()'s clock. The waits read the log until a
 * line matches or a deadline passes; the readers find connects and transmissions of a
 * request in the kept records.
 * Users: imptest.h and the flows built on it, moments.c (rpc_debug.txt), impair.c.
 */
#ifndef LR_TRACE_H
#define LR_TRACE_H

#include <stdbool.h>
#include <stddef.h>

/* include/uapi/linux/sunrpc/debug.h: XPRT (xprt.c), CALL (clnt.c), SCHED (sched.c: 4.19's
 * "setting alarm"), TRANS (xprtsock.c: "xs_tcp_send_request", connects). Mainline moved
 * most of clnt.c/sched.c to tracepoints; its xprtsock.c lines remain. */
#define LR_RPC_DEBUG	0x00c3
/* include/linux/lockd/debug.h: NLMDBG_CLIENT (clntproc.c: "call procedure N on host"),
 * NLMDBG_HOSTCACHE (host.c: binding, rebind) */
#define LR_NLM_DEBUG	0x0082

#define LR_TRACE_MAX	4000

struct lr_trace_rec {
	double t;		/* kmsg timestamp, s, on the lr_now() clock (lr_imp.kmsg_off) */
	char text[160];
};

struct lr_imp;

/*
 * lr_trace_connects(rec, n, since, port, lport, max): the source ports of the
 * transport's connect attempts to @port from the rpc_debug trace, in order: xs_bind()
 * prints "xs_bind <addr>:<lport>: ok (0)" and the connect worker then "worker connecting
 * xprt ... (port <port>)" (4.19 and mainline). Only attempts stamped at or after @since.
 * Returns how many (<= max). Pure.
 */
int lr_trace_connects(const struct lr_trace_rec *rec, int n, double since, int port,
		      int *lport, int max);

int lr_imp_trace_start(struct lr_imp *m);
void lr_imp_trace_stop(struct lr_imp *m);

/*
 * lr_imp_wait(m, ere, deadline, &ts): read the kernel log until a record matches ere
 * (1, its timestamp in *ts), lr_now() passes deadline (0) or an error (-1). Every
 * record read is offered to the trace.
 */
int lr_imp_wait(struct lr_imp *m, const char *ere, double deadline, double *ts);

/*
 * lr_imp_wait_nth(m, ere, since, nth, deadline, &ts): the nth (1-based) kernel log record
 * matching ere stamped at or after since, from the trace or read now: 1 (its stamp in
 * *ts), 0 if it did not come before deadline, -1 on error. Waits that consumed records
 * for other reasons lose nothing: every lockd line is kept in the trace.
 */
int lr_imp_wait_nth(struct lr_imp *m, const char *ere, double since, int nth, double deadline,
		    double *ts);

/* read what the log holds now into the trace (no wait) */
void lr_imp_drain(struct lr_imp *m);
/* the trace records matching ere at or after t0: count, and the first's time in *first */
int lr_imp_count(const struct lr_imp *m, const char *ere, double t0, double *first);

/* the ERE of a sunrpc line "lockd: server <name> <tail>" (net/sunrpc/clnt.c), in buf */
const char *lr_lockd_re(char *buf, size_t size, const char *name, const char *tail);
/* EREs of the client's lockd lines for m's server */
const char *lr_imp_re_trying(const struct lr_imp *m);
const char *lr_imp_re_timedout(const struct lr_imp *m);
const char *lr_imp_re_ok(const struct lr_imp *m);

/*
 * Transmissions of one request, from the rpc_debug trace: the times (s after t_call) of
 * the "xs_tcp_send_request(<len>) = 0" records, between t_call and t_end, that follow
 * the client's "lockd: call procedure <proc>" line (any record if proc < 0) and have
 * the length of the first such send. Returns their number (<= max), *len = the length.
 */
int lr_imp_sends(const struct lr_imp *m, int proc, double t_call, double t_end, double *at,
		 int max, unsigned int *len);

#endif /* LR_TRACE_H */
