// SPDX-License-Identifier: GPL-2.0
/* impair.c: the shared steps of every impairment test (impair.h). */
#include "impair.h"
#include "ops.h"
#include "phase.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <math.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* include/uapi/linux/sunrpc/debug.h: XPRT (xprt.c), CALL (clnt.c), SCHED (sched.c: 4.19's
 * "setting alarm"), TRANS (xprtsock.c: "xs_tcp_send_request", connects). Mainline moved
 * most of clnt.c/sched.c to tracepoints; its xprtsock.c lines remain. */
#define LR_RPC_DEBUG	0x00c3
/* include/linux/lockd/debug.h: NLMDBG_CLIENT (clntproc.c: "call procedure N on host"),
 * NLMDBG_HOSTCACHE (host.c: binding, rebind) */
#define LR_NLM_DEBUG	0x0082
/* sunrpc program and version of the server's lockd */
#define NLM_PROGRAM	100021
#define NLM_VERS4	4

static void setf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

int lr_rpcinfo_port(const char *text, unsigned long prog, unsigned int vers,
		    const char *proto)
{
	const char *l = text;
	unsigned long pr;
	unsigned int v;
	char pt[16];
	int port;

	while (l && *l) {
		if (sscanf(l, "%lu %u %15s %d", &pr, &v, pt, &port) == 4 && pr == prog &&
		    v == vers && !strcmp(pt, proto))
			return port;
		l = strchr(l, '\n');
		if (l)
			l++;
	}
	return -1;
}

/*
 * The offset between kmsg stamps and lr_now(): write a marker record between two
 * lr_now() readings and read its stamp back. The stamp is taken inside the write, so the
 * offset is known to half the write's duration (microseconds).
 */
static int kmsg_calibrate(struct lr_imp *m)
{
	unsigned long long us;
	char mark[64], line[256];
	double t0, t1, deadline;
	int fd, r;

	/* the newline ends the record: without it printk keeps it open for a continuation
	 * and readers see it only when the next record arrives */
	snprintf(mark, sizeof(mark), "<7>lr: clock mark %d\n", (int)getpid());
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	t0 = lr_now();
	r = write(fd, mark, strlen(mark));
	t1 = lr_now();
	close(fd);
	if (r < 0)
		return -1;
	deadline = lr_now() + 5;
	while (lr_now() < deadline) {
		r = lr_kmsg_read(m->kmsg, line, sizeof(line), &us);
		if (r < 0)
			return -1;
		if (r == 1 && !strncmp(line, mark + 3, strlen(mark + 3) - 1)) {
			m->kmsg_off = us / 1e6 - (t0 + t1) / 2;
			return 0;
		}
		if (r == 0)
			poll(&(struct pollfd){ .fd = m->kmsg, .events = POLLIN }, 1, 10);
	}
	errno = ETIMEDOUT;
	return -1;
}

int lr_imp_init(struct lr_imp *m, enum lr_scenario sc, const char *test, char *err,
		size_t size)
{
	const char *hz = getenv("LR_HZ");
	char *out = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	m->sc = sc;
	m->test = test;
	m->kmsg = -1;
	m->rpc_debug0 = m->nlm_debug0 = -1;
	m->tick_rate = -1;
	if (lr_tick_mark(&m->tick0))
		m->tick0.cs = -1;
	rc = lr_timing_read_params(&m->p, "/proc");
	if (rc) {
		setf(err, size, "timing parameters from /proc: %s", strerror(-rc));
		return -1;
	}
	/* CONFIG_HZ is not in /proc: vm/run.sh passes the guest kernel's (lr.hz=) */
	if (hz && atoi(hz) > 0)
		m->p.hz = atoi(hz);
	else
		setf(m->note, sizeof(m->note), "LR_HZ unset: the model assumes HZ=%u; ", m->p.hz);
	snprintf(m->server, sizeof(m->server), "%s", lr_server_ip());
	if (lr_server("rpcinfo", &out) != 0 || !out) {
		setf(err, size, "the server's rpcinfo through its agent %s failed", lr_mserver());
		free(out);
		return -1;
	}
	m->lockd_port = lr_rpcinfo_port(out, NLM_PROGRAM, NLM_VERS4, "tcp");
	free(out);
	if (m->lockd_port <= 0) {
		setf(err, size, "the server has no nlockmgr v4 over TCP in rpcbind");
		return -1;
	}
	m->kmsg = lr_kmsg_open();
	if (m->kmsg < 0) {
		setf(err, size, "/dev/kmsg: %s", strerror(errno));
		return -1;
	}
	if (kmsg_calibrate(m)) {
		setf(err, size, "cannot place a marker in the kernel log: %s", strerror(errno));
		return -1;
	}
	return 0;
}

