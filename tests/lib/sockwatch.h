/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sockwatch.h: the client's TCP sockets to the server, seen from inside the guest.
 *
 * Contract: lr_imp_fresh() drops the client's lockd connection (sock_diag SOCK_DESTROY,
 * as the seed did with tcpkill) after a probe lock; lr_lockd_conns() counts the
 * established ones (/proc/net/tcp). lr_imp_watch() makes lr_imp_wait() sample the
 * sockets to a port every LR_SAMPLE_MS and record each change of state or of the
 * retransmission count (m->sev): SYN and FIN retransmissions measured in the guest.
 * Users: imptest.h and the flows (next SYN, rpcbind, FIN), trace.c (sampling in waits).
 */
#ifndef LR_SOCKWATCH_H
#define LR_SOCKWATCH_H

#include <stdbool.h>
#include "timing.h"

/* a change of one client socket to the server's watched port (/proc/net/tcp) */
struct lr_sock_ev {
	double t;		/* lr_now() of the sample that saw it */
	double t_prev;		/* the sample before it: the change came in (t_prev, t] */
	int lport;		/* the client's port */
	int state;		/* include/net/tcp_states.h: 1 ESTABLISHED, 2 SYN_SENT, 4 FIN_WAIT1 ... */
	int retr;		/* retrnsmt: the socket's icsk_retransmits */
	int rto_ms;		/* icsk_rto, 10 ms grain (USER_HZ), truncated; -1 unknown */
	bool gone;		/* the socket left the table */
};

#define LR_SOCK_EV_MAX	256
/* the watcher's sampling period: a socket event is stamped up to this late while the
 * sampler keeps it; a check on an event's moment uses its own t - t_prev instead (a
 * sampler held up by a busy host stamped a SYN 0.04 s late, and a nominal 0.02 s grain
 * failed a retransmission that was on time) */
#define LR_SAMPLE_S	(LR_SAMPLE_MS / 1e3)	/* LR_SAMPLE_MS: timing.h */

/* the TCP states the watcher names (include/net/tcp_states.h) */
#define LR_TCP_ESTABLISHED	1
#define LR_TCP_SYN_SENT		2
#define LR_TCP_FIN_WAIT1	4
#define LR_TCP_TIME_WAIT	6

struct lr_imp;

/* lr_imp_fresh(m, path2, err, size): see above. 0, or -1 with the reason in err. */
int lr_imp_fresh(struct lr_imp *m, const char *path2, char *err, size_t size);
/* the client's established TCP connections to the server's lockd port (/proc/net/tcp) */
int lr_lockd_conns(const struct lr_imp *m);

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
 * the samples where its retrnsmt count went up, and in prev (if not NULL) the sample
 * before each (it came in (prev, at]). Returns their number (<= max).
 */
int lr_imp_retrans(const struct lr_imp *m, int lport, int state, double *at, double *prev,
		   int max);

/* sock_diag SOCK_DESTROY of one IPv4 TCP socket; 0 or -errno */
int lr_sock_destroy(const char *src, int sport, const char *dst, int dport);

#endif /* LR_SOCKWATCH_H */
