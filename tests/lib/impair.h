/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impair.h: what every impairment test shares (svc_sleep.c, link_down.c).
 *
 * One impairment test, in the seed's order:
 *
 *   lr_imp_init()        read the guest's timing parameters, the server's lockd port
 *   lr_imp_fresh()       lock/unlock on a spare byte (the NLM host is out of grace and
 *                        bound for the next NLM_HOST_REBIND), then drop the client's
 *                        lockd TCP connection (sock_diag SOCK_DESTROY, as the seed did
 *                        with tcpkill): the operation meets no connection, as in the seed
 *   lr_imp_trace_start() rpc_debug/nlm_debug on; every kernel record the test reads from
 *                        now on is kept (struct lr_trace)
 *   lr_imp_on()          the impairment, through the server's agent (management NIC)
 *   ... the operation in a child, lr_imp_wait() for "still trying" ...
 *   lr_imp_off()
 *   ... lr_imp_wait() for "OK", the result, the lock state ...
 *   lr_imp_report()      timings.jsonl and rpc_debug.txt in LR_OUT
 *
 * The kernel log lines are read from /dev/kmsg with the kernel's own timestamps
 * (local_clock). That clock and CLOCK_MONOTONIC (lr_now()) advance together but may be
 * offset (seen: up to ~0.1 s on 4.19, whose sched_clock runs on the TSC), so
 * lr_imp_init() measures the offset with a marker record and every stamp is converted:
 * "seconds after the call" are then plain differences.
 */
#ifndef LR_IMPAIR_H
#define LR_IMPAIR_H

#include <stdbool.h>
#include <stdio.h>

#include "lr.h"
#include "timing.h"

#define LR_TRACE_MAX	4000
#define LR_MOMENTS_MAX	32

struct lr_trace_rec {
	double t;		/* kmsg timestamp, s, on the lr_now() clock (lr_imp.kmsg_off) */
	char text[160];
};

/* one expected-vs-measured moment, for the report */
struct lr_moment {
	const char *what;	/* "still trying", "OK", "result" ... */
	const char *ref;	/* what it is measured from */
	double expect, lo, hi;	/* s after ref; expect < 0: no model figure */
	double measured;	/* s after ref; < 0: not seen */
	char why[512];		/* the tolerance's reason, or what was measured */
	bool checked;		/* false: recorded for the report, no assertion on it */
};

/* a change of one client socket to the server's watched port (/proc/net/tcp) */
struct lr_sock_ev {
	double t;		/* lr_now() of the sample that saw it */
	int lport;		/* the client's port */
	int state;		/* include/net/tcp_states.h: 1 ESTABLISHED, 2 SYN_SENT, 4 FIN_WAIT1 ... */
	int retr;		/* retrnsmt: the socket's icsk_retransmits */
	int rto_ms;		/* icsk_rto, 10 ms grain (USER_HZ), truncated; -1 unknown */
	bool gone;		/* the socket left the table */
};

#define LR_SOCK_EV_MAX	256
/* the watcher's sampling period: a socket event is stamped up to this late */
#define LR_SAMPLE_S	(LR_SAMPLE_MS / 1e3)	/* LR_SAMPLE_MS: timing.h */

/* the TCP states the watcher names (include/net/tcp_states.h) */
#define LR_TCP_ESTABLISHED	1
#define LR_TCP_SYN_SENT		2
#define LR_TCP_FIN_WAIT1	4
#define LR_TCP_TIME_WAIT	6

struct lr_imp {
	enum lr_scenario sc;
	const char *test;		/* the test's name */
	struct lr_params p;
	char server[64];		/* data-path IP of the server */
	int lockd_port;			/* the server's nlockmgr v4 TCP port */
	int kmsg;			/* this guest's /dev/kmsg, read by lr_imp_wait() */
	double kmsg_off;		/* kmsg stamp - lr_now(): every stamp is converted */
	bool tracing;
	bool impaired;			/* lr_imp_off() still owed */
	long rpc_debug0, nlm_debug0;	/* values to restore */
	int ntrace;
	struct lr_trace_rec trace[LR_TRACE_MAX];
	int nmom;
	struct lr_moment mom[LR_MOMENTS_MAX];
	int watch_port;			/* > 0: lr_imp_wait() samples sockets to it */
	int nsev;
	struct lr_sock_ev sev[LR_SOCK_EV_MAX];
	char note[1024];		/* free text for the report */
	struct lr_tickmark tick0;	/* the guest's tick at lr_imp_init() */
	double tick_rate;		/* the last lr_imp_tick_rate(), -1 unknown */
};

/* lr_imp_init(m, sc, test, err, size): 0, or -1 with a one-line reason in err. */
int lr_imp_init(struct lr_imp *m, enum lr_scenario sc, const char *test, char *err,
		size_t size);
/* lr_imp_fresh(m, path2, err, size): see above. 0, or -1 with the reason in err. */
int lr_imp_fresh(struct lr_imp *m, const char *path2, char *err, size_t size);
/* the client's established TCP connections to the server's lockd port (/proc/net/tcp) */
int lr_lockd_conns(const struct lr_imp *m);

