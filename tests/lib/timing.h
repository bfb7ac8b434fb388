/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timing.h: the timing model every impairment test computes its windows from.
 *
 * Pure C, no I/O except lr_timing_read_params().  Every figure is derived from
 * parameters read in the guest (struct lr_params) and from kernel constants that
 * are named after the symbol they mirror (timing_kernel.h).  docs/timing-model.md
 * gives the rules with file:function for 4.19 and mainline.
 *
 * Contract, in three files: params.c the inputs (the kernel's defaults, the guest's
 * /proc values, which rules apply), timing.c the schedules (RPC alarms, SYN and FIN
 * retransmissions, timer slack, reconnects), expect.c the scenario windows and their
 * tolerances. Users: the impairment tests (impair.h, imptest.h), the host's lr_report
 * and lr_explain, tests/unit/timing_test.c.
 *
 * Times are milliseconds, relative to the moment named in each comment.
 */
#ifndef LR_TIMING_H
#define LR_TIMING_H

#include <stdbool.h>

/* Parameters read in the guest; lr_timing_defaults() gives the kernel defaults. */
struct lr_params {
	unsigned int kver_major, kver_minor;	/* /proc/sys/kernel/osrelease */
	unsigned int nlm_timeout;		/* s, /proc/sys/fs/nfs/nlm_timeout */
	unsigned int tcp_syn_retries;		/* /proc/sys/net/ipv4/tcp_syn_retries */
	unsigned int tcp_syn_linear_timeouts;	/* ditto; absent on 4.19 -> 0 */
	unsigned int tcp_retries2;		/* /proc/sys/net/ipv4/tcp_retries2 */
	unsigned int tcp_orphan_retries;	/* /proc/sys/net/ipv4/tcp_orphan_retries */
	unsigned int tcp_fin_timeout;		/* s, /proc/sys/net/ipv4/tcp_fin_timeout */
	unsigned int tcp_early_retrans;		/* ditto; >= 3 arms the tail loss probe */
	unsigned int tcp_rto_min_ms;		/* tcp_rto_min_us / 1000; absent -> TCP_RTO_MIN */
	unsigned int tcp_rto_max_ms;		/* tcp_rto_max_ms; absent -> TCP_RTO_MAX */
	unsigned int hz;			/* CONFIG_HZ of the guest kernel (its .config);
						 * not in /proc: the caller sets it */
};

/* Which sunrpc timeout rules apply (see lr_rules()). */
enum lr_rules {
	LR_RULES_4_19,		/* no rq_minortimeo, majortimeo reset at first transmit */
	LR_RULES_MAINLINE,	/* rq_minortimeo, alarms capped at rq_majortimeo */
	LR_RULES_UNKNOWN,	/* 5.0..5.9: not read; lr_scenario_expect() -EOPNOTSUPP */
};

/* struct rpc_timeout, in ms */
struct lr_rpc_timeout {
	long initval, increment, maxval;
	unsigned int retries;
	int exponential;
};

#define LR_MAX_ALARMS	32

/* One rpc_task alarm: set at @at for @len ms; when it fires, call_timeout /
 * rpc_check_timeout sees a minor (major == 0) or a major (major == 1) timeout. */
struct lr_alarm {
	long at, len;
	int major;
};

/* Retransmission schedule of one hard RPC whose server never answers. */
struct lr_rpc_sched {
	int n;
	struct lr_alarm a[LR_MAX_ALARMS];
	long first_major;	/* ms after the call: "not responding, still trying" */
};

/* How the request meets the transport (the seed's four shapes). */
struct lr_rpc_case {
	int transmitted;	/* 1: the request reaches a live connection at once */
	int connect_wakeups;	/* call_connect_status() passes before the first send
				 * (1 when this very task waited for the TCP connect) */
	long horizon;		/* simulate alarms up to this many ms */
};

#define LR_MAX_SEGS	40

