// SPDX-License-Identifier: GPL-2.0
/* report.c: the seed's three questions answered from timings.json (report.h). */
#include "report.h"
#include "timing.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- timings.json through jansson (the schema: docs/results-schema.md) ---- */

/* a string member of o into buf ("" when absent or not a string) */
static void str_of(const json_t *o, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(buf, size, "%s", s ? s : "");
}

/* a number member of o (null, absent or not a number: false) */
static bool num_of(const json_t *o, const char *key, double *d)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return false;
	*d = json_number_value(v);
	return true;
}

static unsigned int uint_of(const json_t *o, const char *key)
{
	double d = 0;

	return num_of(o, key, &d) && d > 0 ? (unsigned int)d : 0;
}

int lr_rep_from_json(const json_t *o, struct lr_rep_test *t)
{
	const json_t *params, *moms, *mo;
	char srv[48];
	size_t i, len;

	memset(t->test, 0, sizeof(t->test));
	t->nmom = 0;
	if (!json_is_object(o))
		return -1;
	str_of(o, "test", t->test, sizeof(t->test));
	str_of(o, "scenario", t->scenario, sizeof(t->scenario));
	str_of(o, "kernel", t->kernel, sizeof(t->kernel));
	/* a pair's server may run another kernel (vm/run.sh KERNELS=client/server): then
	 * "client/server", as the pair was named */
	str_of(o, "server_kernel", srv, sizeof(srv));
	if (srv[0] && strcmp(srv, t->kernel)) {
		len = strlen(t->kernel);
		snprintf(t->kernel + len, sizeof(t->kernel) - len, "/%s", srv);
	}
	str_of(o, "profile", t->profile, sizeof(t->profile));
	if (!t->test[0])
		return -1;
	t->has_t0 = num_of(o, "t0_kmsg_s", &t->t0_kmsg);
	params = json_object_get(o, "params");
	str_of(params, "rules", t->rules, sizeof(t->rules));
	t->nlm_timeout = uint_of(params, "nlm_timeout");
	t->hz = uint_of(params, "hz");
	t->syn_retries = uint_of(params, "tcp_syn_retries");
	t->syn_linear = uint_of(params, "tcp_syn_linear_timeouts");
	t->syn_linear_absent = json_is_null(json_object_get(params, "tcp_syn_linear_timeouts"));
	moms = json_object_get(o, "moments");
	json_array_foreach(moms, i, mo) {
		struct lr_rep_moment *m = &t->mom[t->nmom];

		if (t->nmom >= LR_REP_MOMENTS)
			break;
		memset(m, 0, sizeof(*m));
		str_of(mo, "what", m->what, sizeof(m->what));
		str_of(mo, "from", m->from, sizeof(m->from));
		str_of(mo, "why", m->why, sizeof(m->why));
		m->has_expect = num_of(mo, "expect_s", &m->expect);
		num_of(mo, "lo_s", &m->lo);
		num_of(mo, "hi_s", &m->hi);
		m->has_measured = num_of(mo, "measured_s", &m->measured);
		/* "checked": false: a moment no assertion looked at (lr_imp_measured()) */
		m->unchecked = json_is_false(json_object_get(mo, "checked"));
		t->nmom++;
	}
	return 0;
}

int lr_rep_parse(const char *text, struct lr_rep_test *t)
{
	json_t *o = json_loads(text, 0, NULL);
	int r = lr_rep_from_json(o, t);

	json_decref(o);
	return r;
}

