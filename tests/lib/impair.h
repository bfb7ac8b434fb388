/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impair.h: what every impairment test shares (svc_sleep.c, link_down.c, ...): the
 * state of one test (struct lr_imp), its start and the impairment itself. Users: imptest.h
 * and every impairment test group. The jobs beside it, each with its contract:
 *
 *   sockwatch.h  the client's TCP sockets: drop the lockd connection, watch retransmits
 *   trace.h      the kernel-log trace, waits on it, its rpc_debug readers
 *   moments.h    expected-vs-measured moments, timings.jsonl and rpc_debug.txt
 *   resend.h     a hard RPC's re-sends: the model's moments against the measured
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
#include "moments.h"
#include "resend.h"
#include "sockwatch.h"
#include "trace.h"

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
	double t_switched;		/* lr_now() when the last on/off command returned */
	long rpc_debug0, nlm_debug0;	/* values to restore */
	int ntrace;
	struct lr_trace_rec trace[LR_TRACE_MAX];
	int nmom;
	struct lr_moment mom[LR_MOMENTS_MAX];
	int watch_port;			/* > 0: lr_imp_wait() samples sockets to it */
	double t_sample;		/* lr_now() of the last sample, 0 none yet */
	int nsev;
	struct lr_sock_ev sev[LR_SOCK_EV_MAX];
	char note[1024];		/* free text for the report */
	struct lr_tickmark tick0;	/* the guest's tick at lr_imp_init() */
	double tick_rate;		/* the last lr_imp_tick_rate(), -1 unknown */
};

/* lr_imp_init(m, sc, test, err, size): 0, or -1 with a one-line reason in err. */
int lr_imp_init(struct lr_imp *m, enum lr_scenario sc, const char *test, char *err,
		size_t size);

/* the guest's tick rate since lr_imp_init() (lr_tick_rate()); -1 if unknown */
double lr_imp_tick_rate(struct lr_imp *m);

/* the impairment on/off (through the server's agent, or lr-ctl in this guest): *t =
 * lr_now() just before the request, m->t_switched just after it returned; the switch
 * happened somewhere in between */
int lr_imp_on(struct lr_imp *m, double *t);
int lr_imp_off(struct lr_imp *m, double *t);
/* fin-blackhole, portmap-synack-lost: packets the nft rule dropped so far, -1 if unknown */
long lr_imp_dropped(const struct lr_imp *m);

/* one reading of the server's clock between two of ours (struct lr_clockmark, timing.h):
 * 0, or -1 when the server's agent did not answer */
int lr_server_clockmark(struct lr_clockmark *mk);

/* pure: the server's TCP port of nlockmgr v4 in rpcinfo -p output; -1 if absent */
int lr_rpcinfo_port(const char *text, unsigned long prog, unsigned int vers,
		    const char *proto);

#endif /* LR_IMPAIR_H */
