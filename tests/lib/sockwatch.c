// SPDX-License-Identifier: GPL-2.0
/* sockwatch.c: the client's TCP sockets to the server: sock_diag, /proc/net/tcp (sockwatch.h). */
#include "impair.h"
#include "ops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the client's lockd connection ---- */

struct tcp_ent {
	char src[INET_ADDRSTRLEN];
	int sport, state;
};

/* the client's IPv4 TCP sockets to server:port (/proc/net/tcp); their number */
static int lockd_sockets(const struct lr_imp *m, struct tcp_ent *e, int max)
{
	unsigned int la, lp, ra, rp, st;
	struct in_addr want, a;
	char line[512];
	FILE *f;
	int n = 0;

	if (!inet_aton(m->server, &want))
		return -1;
	f = fopen("/proc/net/tcp", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*d: %8X:%4X %8X:%4X %2X", &la, &lp, &ra, &rp, &st) != 5)
			continue;
		/* the addresses are the raw __be32, printed as a host-order number */
		if (ra != want.s_addr || (int)rp != m->lockd_port)
			continue;
		if (n < max) {
			a.s_addr = la;
			inet_ntop(AF_INET, &a, e[n].src, sizeof(e[n].src));
			e[n].sport = lp;
			e[n].state = st;
		}
		n++;
	}
	fclose(f);
	return n;
}


int lr_lockd_conns(const struct lr_imp *m)
{
	struct tcp_ent e[16];
	int i, n = lockd_sockets(m, e, 16), est = 0;

	for (i = 0; i < n && i < 16; i++)
		est += e[i].state == LR_TCP_ESTABLISHED;
	return n < 0 ? -1 : est;
}

int lr_sock_destroy(const char *src, int sport, const char *dst, int dport)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[512];
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct in_addr s, d;
	ssize_t n;
	int fd, ret;

	if (!inet_aton(src, &s) || !inet_aton(dst, &d))
		return -EINVAL;
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DESTROY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	msg.req.sdiag_family = AF_INET;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = ~0U;
	msg.req.id.idiag_sport = htons(sport);
	msg.req.id.idiag_dport = htons(dport);
	msg.req.id.idiag_src[0] = s.s_addr;
	msg.req.id.idiag_dst[0] = d.s_addr;
	msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	ret = n < 0 ? -errno : -EPROTO;
	if (n >= (ssize_t)(sizeof(*h) + sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR)
		ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	close(fd);
	return ret;
}

static bool no_lockd_socket(void *arg)
{
	struct tcp_ent e[16];
	int i, n = lockd_sockets(arg, e, 16);

	for (i = 0; i < n && i < 16; i++)
		if (e[i].state != LR_TCP_TIME_WAIT)
			return false;
	return n >= 0;
}