int lr_rep_load(const char *path, struct lr_rep_test *t, int max, char *err, size_t size)
{
	json_error_t e;
	json_t *a = json_load_file(path, 0, &e), *o;
	size_t i;
	int n = 0;

	if (!a) {
		snprintf(err, size, "%s:%d: %s", path, e.line, e.text);
		return -1;
	}
	if (!json_is_array(a)) {
		snprintf(err, size, "%s: not a JSON array", path);
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, o) {
		if (n >= max)
			break;
		memset(&t[n], 0, sizeof(t[n]));
		if (!lr_rep_from_json(o, &t[n]))
			n++;
	}
	json_decref(a);
	return n;
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
		{ "kill_setlkw", "CANCEL then UNLOCK (async, sent when the F_SETLKW waiter is "
				 "killed)" },
		{ "kill_setlk", "UNLOCK (async, sent when the F_SETLK caller is killed)" },
		{ "sequence", "LOCK, GRANTED_RES, a second LOCK (the customer's 0619 sequence)" },
		{ "granted_res", "GRANTED_RES (soft, the client's lockd answering GRANTED_MSG)" },
		{ "granted_msg", "GRANTED_MSG (soft, the server's grant callback; printed by the "
				 "server)" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].test, test))
			return map[i].req;
	return test;
}


/* ---- helpers over one test's moments ---- */

const struct lr_rep_moment *lr_rep_moment_nth(const struct lr_rep_test *t, const char *what,
					      int n)
{
	int i;

	for (i = 0; i < t->nmom; i++)
		if (!strcmp(t->mom[i].what, what) && !n--)
			return &t->mom[i];
	return NULL;
}

/* a moment of t by name, or NULL */
static const struct lr_rep_moment *moment(const struct lr_rep_test *t, const char *what)
{
	return lr_rep_moment_nth(t, what, 0);
}

static bool seen(const struct lr_rep_moment *m)
{
	return m && m->has_measured;
}

/* "gap a -> b" moments are spans between two lines, not a line after a call */
static bool is_gap(const struct lr_rep_moment *m)
{
	return !strncmp(m->what, "gap ", 4);
}

/* the row's name in lists: its case, or its test when the result file named none */
static const char *row_name(const struct lr_rep_test *t)
{
	return t->casename[0] ? t->casename : t->test;
}

/* "61.02 s after the LOCK call", "not seen" (recorded, measured null) or "not recorded" */
static const char *when(char *buf, size_t size, const struct lr_rep_moment *m)
{
	if (!m)
		snprintf(buf, size, "not recorded");
	else if (!m->has_measured)
		snprintf(buf, size, "not seen");
	else
		snprintf(buf, size, "%.2f s after %s", m->measured, m->from);
	return buf;
}

/* append one item to a "; "-separated list */
static void __attribute__((format(printf, 3, 4)))
add(char *buf, size_t size, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l && l + 2 < size) {
		memcpy(buf + l, "; ", 3);
		l += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + l, size - l, fmt, ap);
	va_end(ap);
}

/* what the moments matched of the customer's capture and what they did not */
static void match_line(FILE *out, const char *match, const char *differ)
{
	fprintf(out, " Match: %s. Differs or not seen: %s.\n",
		*match ? match : "nothing the moments show", *differ ? differ : "nothing");
}

