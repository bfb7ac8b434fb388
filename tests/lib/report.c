// SPDX-License-Identifier: GPL-2.0
/* report.c: the seed's three questions answered from timings.json (report.h). */
#include "report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- a reader for the JSON lr_imp_report() writes: strings, numbers, null ---- */

static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* a JSON string at p ('"' first) into buf; the character after it, or NULL */
static const char *get_str(const char *p, char *buf, size_t size)
{
	size_t n = 0;

	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		char c = *p;

		if (c == '\\' && p[1]) {
			p++;
			c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
			if (*p == 'u' && strlen(p) >= 5) {	/* \u00XX: control characters */
				c = (char)strtol((char[]){ p[3], p[4], 0 }, NULL, 16);
				p += 4;
			}
		}
		if (n + 1 < size)
			buf[n++] = c;
	}
	if (size)
		buf[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

/* the value of "key" in the object text [p, end): pointer to its first character */
static const char *find_key(const char *p, const char *end, const char *key)
{
	char pat[80];
	const char *q;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	q = strstr(p, pat);
	if (!q || (end && q >= end))
		return NULL;
	return skip_ws(q + strlen(pat));
}

static void str_of(const char *p, const char *end, const char *key, char *buf, size_t size)
{
	const char *v = find_key(p, end, key);

	buf[0] = '\0';
	if (v)
		get_str(v, buf, size);
}

/* a number (or null: false) */
static bool num_of(const char *p, const char *end, const char *key, double *d)
{
	const char *v = find_key(p, end, key);
	char *e;

	if (!v || !strncmp(v, "null", 4))
		return false;
	*d = strtod(v, &e);
	return e != v;
}

/* the end of the object or array that starts at p ('{' or '['), strings skipped */
static const char *match_close(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return NULL;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p;
		}
	}
	return NULL;
}

int lr_rep_parse(const char *line, struct lr_rep_test *t)
{
	const char *p = skip_ws(line), *params, *pend, *mom, *mend, *o, *oend;
	double d;

	memset(t->test, 0, sizeof(t->test));
	t->nmom = 0;
	if (*p != '{' || !match_close(p))
		return -1;
	/* the moments first: their "what"/"why" must not be taken for the test's keys */
	mom = find_key(p, NULL, "moments");
	mend = mom && *mom == '[' ? match_close(mom) : NULL;
	params = find_key(p, mom, "params");
	pend = params && *params == '{' ? match_close(params) : NULL;

	str_of(p, mom, "test", t->test, sizeof(t->test));
	str_of(p, mom, "scenario", t->scenario, sizeof(t->scenario));
	str_of(p, mom, "kernel", t->kernel, sizeof(t->kernel));
	str_of(p, mom, "profile", t->profile, sizeof(t->profile));
	if (!t->test[0])
		return -1;
	if (pend) {
		str_of(params, pend, "rules", t->rules, sizeof(t->rules));
		if (num_of(params, pend, "nlm_timeout", &d))
			t->nlm_timeout = (unsigned int)d;
		if (num_of(params, pend, "hz", &d))
			t->hz = (unsigned int)d;
		if (num_of(params, pend, "tcp_syn_retries", &d))
			t->syn_retries = (unsigned int)d;
		if (num_of(params, pend, "tcp_syn_linear_timeouts", &d))
			t->syn_linear = (unsigned int)d;
	}
	for (o = mend ? skip_ws(mom + 1) : NULL; o && o < mend && *o == '{';
	     o = skip_ws(oend + 1 + (oend[1] == ','))) {
		struct lr_rep_moment *m = &t->mom[t->nmom];

		oend = match_close(o);
		if (!oend || t->nmom >= LR_REP_MOMENTS)
			break;
		memset(m, 0, sizeof(*m));
		str_of(o, oend, "what", m->what, sizeof(m->what));
		str_of(o, oend, "from", m->from, sizeof(m->from));
		str_of(o, oend, "why", m->why, sizeof(m->why));
		m->has_expect = num_of(o, oend, "expect_s", &m->expect);
		num_of(o, oend, "lo_s", &m->lo);
		num_of(o, oend, "hi_s", &m->hi);
		m->has_measured = num_of(o, oend, "measured_s", &m->measured);
		t->nmom++;
	}
	return 0;
}