int lr_imp_fresh(struct lr_imp *m, const char *path2, char *err, size_t size)
{
	struct tcp_ent e[16];
	double took;
	int i, n, rc;

	rc = lr_out_of_grace(path2, &took);
	if (rc) {
		snprintf(err, size, "probe lock through %s: %s", path2, strerror(-rc));
		return -1;
	}
	n = lockd_sockets(m, e, 16);
	if (n < 0) {
		snprintf(err, size, "/proc/net/tcp: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n && i < 16; i++) {
		if (e[i].state != LR_TCP_ESTABLISHED)
			continue;
		rc = lr_sock_destroy(e[i].src, e[i].sport, m->server, m->lockd_port);
		if (rc) {
			snprintf(err, size, "SOCK_DESTROY %s:%d -> %s:%d: %s (CONFIG_INET_DIAG_DESTROY?)",
			     e[i].src, e[i].sport, m->server, m->lockd_port, strerror(-rc));
			return -1;
		}
	}
	/* the transport releases its socket from a work item: wait for it to go */
	if (!lr_wait_until(no_lockd_socket, m, 10)) {
		snprintf(err, size, "the client's lockd socket to %s:%d did not go away",
		     m->server, m->lockd_port);
		return -1;
	}
	return 0;
}

int lr_parse_tcp_line(const char *line, unsigned int *raddr, int *rport, int *lport,
		      int *state, int *retr, int *rto_ms)
{
	unsigned int la, lp, ra, rp, st, tx, rx, tr, when, rt;
	unsigned long rto;

	/*
	 * get_tcp4_sock() (net/ipv4/tcp_ipv4.c, the same in 4.19 and mainline):
	 * "%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %pK
	 *  %lu %lu %u %u %d": ..., retrnsmt, uid, probes, inode, refcnt, sk, then
	 * jiffies_to_clock_t(icsk_rto) in USER_HZ (100) ticks
	 */
	if (sscanf(line, " %*d: %8X:%4X %8X:%4X %2X %8X:%8X %2X:%8X %8X", &la, &lp, &ra, &rp,
		   &st, &tx, &rx, &tr, &when, &rt) != 10)
		return -1;
	*raddr = ra;
	*rport = rp;
	*lport = lp;
	*state = st;
	*retr = rt;
	if (sscanf(line, " %*d: %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu",
		   &rto) == 1 && rto < 1000000)
		*rto_ms = (int)(rto * 10);
	else
		*rto_ms = -1;
	return 0;
}

void lr_imp_watch(struct lr_imp *m, int port)
{
	m->watch_port = port;
	m->t_sample = 0;
	lr_imp_sample(m);
}

const struct lr_sock_ev *lr_imp_sock_last(const struct lr_imp *m, int lport)
{
	int i;

	for (i = m->nsev - 1; i >= 0; i--)
		if (m->sev[i].lport == lport)
			return &m->sev[i];
	return NULL;
}

static void add_ev(struct lr_imp *m, double t, int lport, int state, int retr, int rto_ms,
		   bool gone)
{
	/* the watch's first sample has none before it: what it saw was there already */
	double prev = m->t_sample > 0 ? m->t_sample : t;

	if (m->nsev < LR_SOCK_EV_MAX)
		m->sev[m->nsev++] = (struct lr_sock_ev){ t, prev, lport, state, retr, rto_ms,
							 gone };
}

void lr_imp_sample(struct lr_imp *m)
{
	int lports[32], n = 0, i, rport, lport, state, retr, rto_ms;
	const struct lr_sock_ev *e;
	struct in_addr want;
	unsigned int ra;
	char line[512];
	double t = lr_now();
	FILE *f;

	if (m->watch_port <= 0 || !inet_aton(m->server, &want))
		return;
	f = fopen("/proc/net/tcp", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (lr_parse_tcp_line(line, &ra, &rport, &lport, &state, &retr, &rto_ms) ||
		    ra != want.s_addr || rport != m->watch_port)
			continue;
		if (n < 32)
			lports[n++] = lport;
		e = lr_imp_sock_last(m, lport);
		if (!e || e->gone || e->state != state || e->retr != retr)
			add_ev(m, t, lport, state, retr, rto_ms, false);
	}
	fclose(f);
	/* sockets seen before and not now: gone */
	for (i = 0; i < m->nsev; i++) {
		int j, lp = m->sev[i].lport;
		bool seen = false;

		if (lr_imp_sock_last(m, lp) != &m->sev[i] || m->sev[i].gone)
			continue;
		for (j = 0; j < n; j++)
			seen |= lports[j] == lp;
		if (!seen)
			add_ev(m, t, lp, m->sev[i].state, m->sev[i].retr, m->sev[i].rto_ms, true);
	}
	m->t_sample = t;
}

int lr_imp_retrans(const struct lr_imp *m, int lport, int state, double *at, double *prev,
		   int max)
{
	int i, n = 0, last = -1;

	for (i = 0; i < m->nsev; i++) {
		const struct lr_sock_ev *e = &m->sev[i];

		if (e->lport != lport || e->gone)
			continue;
		if (e->state == state && last >= 0 && e->retr > last && n < max) {
			if (prev)
				prev[n] = e->t_prev;
			at[n++] = e->t;
		}
		last = e->retr;
	}
	return n;
}