/* TCP (re)transmission moments of one segment, ms after its first transmission. */
struct lr_tcp_sched {
	int n;			/* transmissions, the first one (at 0) included */
	long at[LR_MAX_SEGS];
	long giveup;		/* the socket errors out (ETIMEDOUT) at this moment */
};

enum lr_scenario {
	LR_SVC_SLEEP,		/* server lockd never processes LOCK */
	LR_LINK_DOWN,		/* server NIC down before LOCK, up after "still trying" */
	LR_FIN_BLACKHOLE,	/* LOCK while the old socket's FIN is never answered */
	LR_PORTMAP_SYNACK_LOST,	/* the rpcbind handshake never completes */
	LR_GRANTED_RES,		/* the client's soft GRANTED_RES meets a lost rpcbind
				 * handshake: "timed out" on the client */
	LR_GRANTED_MSG,		/* the server's soft GRANTED_MSG does: "timed out" on
				 * the server, naming the client by its caller name */
	LR_CUSTOMER_0619,	/* 0619 whole: still trying, timed out, still trying */
	LR_NR_SCENARIOS
};

struct lr_scenario_args {
	int fresh_connection;	/* svc-sleep: LOCK opens the lockd connection itself */
	long fin_to_call;	/* fin-blackhole: ms from the FIN to the LOCK call */
	long fin_rto;		/* fin-blackhole: RTO of the old connection; 0 -> tcp_rto_min */
	int no_reuseport;	/* fin-blackhole: lockd's RPC client without
				 * RPC_CLNT_CREATE_REUSEPORT (kernel-patches no-reuseport) */
	long shared_alarm;	/* svc-sleep: the longest alarm (ms) another task waiting
				 * on the same transport may have pending (the queue's
				 * one timer, sched_slack()); 0 none */
	int peer_stale;		/* fin-blackhole: the server may still hold the old
				 * connection (it never saw the FIN), so the SYN from the
				 * reused port can draw a challenge ACK */
};

/* An expected moment: [lo, hi] around expect, and why the window is that wide. */
struct lr_window {
	long expect, lo, hi;
	const char *ref;	/* what the moment is measured from */
	const char *why;	/* one line: the reason for the tolerance */
};

struct lr_expect {
	int still_trying;	/* 1: "not responding, still trying" must appear */
	struct lr_window trying;
	int timed_out;		/* 1: a soft call prints "not responding, timed out" */
	struct lr_window tmo;	/* that line, after the soft call */
	struct lr_window retry;	/* granted-*: the server's next GRANTED_MSG (grant retry) */
	struct lr_window ok;	/* "lockd: server ... OK" */
	struct lr_window gone;	/* fin-blackhole: the old socket's death */
	struct lr_rpc_sched sched;
};

void lr_timing_defaults(struct lr_params *p, unsigned int major, unsigned int minor);
int lr_timing_read_params(struct lr_params *p, const char *procroot);
enum lr_rules lr_rules(const struct lr_params *p);

void lr_nlm_rpc_timeout(const struct lr_params *p, struct lr_rpc_timeout *to);
void lr_xs_tcp_default_timeout(struct lr_rpc_timeout *to);
long lr_xs_tcp_user_timeout(const struct lr_rpc_timeout *xprt_to);
long lr_xs_tcp_keepidle(const struct lr_rpc_timeout *xprt_to);

int lr_rpc_schedule(const struct lr_params *p, const struct lr_rpc_timeout *to,
		    const struct lr_rpc_case *c, struct lr_rpc_sched *s);

/* timing_tcp.c: TCP's own timers */
void lr_tcp_syn_schedule(const struct lr_params *p, struct lr_tcp_sched *t);
void lr_tcp_fin_schedule(const struct lr_params *p, long rto, long user_timeout,
			 int orphan, struct lr_tcp_sched *t);