const char *lr_rep_request(const char *test)
{
	static const struct { const char *test, *req; } map[] = {
		{ "lock", "LOCK (F_SETLKW, block)" },
		{ "setlk", "LOCK (F_SETLK, no block)" },
		{ "getlk", "TEST (F_GETLK)" },
		{ "unlock", "UNLOCK (F_UNLCK)" },
		{ "getlk_behind_lock", "TEST queued behind a stalled LOCK" },
		{ "unlock_behind_lock", "UNLOCK queued behind a stalled LOCK" },
		{ "kill_setlkw", "CANCEL (async, sent when the F_SETLKW waiter is killed)" },
		{ "kill_setlk", "UNLOCK (async, sent when the F_SETLK caller is killed)" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].test, test))
			return map[i].req;
	return test;
}

/* "18.17 s (model 18.00 [17.50, 19.77])" for the first moment whose name contains key */
static void cell(char *buf, size_t size, const struct lr_rep_test *t, const char *key)
{
	size_t l = 0;
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->nmom; i++) {
		const struct lr_rep_moment *m = &t->mom[i];

		if (!strstr(m->what, key) || strstr(m->what, "returned"))
			continue;
		l = strlen(buf);
		if (!m->has_measured)
			snprintf(buf + l, size - l, "%snot seen", n ? "; " : "");
		else
			snprintf(buf + l, size - l, "%s%.2f s", n ? "; " : "", m->measured);
		l = strlen(buf);
		if (m->has_expect)
			snprintf(buf + l, size - l, " (model %.2f [%.2f, %.2f])", m->expect, m->lo,
				 m->hi);
		n++;
	}
	if (!n)
		snprintf(buf, size, "no");
}

static bool is_retrans(const char *what)
{
	return strstr(what, "re-sends") || strstr(what, "retransmissions") ||
	       strstr(what, "transmission") || strstr(what, "new connection") ||
	       strstr(what, "FIN (idle") || strstr(what, "sent");
}

/* a moment of t by name, or NULL */
static const struct lr_rep_moment *moment(const struct lr_rep_test *t, const char *what)
{
	int i;

	for (i = 0; i < t->nmom; i++)
		if (!strcmp(t->mom[i].what, what))
			return &t->mom[i];
	return NULL;
}

static double meas(const struct lr_rep_test *t, const char *what)
{
	const struct lr_rep_moment *m = moment(t, what);

	return m && m->has_measured ? m->measured : -1;
}

/*
 * The customer's captures beside ours (../shared/docs/SCENARIOS.md and the seed's packet
 * tables): 0622 FIN 22:53:13.64, LOCK ~22:54:38, still trying 22:55:38, SYN from the same
 * port 871 22:56:17.96 (FIN + 184.3 s), OK 22:56:18; FIN retransmissions of 0825 at
 * +0.22, 0.44, 0.87, 1.76, 3.52, 6.96, 14.09, 28.16, 55.68, 112.64 s. 0619: SYN to 111 at
 * 02:21:34.14, SYN/SYN-ACK retransmitted, still trying 02:22:38 (~64 s later).
 */
static void beside_seed(FILE *out, const struct lr_rep_test *t)
{
	const struct lr_rep_moment *fr = moment(t, "FIN retransmissions seen");
	const struct lr_rep_moment *nc = moment(t, "new connection");
	const struct lr_rep_moment *syn = moment(t, "SYN retransmissions");
	double fin = meas(t, "FIN (idle close)"), tr = meas(t, "still trying");

	if (!strcmp(t->scenario, "fin-blackhole")) {
		fprintf(out, "- %s (%s): customer 0622/0825: FIN after 5 min idle, FIN "
			"retransmissions +0.22, 0.44, 0.87, 1.76, 3.52, 6.96, 14.09, 28.16, 55.68, "
			"112.64 s; `still trying` 60 s after the LOCK; new SYN from the same port "
			"FIN + 184.3 s, at once SYN-ACK, LOCK, reply, `OK`. Ours: FIN %.1f s after "
			"the last use; FIN retransmissions (model/measured) %s; `still trying` %.2f s "
			"after the LOCK; new connection %.2f s after the LOCK, %s. Match: the order of "
			"events, the doubling FIN schedule, the stall until the old socket dies, the "
			"port reuse. Differs: our server still holds the old connection (it never "
			"saw the FIN) and answers the SYN with a challenge ACK before the handshake "
			"(see timeline.txt); the customer's server answered with a SYN-ACK at once.\n",
			t->casename, t->kernel, fin, fr ? fr->why : "-", tr,
			nc && nc->has_measured ? nc->measured : -1.0,
			nc ? nc->why : "port not seen");
	} else if (!strcmp(t->scenario, "portmap-synack-lost")) {
		fprintf(out, "- %s (%s): customer 0619: SYN to 111, SYN-ACK, no final ACK, both "
			"retransmitted for about a minute, `still trying` ~64 s after the first SYN. "
			"Ours: SYN retransmissions (model/measured s after the first SYN) %s; "
			"`still trying` %.2f s after the LOCK; SYN-ACKs visible in capture.pcap "
			"(dropped in the client's input hook). Differs where the kernel's TCP does: "
			"tcp_syn_linear_timeouts (mainline) retransmits at 1 s steps first; the "
			"customer's 4.19 doubles from 1 s.\n", t->casename, t->kernel,
			syn ? syn->why : "-", tr);
	}
}

