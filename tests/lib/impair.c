// SPDX-License-Identifier: GPL-2.0
/* impair.c: the impairment test's state, its start and the impairment itself (impair.h). */
#include "impair.h"
#include "phase.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* sunrpc program and version of the server's lockd */
#define NLM_PROGRAM	100021
#define NLM_VERS4	4

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
		snprintf(err, size, "timing parameters from /proc: %s", strerror(-rc));
		return -1;
	}
	/* CONFIG_HZ is not in /proc: vm/run.sh passes the guest kernel's (lr.hz=) */
	if (hz && atoi(hz) > 0)
		m->p.hz = atoi(hz);
	else
		snprintf(m->note, sizeof(m->note), "LR_HZ unset: the model assumes HZ=%u; ", m->p.hz);
	snprintf(m->server, sizeof(m->server), "%s", lr_server_ip());
	if (lr_server("rpcinfo", &out) != 0 || !out) {
		snprintf(err, size, "the server's rpcinfo through its agent %s failed", lr_mserver());
		free(out);
		return -1;
	}
	m->lockd_port = lr_rpcinfo_port(out, NLM_PROGRAM, NLM_VERS4, "tcp");
	free(out);
	if (m->lockd_port <= 0) {
		snprintf(err, size, "the server has no nlockmgr v4 over TCP in rpcbind");
		return -1;
	}
	m->kmsg = lr_kmsg_open();
	if (m->kmsg < 0) {
		snprintf(err, size, "/dev/kmsg: %s", strerror(errno));
		return -1;
	}
	if (kmsg_calibrate(m)) {
		snprintf(err, size, "cannot place a marker in the kernel log: %s", strerror(errno));
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
	m->t_switched = lr_now();
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

int lr_server_clockmark(struct lr_clockmark *mk)
{
	char *out = NULL;
	int rc;

	mk->before = lr_now();
	rc = lr_server("uptime", &out);
	mk->after = lr_now();
	rc = rc == 0 && out && sscanf(out, "%lf", &mk->other) == 1 ? 0 : -1;
	free(out);
	return rc;
}