/* one SYN-ACK the server's request-sock timer sent (not an answer to a SYN) */
struct lr_synack {
	int syn;		/* the SYN it counts from: the last one that (re)armed the timer */
	long after;		/* ms after that SYN, on the server's clock */
	int steps;		/* timers chained from that SYN to it, each with its own lateness */
	long last;		/* ms, the longest of them (the last: each doubles) */
};
#define LR_SYNACK_BUDGET	100000	/* steps lr_synack_timer() follows, all orders */
int lr_synack_timer(const double *syn, int n, unsigned int synack_retries, double rate,
		    double tie, double until, struct lr_synack *out, int max);

/*
 * Two guests' clocks: one reading of the other guest's clock (its /proc/uptime, 10 ms
 * grain) taken between two of ours (lr_now()). From two marks, lr_clock_rate() gives
 * the other clock's seconds per second of ours, low and high (the readings' round trips
 * and grain): 0, or -1 when the marks are unusable.
 */
struct lr_clockmark {
	double before, other, after;
};
int lr_clock_rate(const struct lr_clockmark *a, const struct lr_clockmark *b, double *lo,
		  double *hi);

long lr_rpcbind_major(const struct lr_params *p);
long lr_rpcbind_slack(const struct lr_params *p);

/* fs/lockd/svclock.c nlmsvc_grant_callback() (both): the server's next GRANTED_MSG of a
 * granted block, ms after the previous one ended: @ok = it was answered (then lockd
 * waits for the client's GRANTED_RES) */
long lr_grant_retry(int ok);
/* fs/lockd/clntproc.c NLMCLNT_POLL_TIMEOUT (both): a blocked F_SETLKW re-sends LOCK
 * this long after each BLOCKED reply when no GRANTED came */
long lr_nlmclnt_poll(void);

long lr_xs_reconnect_delay(unsigned int attempt);
long lr_xs_idle_disc_to(void);
long lr_timer_slack(const struct lr_params *p, long delay);
/* a lost last segment (a FIN) is first re-sent by a tail loss probe, not the RTO timer */
bool lr_tcp_tlp(const struct lr_params *p);
/* how early (ms) a moment may be measured though nothing fires early: the stamps' grain */
long lr_tol_stamp(const struct lr_params *p);

/*
 * The model counts jiffies. A guest whose periodic tick ran at @rate tick-seconds per
 * second of its clock (lr_tick_rate(); < 1 when TCG made it lose ticks) fires every
 * timer 1/rate later in real time: lr_window_tick_rate() stretches the window's
 * timer-driven upper part (hi minus the TCG allowance) by 1/rate and returns the ms it
 * added, 0 when the tick kept up or rate is unknown. A tick that outran the clock
 * (rate > 1: the clock, not the tick, is off) moves the lower bound down by the expected
 * moment's share instead and returns minus the ms it moved. Below LR_TICK_RATE_MIN a run says
 * nothing about the kernel's timing any more: the tests fail it with that reason.
 */
#define LR_TICK_RATE_MIN	0.8
/*
 * How late one timer may fire beyond the wheel's rounding (lr_timer_slack()), measured
 * from the moment the one before it fired on the same guest: the vCPU thread waiting
 * for a host CPU while the guest's clock runs on (a steady tick-rate loss stretches a
 * gap and the one before it alike, so it cancels in a ratio). Used where timers chain
 * (TCP retransmissions: each armed when the last fired). Measured 2026-12-01 (7.3.4,
 * quick, TCG, three cases at once on two cores): FIN retransmission gaps within 0.02 s
 * of twice the one before, rpcbind SYN retransmissions within 0.02 s per step of the
 * schedule plus the wheel: the 20 ms sampling grain. 100 ms is five times that.
 */
#define LR_TOL_TIMER_MS		100
/* the socket watcher's period (sockwatch.c lr_imp_sample()): a socket event, a FIN or a
 * retransmission seen in /proc/net/tcp, is stamped up to this late */
#define LR_SAMPLE_MS		20
long lr_window_tick_rate(struct lr_window *w, double rate);

int lr_scenario_expect(const struct lr_params *p, enum lr_scenario sc,
		       const struct lr_scenario_args *a, struct lr_expect *e);
const char *lr_scenario_name(enum lr_scenario sc);

#endif /* LR_TIMING_H */