void lr_rep_answers(FILE *out, const struct lr_rep_test *t, int n)
{
	char trying[256], ok[256];
	const struct lr_rep_test *p = NULL;
	int i, j;

	for (i = 0; i < n && !p; i++)
		if (t[i].nlm_timeout)
			p = &t[i];
	if (!p)
		return;
	fprintf(out, "\n## %s (%s, profile %s): the seed's three questions\n\n", t[0].kdir,
		p->kernel, p->profile);
	fprintf(out, "**1. Which NLM requests print the lockd messages, and when.** Seconds "
		"after the call for `still trying`; for `OK`, after the impairment was lifted "
		"(svc-sleep, link-down, portmap) or after the call (fin-blackhole). `timed out`: "
		"asserted absent by every case (hard mount: only soft RPC tasks print it).\n\n");
	fprintf(out, "| case | request | `still trying` | `OK` | verdict |\n|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		cell(trying, sizeof(trying), &t[i], "still trying");
		cell(ok, sizeof(ok), &t[i], "OK");
		fprintf(out, "| %s | %s | %s | %s | %s |\n", t[i].casename,
			lr_rep_request(t[i].test), trying, ok, t[i].verdict);
	}
	fprintf(out, "\n**2. Which timeout parameters apply.** Read in the guest: nlm_timeout "
		"%u s, so lockd's RPC client (fs/lockd/host.c nlm_bind_host()) has to_initval = "
		"to_increment = %u s, to_maxval = %u s, 5 retries, linear; its first major "
		"timeout, the `still trying`, is %u s after the call under the %s sunrpc rules "
		"(4.19: %u s when the call itself had to connect). HZ %u. TCP: "
		"tcp_syn_retries %u, tcp_syn_linear_timeouts %u. Not tunable: the idle close "
		"XS_IDLE_DISC_TO 300 s, the transport's TCP_USER_TIMEOUT 180 s, XS_BIND_TO 60 s. "
		"Rules and sources: docs/timing-model.md.\n",
		p->nlm_timeout, p->nlm_timeout, 6 * p->nlm_timeout, 6 * p->nlm_timeout,
		p->rules, 9 * p->nlm_timeout, p->hz, p->syn_retries, p->syn_linear);
	for (i = 0, j = 0; i < n; i++) {
		if (strcmp(t[i].scenario, "fin-blackhole") &&
		    strcmp(t[i].scenario, "portmap-synack-lost"))
			continue;
		if (!j++)
			fprintf(out, "\n**The customer's captures beside ours:**\n\n");
		beside_seed(out, &t[i]);
	}
	fprintf(out, "\n**3. How retransmission works** (measured; model/measured pairs are in "
		"seconds):\n\n");
	for (i = 0; i < n; i++)
		for (j = 0; j < t[i].nmom; j++) {
			const struct lr_rep_moment *m = &t[i].mom[j];

			if (!is_retrans(m->what))
				continue;
			if (m->has_measured && !strcmp(m->why, "measured only"))
				fprintf(out, "- %s: %s %.2f s after %s\n", t[i].casename, m->what,
					m->measured, m->from);
			else if (m->has_measured && m->has_expect)
				fprintf(out, "- %s: %s %.2f s after %s (model %.2f)\n",
					t[i].casename, m->what, m->measured, m->from, m->expect);
			else
				fprintf(out, "- %s: %s: %s\n", t[i].casename, m->what, m->why);
		}
}
