// SPDX-License-Identifier: GPL-2.0
/*
 * dmesg.c: kernel-log health of both guests. See dmesg.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lr.h"

/*
 * What "the kernel is unhappy" means for us. Labels are short so a KTAP diagnostic says
 * which rule fired. The lockd strings are its error printks (fs/lockd/) and the
 * sunrpc major-timeout messages (net/sunrpc/clnt.c: "<prog>: server X not responding,
 * still trying|timed out", then "<prog>: server X OK"). Plain "lockd:" is not enough:
 * lr.debug=1 makes lockd print hundreds of harmless dprintk lines.
 */
static const struct {
	const char *label, *ere;
} lr_bad[] = {
	{ "oops",	"Oops|general protection fault|kernel BUG|BUG:|Kernel panic" },
	{ "warn",	"WARNING:|------------\\[ cut here \\]------------" },
	{ "hung task",	"blocked for more than [0-9]+ seconds|INFO: task .* blocked|hung_task" },
	{ "lockup",	"soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO:" },
	{ "not responding", "server .* not responding" },
	{ "server OK",	"^(lockd|nfs|statd|rpcbind|portmap): server [^ ]+ OK$" },
	{ "lockd error", "lockd(_up)?: (cannot|couldn't|failed|unable|unexpected|unhandled|"
			 "weird|rejected|attempt|unlock failure|grant for unknown|"
			 "notification for unknown|create service failed)" },
	{ "lockd error", "VFS is out of sync with lock manager" },
};

/* a dmesg line's text after its "[   12.345678] " stamp */
static const char *after_stamp(const char *line)
{
	const char *p = strchr(line, ']');

	return p ? p + 1 + (p[1] == ' ') : line;
}

const char *lr_dmesg_bad(const char *line)
{
	static regex_t re[sizeof(lr_bad) / sizeof(lr_bad[0])];
	static int ready;
	size_t i;

	if (!ready) {
		for (i = 0; i < sizeof(lr_bad) / sizeof(lr_bad[0]); i++)
			if (regcomp(&re[i], lr_bad[i].ere, REG_EXTENDED | REG_NOSUB))
				abort();	/* a broken table is a bug; the unit test sees it */
		ready = 1;
	}
	/* dmesg text (the server's, through the agent) starts with "[   12.345678] " */
	if (lr_dmesg_ts(line) >= 0)
		line = after_stamp(line);
	for (i = 0; i < sizeof(lr_bad) / sizeof(lr_bad[0]); i++)
		if (!regexec(&re[i], line, 0, NULL, 0))
			return lr_bad[i].label;
	return NULL;
}

double lr_dmesg_ts(const char *line)
{
	char *end;
	double t;

	if (line[0] != '[')
		return -1;
	line++;
	while (*line == ' ')
		line++;
	if (!isdigit((unsigned char)*line))
		return -1;
	t = strtod(line, &end);
	if (*end != ']')
		return -1;
	return t;
}

double lr_dmesg_last_ts(const char *text)
{
	const char *p = text;
	double t, last = 0;

	while (p && *p) {
		t = lr_dmesg_ts(p);
		if (t >= 0)
			last = t;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return last;
}

int lr_dmesg_mark(struct lr_dmesg_mark *m)
{
	char *d;

	m->kmsg_fd = lr_kmsg_open();
	m->client_allow = m->server_allow = NULL;
	d = lr_server_dmesg();
	m->server_ok = d != NULL;
	m->server_ts = d ? lr_dmesg_last_ts(d) : 0;
	free(d);
	return m->kmsg_fd < 0 || !m->server_ok ? -1 : 0;
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + l, size - l, fmt, ap);
	va_end(ap);
}


int lr_dmesg_check(struct lr_dmesg_mark *m, char *report, size_t size)
{
	char line[1024], *d, *p, *nl;
	const char *why;
	int bad = 0, err = 0, r;

	report[0] = '\0';
	if (m->kmsg_fd < 0) {
		appendf(report, size, "client: /dev/kmsg could not be read\n");
		err = 1;
	} else {
		while ((r = lr_kmsg_read(m->kmsg_fd, line, sizeof(line), NULL)) == 1) {
			why = lr_dmesg_bad(line);
			if (why && m->client_allow && lr_re_match(m->client_allow, line))
				why = NULL;
			if (why) {
				appendf(report, size, "client: [%s] %s\n", why, line);
				bad++;
			}
		}
		if (r < 0) {
			appendf(report, size, "client: /dev/kmsg read error: %s\n", strerror(errno));
			err = 1;
		}
		close(m->kmsg_fd);
		m->kmsg_fd = -1;
	}
	d = m->server_ok ? lr_server_dmesg() : NULL;
	if (!d) {
		appendf(report, size, "server: dmesg could not be read through the agent\n");
		err = 1;
	}
	for (p = d; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		/* strictly after the mark: the line at the mark was there before the test */
		if (lr_dmesg_ts(p) <= m->server_ts)
			continue;
		why = lr_dmesg_bad(p);
		if (why && m->server_allow && lr_re_match(m->server_allow, after_stamp(p)))
			why = NULL;
		if (why) {
			appendf(report, size, "server: [%s] %s\n", why, p);
			bad++;
		}
	}
	free(d);
	return err ? -1 : bad;
}

int lr_server_lines(double after, const char *ere, double *ts, char (*text)[LR_LINE_MAX],
		    int max)
{
	char *d = lr_server_dmesg(), *p, *nl;
	int n = 0;

	if (!d)
		return -1;
	for (p = d; *p && n < max; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (lr_dmesg_ts(p) <= after || !lr_re_match(ere, after_stamp(p)))
			continue;
		ts[n] = lr_dmesg_ts(p);
		if (text)
			snprintf(text[n], LR_LINE_MAX, "%s", after_stamp(p));
		n++;
	}
	free(d);
	return n;
}