/*
 * lr_trace_connects(rec, n, since, port, lport, max): the source ports of the
 * transport's connect attempts to @port from the rpc_debug trace, in order: xs_bind()
 * prints "xs_bind <addr>:<lport>: ok (0)" and the connect worker then "worker connecting
 * xprt ... (port <port>)" (4.19 and mainline). Only attempts stamped at or after @since.
 * Returns how many (<= max). Pure.
 */
int lr_trace_connects(const struct lr_trace_rec *rec, int n, double since, int port,
		      int *lport, int max);

/* the guest's tick rate since lr_imp_init() (lr_tick_rate()); -1 if unknown */
double lr_imp_tick_rate(struct lr_imp *m);

int lr_imp_trace_start(struct lr_imp *m);
void lr_imp_trace_stop(struct lr_imp *m);

/* the impairment on/off through the server's agent; *t = lr_now() just before the request */
int lr_imp_on(struct lr_imp *m, double *t);
int lr_imp_off(struct lr_imp *m, double *t);
/* fin-blackhole, portmap-synack-lost: packets the nft rule dropped so far, -1 if unknown */
long lr_imp_dropped(const struct lr_imp *m);

/*
 * lr_imp_wait(m, ere, deadline, &ts): read the kernel log until a record matches ere
 * (1, its timestamp in *ts), lr_now() passes deadline (0) or an error (-1). Every
 * record read is offered to the trace.
 */
int lr_imp_wait(struct lr_imp *m, const char *ere, double deadline, double *ts);
/*
 * lr_imp_watch(m, port): from now on lr_imp_wait() also samples, every 20 ms, the
 * client's TCP sockets to server:port and records each change of state or of the
 * retransmission count (m->sev): SYN and FIN retransmissions seen from inside the guest.
 */
void lr_imp_watch(struct lr_imp *m, int port);
/* the last recorded event of the client's socket lport, or NULL */
const struct lr_sock_ev *lr_imp_sock_last(const struct lr_imp *m, int lport);
/* sample once now */
void lr_imp_sample(struct lr_imp *m);
/* pure: one /proc/net/tcp line -> remote address/port, local port, state, retrnsmt,
 * icsk_rto in ms (-1 when the line has no such field) */
int lr_parse_tcp_line(const char *line, unsigned int *raddr, int *rport, int *lport,
		      int *state, int *retr, int *rto_ms);
/*
 * The moments (s, lr_now()) at which socket lport retransmitted while in state:
 * the samples where its retrnsmt count went up. Returns their number (<= max).
 */
int lr_imp_retrans(const struct lr_imp *m, int lport, int state, double *at, int max);

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

/* record a moment for the report; returns measured inside [lo, hi] (always true for
 * expect < 0: then the test's own assertions check it) */
bool lr_imp_moment(struct lr_imp *m, const char *what, const char *ref, double expect,
		   double lo, double hi, double measured, const char *why);
/* record a moment no assertion looks at: timings.json says "checked": false, the
 * report "measured only, not a check" */
void lr_imp_measured(struct lr_imp *m, const char *what, const char *ref, double measured,
		     const char *why);
/* a model window (ms) as a moment (s) */
bool lr_imp_window(struct lr_imp *m, const char *what, const struct lr_window *w,
		   double measured);

/*
 * Transmissions of one request, from the rpc_debug trace: the times (s after t_call) of
 * the "xs_tcp_send_request(<len>) = 0" records, between t_call and t_end, that follow
 * the client's "lockd: call procedure <proc>" line (any record if proc < 0) and have
 * the length of the first such send. Returns their number (<= max), *len = the length.
 */
int lr_imp_sends(const struct lr_imp *m, int proc, double t_call, double t_end, double *at,
		 int max, unsigned int *len);
/*
 * pure: the moments (ms after the call) a hard RPC re-sends on TCP, from its alarm
 * schedule: each alarm's expiry, minor or major, is followed by a re-send (lockd's
 * tasks lack RPC_TASK_NO_RETRANS_TIMEOUT, so rpc_task_need_encode() holds; 4.19
 * retransmits after every call_timeout()). Returns their number (<= max).
 */
int lr_resend_moments(const struct lr_rpc_sched *s, long *at, int max);
/*
 * pure: match measured re-sends (s) against expected ones (ms): each expected moment
 * before until_s must have one measured re-send in [E - stamps, E + late_ms(E)], and
 * every measured re-send must fall in some expected moment's window. Returns the
 * number of expected moments without a match plus the unexplained re-sends; msg gets
 * both lists (MISSING, EXTRA).
 */
int lr_resend_check(const struct lr_params *p, const long *exp, int nexp, const double *got,
		    int ngot, double until_s, char *msg, size_t size);

/* append the test's record to LR_OUT/timings.jsonl and its trace to LR_OUT/rpc_debug.txt */
void lr_imp_report(struct lr_imp *m, double t_ref);

/* sock_diag SOCK_DESTROY of one IPv4 TCP socket; 0 or -errno */
int lr_sock_destroy(const char *src, int sport, const char *dst, int dport);
/* pure: the server's TCP port of nlockmgr v4 in rpcinfo -p output; -1 if absent */
int lr_rpcinfo_port(const char *text, unsigned long prog, unsigned int vers,
		    const char *proto);

#endif /* LR_IMPAIR_H */
