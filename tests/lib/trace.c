// SPDX-License-Identifier: GPL-2.0
/* trace.c: the kernel-log trace of one test, its waits and its rpc_debug readers (trace.h). */
#include "impair.h"

#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