double lr_imp_tick_rate(struct lr_imp *m)
{
	struct lr_tickmark now;

	m->tick_rate = lr_tick_mark(&now) ? -1 : lr_tick_rate(&m->tick0, &now);
	return m->tick_rate;
}

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

#define TCP_ESTABLISHED_ST	1	/* include/net/tcp_states.h */
#define TCP_TIME_WAIT_ST	6

int lr_lockd_conns(const struct lr_imp *m)
{
	struct tcp_ent e[16];
	int i, n = lockd_sockets(m, e, 16), est = 0;

	for (i = 0; i < n && i < 16; i++)
		est += e[i].state == TCP_ESTABLISHED_ST;
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
		if (e[i].state != TCP_TIME_WAIT_ST)
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
		setf(err, size, "probe lock through %s: %s", path2, strerror(-rc));
		return -1;
	}
	n = lockd_sockets(m, e, 16);
	if (n < 0) {
		setf(err, size, "/proc/net/tcp: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n && i < 16; i++) {
		if (e[i].state != TCP_ESTABLISHED_ST)
			continue;
		rc = lr_sock_destroy(e[i].src, e[i].sport, m->server, m->lockd_port);
		if (rc) {
			setf(err, size, "SOCK_DESTROY %s:%d -> %s:%d: %s (CONFIG_INET_DIAG_DESTROY?)",
			     e[i].src, e[i].sport, m->server, m->lockd_port, strerror(-rc));
			return -1;
		}
	}
	/* the transport releases its socket from a work item: wait for it to go */
	if (!lr_wait_until(no_lockd_socket, m, 10)) {
		setf(err, size, "the client's lockd socket to %s:%d did not go away",
		     m->server, m->lockd_port);
		return -1;
	}
	return 0;
}

/* ---- the kernel log and the trace ---- */

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	int ok;

	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int lr_imp_trace_start(struct lr_imp *m)
{
	if (!m->tracing) {
		if (lr_read_long("/proc/sys/sunrpc/rpc_debug", &m->rpc_debug0) ||
		    lr_read_long("/proc/sys/sunrpc/nlm_debug", &m->nlm_debug0))
			return -1;
	}
	if (write_long("/proc/sys/sunrpc/rpc_debug", LR_RPC_DEBUG | m->rpc_debug0) ||
	    write_long("/proc/sys/sunrpc/nlm_debug", LR_NLM_DEBUG | m->nlm_debug0))
		return -1;
	m->tracing = true;
	return 0;
}

void lr_imp_trace_stop(struct lr_imp *m)
{
	if (!m->tracing)
		return;
	lr_imp_drain(m);
	write_long("/proc/sys/sunrpc/rpc_debug", m->rpc_debug0);
	write_long("/proc/sys/sunrpc/nlm_debug", m->nlm_debug0);
	m->tracing = false;
}

static void keep(struct lr_imp *m, double t, const char *text)
{
	struct lr_trace_rec *r;
	size_t n;

	/* without rpc_debug only the lockd lines matter; a full trace keeps its start */
	if (!m->tracing && strncmp(text, "lockd:", 6))
		return;
	/* the last hundred places are for lockd's own lines: the waits look them up here */
	if (m->ntrace >= LR_TRACE_MAX - 100 && strncmp(text, "lockd:", 6))
		return;
	if (m->ntrace >= LR_TRACE_MAX)
		return;
	r = &m->trace[m->ntrace++];
	r->t = t;
	n = strnlen(text, sizeof(r->text) - 1);
	memcpy(r->text, text, n);
	r->text[n] = '\0';
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
	if (m->nsev < LR_SOCK_EV_MAX)
		m->sev[m->nsev++] = (struct lr_sock_ev){ t, lport, state, retr, rto_ms, gone };
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
}