/* "18.17 s (model 18.00 [17.50, 19.77])" for the moments whose name contains key */
static void cell(char *buf, size_t size, const struct lr_rep_test *t, const char *key)
{
	size_t l = 0;
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->nmom; i++) {
		const struct lr_rep_moment *m = &t->mom[i];

		if (!strstr(m->what, key) || strstr(m->what, "returned") || is_gap(m))
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

/*
 * What a test recorded of `timed out`: a measured line, a line asserted absent (the tests
 * write expect and measured null and a why starting "absent"), a line recorded and not
 * seen, or no such moment at all (a test that did not record it says nothing either way).
 */
enum { TO_MEASURED, TO_ABSENT, TO_NOT_SEEN, TO_NONE, TO_KINDS };

static int timedout_kind(const struct lr_rep_test *t)
{
	const struct lr_rep_moment *m = moment(t, "timed out");

	if (!m)
		return TO_NONE;
	if (m->has_measured)
		return TO_MEASURED;
	return strncmp(m->why, "absent", 6) ? TO_NOT_SEEN : TO_ABSENT;
}

/* the `timed out` column: "61.02 s after the GRANTED_RES call [59.50, 63.20]", none, - */
static void timedout_cell(char *buf, size_t size, const struct lr_rep_test *t)
{
	const struct lr_rep_moment *m = moment(t, "timed out");
	size_t l;

	if (!m) {
		snprintf(buf, size, "-");
		return;
	}
	if (seen(m))
		when(buf, size, m);
	else
		snprintf(buf, size, "none");
	l = strlen(buf);
	if (m->has_expect)
		snprintf(buf + l, size - l, seen(m) ? " [%.2f, %.2f]" : " (model [%.2f, %.2f])",
			 m->lo, m->hi);
}

/* the sentence under question 1: each kind of `timed out` record and its cases */
static void timedout_sentence(FILE *out, const struct lr_rep_test *t, int n)
{
	static const char *const words[TO_KINDS] = {
		[TO_MEASURED] = "measured by",
		[TO_ABSENT] = "asserted absent by",
		[TO_NOT_SEEN] = "not seen by",
		[TO_NONE] = "no `timed out` moment recorded by",
	};
	const struct lr_rep_moment *m;
	const char *sep = " ";
	char w[160];
	int i, j, k, c;

	fprintf(out, "`timed out`, from each test's `timed out` moment:");
	for (k = 0; k < TO_KINDS; k++) {
		for (i = 0, c = 0; i < n; i++)
			c += timedout_kind(&t[i]) == k;
		if (!c)
			continue;
		fprintf(out, "%s%s ", sep, words[k]);
		sep = "; ";
		if (c == n && k != TO_MEASURED) {
			fprintf(out, "every case");
			continue;
		}
		for (i = 0, j = 0; i < n; i++) {
			if (timedout_kind(&t[i]) != k)
				continue;
			fprintf(out, "%s%s", j++ ? ", " : "", row_name(&t[i]));
			m = moment(&t[i], "timed out");
			/* the why says which guest printed it (GRANTED_MSG: the server) */
			if (k == TO_MEASURED)
				fprintf(out, " (%s: %s)", when(w, sizeof(w), m), m->why);
		}
	}
	fprintf(out, ".\n\n");
}

/* ---- the customer's captures beside ours ---- */

/*
 * fin-blackhole against 0622/0825 (the seed's kernel logs and packet tables, quoted in
 * tests/explain/fixtures/seed-0622.*, seed-0825.*): FIN 22:53:13.64, LOCK ~22:54:38,
 * still trying 22:55:38, SYN from the same port 871 22:56:17.96 (FIN + 184.3 s), OK
 * 22:56:18; FIN retransmissions of 0825 at +0.22, 0.44, 0.87, 1.76, 3.52, 6.96, 14.09,
 * 28.16, 55.68, 112.64 s. Only what the case's own moments show is called a match: a
 * no-reuseport run has no stall and a new port.
 */
static void beside_fin(FILE *out, const struct lr_rep_test *t)
{
	const struct lr_rep_moment *fin = moment(t, "FIN (idle close)"),
		*fr = moment(t, "FIN retransmissions seen"), *tr = moment(t, "still trying"),
		*gone = moment(t, "old socket gone"), *nc = moment(t, "new connection"),
		*ok = moment(t, "OK");
	char match[512] = "", differ[512] = "", b[5][160];

	fprintf(out, "- %s (%s): customer 0622/0825: FIN after 5 min idle, FIN "
		"retransmissions +0.22, 0.44, 0.87, 1.76, 3.52, 6.96, 14.09, 28.16, 55.68, "
		"112.64 s; `still trying` 60 s after the LOCK; new SYN from the same port "
		"FIN + 184.3 s, at once SYN-ACK, LOCK, reply, `OK`. Ours: FIN %s; FIN "
		"retransmissions (model/measured s after the FIN) %s; `still trying` %s; old "
		"socket gone %s; new connection %s (%s); `OK` %s.", t->casename, t->kernel,
		when(b[0], sizeof(b[0]), fin), fr ? fr->why : "not recorded",
		when(b[1], sizeof(b[1]), tr), when(b[2], sizeof(b[2]), gone),
		when(b[3], sizeof(b[3]), nc), nc ? nc->why : "port not recorded",
		when(b[4], sizeof(b[4]), ok));

	/* the test marks a gap off the doubling rule with '!' */
	if (seen(fr) && fr->measured >= 2 && !strchr(fr->why, '!'))
		add(match, sizeof(match), "the doubling FIN schedule");
	else if (seen(fr) && fr->measured >= 2)
		add(differ, sizeof(differ), "FIN retransmissions off the doubling rule (marked !)");
	else
		add(differ, sizeof(differ), "fewer than two FIN retransmissions recorded");

	if (!seen(tr)) {
		add(differ, sizeof(differ), "no stall (no `still trying` measured)");
	} else if (seen(gone) && seen(nc) && nc->measured >= gone->measured) {
		add(match, sizeof(match), "the stall until the old socket died (`still trying`, "
		    "then the new connection after the old socket was gone)");
	} else {
		add(match, sizeof(match), "a stall (`still trying`)");
		add(differ, sizeof(differ), "no new connection seen after the old socket's death");
	}
	if (seen(tr) && seen(nc) && seen(ok) && tr->measured < nc->measured &&
	    nc->measured <= ok->measured)
		add(match, sizeof(match), "the order `still trying`, new connection, `OK`");
	else if (seen(tr) && !seen(ok))
		add(differ, sizeof(differ), "no `OK` seen after the `still trying`");
	else if (seen(tr) && seen(nc))
		add(differ, sizeof(differ), "the order of `still trying`, new connection, `OK`");

	/* fin_blackhole.c writes "same source port" or "new source port" */
	if (!seen(nc))
		add(differ, sizeof(differ), "no new connection seen");
	else if (!strncmp(nc->why, "same", 4))
		add(match, sizeof(match), "the port reuse (the new connection from the old "
		    "source port)");
	else
		add(differ, sizeof(differ), "the LOCK went out from a new source port (the "
		    "customer's from the same port)");
	match_line(out, match, differ);
	if (seen(nc) && !strncmp(nc->why, "same", 4))
		fprintf(out, "  Not in the moments: whether our server, which never saw the FIN "
			"and may still hold the old connection, answered the SYN with a challenge "
			"ACK (timeline.txt); the customer's server answered with a SYN-ACK at once.\n");
}

/*
 * portmap-synack-lost against 0619: SYN to 111 at 02:21:34.14, SYN/SYN-ACK retransmitted,
 * still trying 02:22:38 (~64 s later); the customer's 4.19 doubles the SYN RTO from 1 s.
 */
static void beside_portmap(FILE *out, const struct lr_rep_test *t)
{
	const struct lr_rep_moment *syn = moment(t, "SYN retransmissions"),
		*tr = moment(t, "still trying");
	char match[512] = "", differ[512] = "", b[160];

	fprintf(out, "- %s (%s): customer 0619: SYN to 111, SYN-ACK, no final ACK, both "
		"retransmitted for about a minute, `still trying` ~64 s after the first SYN. "
		"Ours, with the SYN-ACKs dropped in the client's input hook (capture.pcap shows "
		"them): SYN retransmissions (model/measured s after the first SYN) %s; "
		"`still trying` %s.", t->casename, t->kernel, syn ? syn->why : "not recorded",
		when(b, sizeof(b), tr));

	if (seen(tr))
		add(match, sizeof(match), "`still trying` while the rpcbind handshake could "
		    "not complete");
	else
		add(differ, sizeof(differ), "no `still trying` measured");
	/* the test marks a retransmission off the model's schedule with '!' */
	if (seen(syn) && syn->measured >= 1 && !strchr(syn->why, '!'))
		add(match, sizeof(match), "the SYN retransmitted unanswered (%.0f seen, each on "
		    "the model's schedule)", syn->measured);
	else if (seen(syn) && syn->measured >= 1)
		add(differ, sizeof(differ), "SYN retransmissions off the model's schedule "
		    "(marked !)");
	else
		add(differ, sizeof(differ), "no SYN retransmission recorded");
	if (t->syn_linear)
		add(differ, sizeof(differ), "our TCP keeps the SYN RTO at 1 s for the first %u "
		    "retransmissions (tcp_syn_linear_timeouts), the customer's 4.19 doubled it "
		    "from 1 s", t->syn_linear);
	else
		add(match, sizeof(match), t->syn_linear_absent ? "the SYN RTO doubling from 1 s "
		    "(no tcp_syn_linear_timeouts in this kernel)" : "the SYN RTO doubling from 1 s "
		    "(tcp_syn_linear_timeouts 0)");
	match_line(out, match, differ);
}

/*
 * customer-0619/sequence against 0619's three lines: still trying 02:22:38, timed out
 * 03:50:47 (88 min 9 s later), still trying 06:22:05 (151 min 18 s later). Our gaps are
 * as long as the test makes them, so they are shown, never compared.
 */
static void beside_0619(FILE *out, const struct lr_rep_test *t)
{
	const struct lr_rep_moment *tr = moment(t, "still trying"),
		*to = moment(t, "timed out"), *again = moment(t, "still trying again"),
		*g1 = moment(t, "gap still trying -> timed out"),
		*g2 = moment(t, "gap timed out -> still trying again");
	char b[3][160];

	fprintf(out, "- %s (%s): customer 0619: `still trying` 02:22:38, `timed out` 03:50:47 "
		"(88 min 9 s later), `still trying` 06:22:05 (151 min 18 s later). Ours: `still "
		"trying` %s; `timed out` %s; `still trying` again %s; ", t->casename, t->kernel,
		when(b[0], sizeof(b[0]), tr), when(b[1], sizeof(b[1]), to),
		when(b[2], sizeof(b[2]), again));
	if (seen(g1) && seen(g2))
		fprintf(out, "`still trying` to `timed out` %.2f s, `timed out` to `still trying` "
			"again %.2f s, so the order is %s.", g1->measured,
			g2->measured, g1->measured > 0 && g2->measured > 0 ? "the customer's" :
			"not the customer's");
	else
		fprintf(out, "the gaps were not measured, so the order is not established.");
	fprintf(out, " Our gaps are set by the test (it waits only as long as the model "
		"requires): only the order and each line's delay after its own call compare "
		"with the customer's.\n");
}

/* ---- the answers ---- */

/*
 * The model's parameters for a record: the version from its kernel string (it picks the
 * sunrpc rules), the rest as the guest read them. False when the string names none.
 */
static bool params_of(const struct lr_rep_test *t, struct lr_params *p)
{
	unsigned int major, minor;

	if (sscanf(t->kernel, "%u.%u", &major, &minor) != 2)
		return false;
	lr_timing_defaults(p, major, minor);
	p->nlm_timeout = t->nlm_timeout;
	if (t->hz)
		p->hz = t->hz;
	p->tcp_syn_retries = t->syn_retries;
	p->tcp_syn_linear_timeouts = t->syn_linear;
	return true;
}

/* question 2: the figures come from lib/timing.c fed with the record's parameters */
static void question2(FILE *out, const struct lr_rep_test *t)
{
	struct lr_scenario_args a = { 0 };
	struct lr_rpc_timeout to, xto;
	struct lr_expect e, ec;
	struct lr_params p;

	fprintf(out, "\n**2. Which timeout parameters apply.** Read in the guest: nlm_timeout "
		"%u s, HZ %u; TCP: tcp_syn_retries %u, ", t->nlm_timeout, t->hz, t->syn_retries);
	if (t->syn_linear_absent)
		fprintf(out, "no tcp_syn_linear_timeouts (the kernel predates it). ");
	else
		fprintf(out, "tcp_syn_linear_timeouts %u. ", t->syn_linear);
	if (!params_of(t, &p) || lr_scenario_expect(&p, LR_SVC_SLEEP, &a, &e)) {
		fprintf(out, "The record names no kernel version (\"%s\"), so the model's "
			"figures are left out. Rules and sources: docs/timing-model.md.\n",
			t->kernel);
		return;
	}
	/* a LOCK that opens the connection itself: one connect wakeup before it is sent */
	a.fresh_connection = 1;
	if (lr_scenario_expect(&p, LR_SVC_SLEEP, &a, &ec))
		ec = e;
	lr_nlm_rpc_timeout(&p, &to);
	lr_xs_tcp_default_timeout(&xto);
	fprintf(out, "In the model (tests/lib/timing.c) lockd's RPC client (fs/lockd/host.c "
		"nlm_bind_host()) has to_initval %g s, to_increment %g s, to_maxval %g s, %u "
		"retries, %s; its first major timeout, the `still trying`, is %g s after the "
		"call under the %s sunrpc rules", to.initval / 1e3, to.increment / 1e3,
		to.maxval / 1e3, to.retries, to.exponential ? "exponential" : "linear",
		e.sched.first_major / 1e3, lr_rules(&p) == LR_RULES_4_19 ? "4.19" : "mainline");
	/* only rules where the connect wakeup grows rq_timeout (4.19) move it */
	if (ec.sched.first_major != e.sched.first_major)
		fprintf(out, " (%g s when the call itself had to connect)",
			ec.sched.first_major / 1e3);
	fprintf(out, ". Not tunable: the idle close XS_IDLE_DISC_TO %g s, the transport's "
		"TCP_USER_TIMEOUT %g s, XS_BIND_TO 60 s. Rules and sources: "
		"docs/timing-model.md.\n", lr_xs_idle_disc_to() / 1e3,
		lr_xs_tcp_user_timeout(&xto) / 1e3);
}

static bool is_retrans(const char *what)
{
	return strstr(what, "re-sends") || strstr(what, "retransmissions") ||
	       strstr(what, "transmission") || strstr(what, "new connection") ||
	       strstr(what, "FIN (idle") || strstr(what, "sent");
}

void lr_rep_answers(FILE *out, const struct lr_rep_test *t, int n)
{
	char trying[256], ok[256], to[256];
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
		"(svc-sleep, link-down, portmap) or after the call (fin-blackhole); for `timed "
		"out`, after the call it names (none: the test saw no such line; -: the test "
		"recorded nothing about it). ");
	timedout_sentence(out, t, n);
	fprintf(out, "| case | request | `still trying` | `timed out` | `OK` | verdict |\n"
		"|---|---|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		cell(trying, sizeof(trying), &t[i], "still trying");
		timedout_cell(to, sizeof(to), &t[i]);
		cell(ok, sizeof(ok), &t[i], "OK");
		fprintf(out, "| %s | %s | %s | %s | %s | %s |\n", t[i].casename,
			lr_rep_request(t[i].test), trying, to, ok, t[i].verdict);
	}
	question2(out, p);
	for (i = 0, j = 0; i < n; i++) {
		void (*beside)(FILE *, const struct lr_rep_test *) =
			!strcmp(t[i].scenario, "fin-blackhole") ? beside_fin :
			!strcmp(t[i].scenario, "portmap-synack-lost") ? beside_portmap :
			!strcmp(t[i].scenario, "customer-0619") ? beside_0619 : NULL;

		if (!beside)
			continue;
		if (!j++)
			fprintf(out, "\n**The customer's captures beside ours:**\n\n");
		beside(out, &t[i]);
	}
	fprintf(out, "\n**3. How retransmission works** (measured; model/measured pairs are in "
		"seconds):\n\n");
	for (i = 0; i < n; i++)
		for (j = 0; j < t[i].nmom; j++) {
			const struct lr_rep_moment *m = &t[i].mom[j];

			if (!is_retrans(m->what))
				continue;
			if (m->has_measured && m->unchecked)
				fprintf(out, "- %s: %s %.2f s after %s (measured only, not a "
					"check)\n", t[i].casename, m->what, m->measured, m->from);
			else if (m->has_measured && m->has_expect)
				fprintf(out, "- %s: %s %.2f s after %s (model %.2f)\n",
					t[i].casename, m->what, m->measured, m->from, m->expect);
			else
				fprintf(out, "- %s: %s: %s\n", t[i].casename, m->what, m->why);
		}
}