int lr_imp_retrans(const struct lr_imp *m, int lport, int state, double *at, int max)
{
	int i, n = 0, prev = -1;

	for (i = 0; i < m->nsev; i++) {
		const struct lr_sock_ev *e = &m->sev[i];

		if (e->lport != lport || e->gone)
			continue;
		if (e->state == state && prev >= 0 && e->retr > prev && n < max)
			at[n++] = e->t;
		prev = e->retr;
	}
	return n;
}

int lr_imp_wait(struct lr_imp *m, const char *ere, double deadline, double *ts)
{
	struct pollfd pfd = { .fd = m->kmsg, .events = POLLIN };
	unsigned long long us;
	char line[1024];
	int r, left, tick;

	for (;;) {
		lr_imp_sample(m);
		r = lr_kmsg_read(m->kmsg, line, sizeof(line), &us);
		if (r < 0)
			return -1;
		if (r == 1) {
			keep(m, us / 1e6 - m->kmsg_off, line);
			if (ere && lr_re_match(ere, line)) {
				if (ts)
					*ts = us / 1e6 - m->kmsg_off;
				return 1;
			}
			continue;
		}
		left = (int)((deadline - lr_now()) * 1000);
		if (left <= 0)
			return 0;
		tick = m->watch_port > 0 ? (int)(LR_SAMPLE_S * 1000) : 100;
		if (poll(&pfd, 1, left > tick ? tick : left) < 0 && errno != EINTR)
			return -1;
	}
}

void lr_imp_drain(struct lr_imp *m)
{
	lr_imp_wait(m, NULL, 0, NULL);
}

/* the nth trace record matching ere at or after t0: its stamp, or -1 */
static double nth_in_trace(const struct lr_imp *m, const char *ere, double t0, int nth)
{
	int i, n = 0;

	for (i = 0; i < m->ntrace; i++)
		if (m->trace[i].t >= t0 && lr_re_match(ere, m->trace[i].text) && ++n == nth)
			return m->trace[i].t;
	return -1;
}

int lr_imp_wait_nth(struct lr_imp *m, const char *ere, double since, int nth, double deadline,
		    double *ts)
{
	double t;
	int r;

	for (;;) {
		t = nth_in_trace(m, ere, since, nth);
		if (t >= 0) {
			*ts = t;
			return 1;
		}
		r = lr_imp_wait(m, ere, deadline, NULL);
		if (r <= 0)
			return r;
	}
}

int lr_imp_count(const struct lr_imp *m, const char *ere, double t0, double *first)
{
	int i, n = 0;

	for (i = 0; i < m->ntrace; i++) {
		if (m->trace[i].t < t0 || !lr_re_match(ere, m->trace[i].text))
			continue;
		if (!n && first)
			*first = m->trace[i].t;
		n++;
	}
	return n;
}

/* "^lockd: server <name> <tail>$", the name's dots escaped */
const char *lr_lockd_re(char *buf, size_t size, const char *name, const char *tail)
{
	char esc[80], *o = esc;
	const char *s;

	for (s = name; *s && o < esc + sizeof(esc) - 3; s++) {
		if (*s == '.')
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	snprintf(buf, size, "^lockd: server %s %s$", esc, tail);
	return buf;
}

const char *lr_imp_re_trying(const struct lr_imp *m)
{
	static char b[128];

	return lr_lockd_re(b, sizeof(b), m->server, "not responding, still trying");
}

const char *lr_imp_re_timedout(const struct lr_imp *m)
{
	static char b[128];

	return lr_lockd_re(b, sizeof(b), m->server, "not responding, timed out");
}

const char *lr_imp_re_ok(const struct lr_imp *m)
{
	static char b[128];

	return lr_lockd_re(b, sizeof(b), m->server, "OK");
}

/* ---- moments ---- */

bool lr_imp_moment(struct lr_imp *m, const char *what, const char *ref, double expect,
		   double lo, double hi, double measured, const char *why)
{
	struct lr_moment *o;
	bool in = expect < 0 || (measured >= lo && measured <= hi);

	if (m->nmom < LR_MOMENTS_MAX) {
		o = &m->mom[m->nmom++];
		*o = (struct lr_moment){ what, ref, expect, lo, hi, measured, "", true };
		snprintf(o->why, sizeof(o->why), "%s", why ? why : "");
	}
	return in;
}

void lr_imp_measured(struct lr_imp *m, const char *what, const char *ref, double measured,
		     const char *why)
{
	int n = m->nmom;

	lr_imp_moment(m, what, ref, -1, 0, 0, measured, why);
	if (m->nmom > n)
		m->mom[n].checked = false;
}

bool lr_imp_window(struct lr_imp *m, const char *what, const struct lr_window *w,
		   double measured)
{
	return lr_imp_moment(m, what, w->ref, w->expect / 1e3, w->lo / 1e3, w->hi / 1e3,
			     measured, w->why);
}

int lr_trace_connects(const struct lr_trace_rec *rec, int n, double since, int port,
		      int *lport, int max)
{
	const char *p;
	int i, bound = -1, k = 0, dport;

	for (i = 0; i < n && k < max; i++) {
		if ((p = strstr(rec[i].text, "xs_bind ")) && strstr(p, ": ok (0)")) {
			p = strchr(p + 8, ':');
			bound = p ? atoi(p + 1) : -1;
			continue;
		}
		p = strstr(rec[i].text, "worker connecting xprt ");
		if (!p || !(p = strstr(p, "(port ")) || sscanf(p, "(port %d)", &dport) != 1)
			continue;
		if (dport == port && bound > 0 && rec[i].t >= since)
			lport[k++] = bound;
		bound = -1;
	}
	return k;
}

/* ---- transmissions ---- */

int lr_imp_sends(const struct lr_imp *m, int proc, double t_call, double t_end, double *at,
		 int max, unsigned int *len)
{
	unsigned int l, want = 0;
	const char *p;
	char ere[64];
	bool called = proc < 0, bind = false;
	int i, st, n = 0;

	snprintf(ere, sizeof(ere), "^lockd: call procedure %d on ", proc);
	for (i = 0; i < m->ntrace; i++) {
		const struct lr_trace_rec *r = &m->trace[i];

		/* stamps are a jiffy coarse where sched_clock runs on jiffies (mainline under
		 * TCG): a record of the call may carry a stamp just before it */
		if (r->t < t_call - 2.0 / m->p.hz || r->t > t_end)
			continue;
		if (!called) {
			called = lr_re_match(ere, r->text);
			continue;
		}
		/* an rpcbind query (after a major timeout's rebind) has its own transport to
		 * port 111, set up before and destroyed after it: not our request */
		if (strstr(r->text, "set up xprt to ") && strstr(r->text, " (port 111) "))
			bind = true;
		if (strstr(r->text, "setting port for xprt") || strstr(r->text, "xs_destroy xprt"))
			bind = false;
		if (bind)
			continue;
		p = strstr(r->text, "xs_tcp_send_request(");
		if (!p || sscanf(p, "xs_tcp_send_request(%u) = %d", &l, &st) != 2 || st)
			continue;
		if (!want)
			want = l;
		if (l != want)
			continue;
		if (n < max)
			at[n] = r->t - t_call;
		n++;
	}
	if (len)
		*len = want;
	return n < max ? n : max;
}

int lr_resend_moments(const struct lr_rpc_sched *s, long *at, int max)
{
	int i, n = 0;

	for (i = 0; i < s->n && n < max; i++)
		at[n++] = s->a[i].at + s->a[i].len;
	return n;
}

/* how late re-send k can be: the wheel slack of every alarm up to it, 1 s for TCG, and
 * 0.5 s for the rpcbind query a major timeout's rpc_force_rebind() puts before it; how
 * early: never, but for the stamps (lr_tol_stamp()) */
#define LR_RESEND_TCG_S		1.0
#define LR_RESEND_REBIND_S	0.5
#define LR_RESEND_MAX		64

int lr_resend_check(const struct lr_params *p, const long *exp, int nexp, const double *got,
		    int ngot, double until_s, char *msg, size_t size)
{
	double slack = 0, lo[LR_RESEND_MAX], hi[LR_RESEND_MAX];
	int i, j, missing = 0, extra = 0, prev = 0;
	size_t l;

	msg[0] = '\0';
	if (nexp > LR_RESEND_MAX)
		nexp = LR_RESEND_MAX;
	for (i = 0; i < nexp; i++) {
		bool found = false;

		slack += lr_timer_slack(p, exp[i] - prev) / 1e3;
		prev = exp[i];
		lo[i] = exp[i] / 1e3 - lr_tol_stamp(p) / 1e3;
		hi[i] = exp[i] / 1e3 + slack + LR_RESEND_TCG_S + LR_RESEND_REBIND_S;
		if (hi[i] > until_s)
			continue;	/* the impairment ended before it was due */
		for (j = 0; j < ngot; j++)
			found |= got[j] >= lo[i] && got[j] <= hi[i];
		l = strlen(msg);
		snprintf(msg + l, size - l, "%s%.1f [%.2f, %.1f]%s", i ? ", " : "expected ",
			 exp[i] / 1e3, lo[i], hi[i], found ? "" : " MISSING");
		missing += !found;
	}
	l = strlen(msg);
	snprintf(msg + l, size - l, "; measured");
	/* two-sided: a re-send no alarm of the model explains is as wrong as a missing one */
	for (j = 0; j < ngot; j++) {
		bool known = false;

		for (i = 0; i < nexp; i++)
			known |= got[j] >= lo[i] && got[j] <= hi[i];
		extra += !known;
		l = strlen(msg);
		snprintf(msg + l, size - l, " %.2f%s", got[j], known ? "" : " EXTRA");
	}
	return missing + extra;
}

/* ---- the report ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("null", f);
	else
		fprintf(f, "%.3f", v);
}

static FILE *out_file(const char *name)
{
	const char *dir = getenv("LR_OUT");
	char path[512];

	if (!dir || !*dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "ae");
}

void lr_imp_report(struct lr_imp *m, double t_ref)
{
	char lin[16];
	struct utsname u;
	char *srel;
	FILE *f;
	int i;

	uname(&u);
	f = out_file("timings.jsonl");
	if (f) {
		fputs("{\"test\": ", f);
		json_str(f, m->test);
		fputs(", \"scenario\": ", f);
		json_str(f, lr_scenario_name(m->sc));
		fputs(", \"kernel\": ", f);
		json_str(f, u.release);
		/* the server's own release: a pair's sides may differ (vm/run.sh) */
		srel = lr_server_release();
		fputs(", \"server_kernel\": ", f);
		json_str(f, srel ? srel : "");
		free(srel);
		fputs(", \"profile\": ", f);
		json_str(f, getenv("LR_PROFILE"));
		snprintf(lin, sizeof(lin), "%u", m->p.tcp_syn_linear_timeouts);
		fprintf(f, ", \"params\": {\"nlm_timeout\": %u, \"hz\": %u, \"tcp_syn_retries\": %u, "
			"\"tcp_syn_linear_timeouts\": %s, \"tcp_retries2\": %u, "
			"\"rules\": \"%s\"}", m->p.nlm_timeout, m->p.hz, m->p.tcp_syn_retries,
			/* null: a kernel without the sysctl (4.19), not a value of 0 */
			access("/proc/sys/net/ipv4/tcp_syn_linear_timeouts", F_OK) ? "null" : lin,
			m->p.tcp_retries2,
			lr_rules(&m->p) == LR_RULES_4_19 ? "4.19" : "mainline");
		fputs(", \"tick_rate\": ", f);
		json_num(f, m->tick_rate < 0 ? NAN : m->tick_rate);
		fprintf(f, ", \"t0_kmsg_s\": %.6f, \"moments\": [", t_ref + m->kmsg_off);
		for (i = 0; i < m->nmom; i++) {
			const struct lr_moment *o = &m->mom[i];

			fputs(i ? ", {\"what\": " : "{\"what\": ", f);
			json_str(f, o->what);
			fputs(", \"from\": ", f);
			json_str(f, o->ref);
			fputs(", \"expect_s\": ", f);
			json_num(f, o->expect < 0 ? NAN : o->expect);
			fputs(", \"lo_s\": ", f);
			json_num(f, o->expect < 0 ? NAN : o->lo);
			fputs(", \"hi_s\": ", f);
			json_num(f, o->expect < 0 ? NAN : o->hi);
			fputs(", \"measured_s\": ", f);
			json_num(f, o->measured < 0 ? NAN : o->measured);
			fputs(", \"why\": ", f);
			json_str(f, o->why);
			fprintf(f, ", \"checked\": %s}", o->checked ? "true" : "false");
		}
		fputs("], \"note\": ", f);
		json_str(f, m->note);
		fputs("}\n", f);
		fclose(f);
	}
	f = out_file("rpc_debug.txt");
	if (f) {
		fprintf(f, "# %s (%s, %s): client kernel log while the test traced "
			"(rpc_debug 0x%x, nlm_debug 0x%x); seconds after the first call, then "
			"the kmsg stamp\n", m->test, lr_scenario_name(m->sc), u.release,
			LR_RPC_DEBUG, LR_NLM_DEBUG);
		for (i = 0; i < m->ntrace; i++)
			fprintf(f, "%+10.3f [%12.6f] %s\n", m->trace[i].t - t_ref,
				m->trace[i].t + m->kmsg_off, m->trace[i].text);
		if (m->ntrace >= LR_TRACE_MAX)
			fprintf(f, "# trace full at %d records: the rest is in dmesg.client\n",
				LR_TRACE_MAX);
		fclose(f);
	}
}

/* ---- the impairment ---- */

/* run "lr-ctl <cmd>" in this guest (rootfs/lr-ctl); its output in *out (may be NULL) */
static int local_ctl(const char *cmd, char **out)
{
	char line[512], buf[4096] = "";
	size_t l = 0;
	FILE *p;
	int st;

	snprintf(line, sizeof(line), "lr-ctl %s 2>&1", cmd);
	p = popen(line, "re");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p) && l + strlen(line) < sizeof(buf)) {
		strcpy(buf + l, line);
		l += strlen(line);
	}
	st = pclose(p);
	if (out)
		*out = strdup(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* the lr-ctl command for m's impairment, verb "on", "off" or "status"; *local: this guest */
static void imp_cmd(const struct lr_imp *m, const char *verb, char *cmd, size_t size,
		    bool *local)
{
	bool on = !strcmp(verb, "on");

	/* the SYN-ACK rules drop in the guest that makes the rpcbind query: the client for
	 * its LOCK or GRANTED_RES, the server for its GRANTED_MSG */
	*local = m->sc == LR_PORTMAP_SYNACK_LOST || m->sc == LR_GRANTED_RES ||
		 m->sc == LR_CUSTOMER_0619;
	switch (m->sc) {
	case LR_SVC_SLEEP:
		snprintf(cmd, size, "svc-sleep %s", verb);
		break;
	case LR_LINK_DOWN:	/* "on" is the link going down */
		snprintf(cmd, size, "link %s", on ? "down" : !strcmp(verb, "off") ? "up" : verb);
		break;
	case LR_FIN_BLACKHOLE:
		if (on)
			snprintf(cmd, size, "fin-blackhole on %d", m->lockd_port);
		else
			snprintf(cmd, size, "fin-blackhole %s", verb);
		break;
	case LR_PORTMAP_SYNACK_LOST:
	case LR_GRANTED_RES:
	case LR_CUSTOMER_0619:
		snprintf(cmd, size, "synack-drop %s%s%s", verb, on ? " " : "", on ? m->server : "");
		break;
	case LR_GRANTED_MSG:
		snprintf(cmd, size, "synack-drop %s%s%s", verb, on ? " " : "",
			 on ? lr_client_ip() : "");
		break;
	default:
		cmd[0] = '\0';
	}
}

static int imp_switch(struct lr_imp *m, bool on, double *t)
{
	char cmd[128];
	bool local;
	int rc;

	imp_cmd(m, on ? "on" : "off", cmd, sizeof(cmd), &local);
	if (!cmd[0]) {
		errno = EINVAL;
		return -1;
	}
	*t = lr_now();
	rc = local ? local_ctl(cmd, NULL) : lr_server(cmd, NULL);
	if (rc)
		return -1;
	m->impaired = on;
	if (on)		/* the first impairment starts the scenario (phase.h) */
		lr_phase_scenario(true);
	return 0;
}

int lr_imp_on(struct lr_imp *m, double *t)
{
	return imp_switch(m, true, t);
}

int lr_imp_off(struct lr_imp *m, double *t)
{
	double now;

	return imp_switch(m, false, t ? t : &now);
}

long lr_imp_dropped(const struct lr_imp *m)
{
	char cmd[128], *out = NULL, *p;
	bool local;
	long n = -1;

	/* "status" lists the nft table with its counter */
	imp_cmd(m, "status", cmd, sizeof(cmd), &local);
	if ((local ? local_ctl(cmd, &out) : lr_server(cmd, &out)) == 0 && out &&
	    (p = strstr(out, "counter packets ")))
		n = strtol(p + strlen("counter packets "), NULL, 10);
	free(out);
	return n;
}
