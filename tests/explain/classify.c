// SPDX-License-Identifier: GPL-2.0
/*
 * classify.c: the stalls of the capture (episodes.c) and the lockd lines of the log put
 * on one clock; every line tied to the episode that printed it; the model's figures
 * beside the observed ones; the verdict; the case that reproduces it.
 *
 * The patterns (docs/timing-model.md section 2; each group's test shows how the suite
 * makes them):
 *   portmap-synack-lost  a connect to port 111 whose SYN-ACKs get no final ACK
 *   fin-blackhole        a connection's FIN retransmitted with no answer from the server,
 *                        (then a SYN from the same client port: the held-back request)
 *   link-down            SYNs (or a request) with nothing at all from the server
 *   svc-sleep            a request the server ACKs but answers late (re-sent on the same
 *                        connection) or never
 *   timed-out callback   "timed out": only soft RPC tasks print it, and the only soft NLM
 *                        calls are the GRANTED callbacks (docs/timing-model.md, "The soft
 *                        callbacks"): the client's GRANTED_RES, the server's GRANTED_MSG
 * Nothing depends on an address or a port number but rpcbind's 111 and NFS's 2049.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"

/* ---- the model ---- */

static int scenario_of(enum ex_class t)
{
	switch (t) {
	case C_SVC_SLEEP: return LR_SVC_SLEEP;
	case C_LINK_DOWN: return LR_LINK_DOWN;
	case C_FIN_BLACKHOLE: return LR_FIN_BLACKHOLE;
	case C_PORTMAP: return LR_PORTMAP_SYNACK_LOST;
	case C_CALLBACK: return LR_GRANTED_RES;
	default: return -1;
	}
}

static int model(struct ctx *x, const struct episode *e, struct lr_expect *ex)
{
	struct lr_scenario_args a = { 0 };
	struct episode *me = (struct episode *)e;
	int sc = scenario_of(e->type);

	/* asked for every line and every candidate offset: once per episode */
	if (me->model_state) {
		*ex = me->ex;
		return me->model_state > 0 ? 0 : -1;
	}
	if (sc < 0) {
		me->model_state = -1;
		return -1;
	}
	if (e->type == C_SVC_SLEEP)
		a.fresh_connection = e->fresh;
	if (e->type == C_FIN_BLACKHOLE)
		a.fin_rto = isnan(e->fin_rto) ? 0 : lround(e->fin_rto * 1000);
	me->model_state = lr_scenario_expect(&x->p, sc, &a, &me->ex) ? -1 : 1;
	*ex = me->ex;
	return me->model_state > 0 ? 0 : -1;
}

/* ---- aligning the clocks ---- */

/* how far line l is from where episode e would print it at offset o (s); -1: not there */
static double fit(struct ctx *x, const struct ex_line *l, const struct episode *e, double o)
{
	struct lr_expect ex;
	double t = l->t + o, res = l->res + 0.01, d;

	switch (l->kind) {
	case EX_OK:
		if (isnan(e->reply) || t < e->reply - 1.5 || t > e->reply + 1.5 + res)
			return -1;
		return fabs(t - e->reply);
	case EX_CALL:
		if (isnan(e->call) || fabs(t - e->call) > 1.0 + res)
			return -1;
		return fabs(t - e->call);
	case EX_TRYING:
		if (e->type == C_LINK_DOWN && isnan(e->call))
			return t >= e->fin && t <= e->end + res ? 0.5 : -1;
		if (e->type == C_FIN_BLACKHOLE)
			return t >= e->fin && t <= (isnan(e->syn) ? e->end + 120 : e->syn) + res ?
			       0.5 : -1;
		break;
	case EX_TIMEDOUT:
		/* a callback's rpcbind query that never completed */
		if (e->type != C_PORTMAP)
			return -1;
		break;
	default:
		return -1;
	}
	if (isnan(e->call) || model(x, e, &ex))
		return -1;
	d = t - e->call;
	/* the request may have been called a little before its first packet */
	if (d >= ex.trying.lo / 1000.0 - 1.0 - res && d <= ex.trying.hi / 1000.0 + 3.0 + res)
		return fabs(d - ex.trying.expect / 1000.0);
	/* outside the model's window (other parameters than assumed?) but while the
	 * request was still waiting: it can only be this one, a worse fit */
	if (l->kind == EX_TRYING && d > 1.0 && t <= (isnan(e->reply) ? e->end : e->reply) + res)
		return 100 + fabs(d - ex.trying.expect / 1000.0);
	return -1;
}

static int fits(struct ctx *x, const struct ex_line *l, const struct episode *e, double o)
{
	return fit(x, l, e, o) >= 0;
}

/* lines that fit an episode at offset o (an OK counts twice: its reply is exact);
 * *exact: how many of them fit a precise moment, not just a FIN window */
/*
 * Aligning is lines x episodes per candidate offset: bounded so that a hostile log (100000
 * lockd lines) and capture (256 episodes) end in seconds. An incident has a handful of
 * lines; the first ones decide the offset, and every line is then tied with it.
 */
#define ALIGN_LINES	200	/* client lines scored per candidate offset */
#define ALIGN_ANCHORS	16	/* client lines whose moments propose offsets */

static int score(struct ctx *x, double o, int *exact)
{
	unsigned int i;
	int s = 0, k;

	*exact = 0;
	for (i = 0; i < x->lg->n && i < ALIGN_LINES; i++) {
		const struct ex_line *l = &x->lg->l[i];

		if (l->server_log)
			continue;
		for (k = 0; k < x->nep; k++)
			if (fits(x, l, &x->ep[k], o)) {
				s += l->kind == EX_OK ? 2 : 1;
				*exact += !(l->kind == EX_TRYING && (x->ep[k].type == C_FIN_BLACKHOLE ||
							       isnan(x->ep[k].call)));
				break;
			}
	}
	return s;
}

static void align(struct ctx *x)
{
	double best_o = 0, o;
	int best = 0, best_exact = 0, s, exact, k, wall0;
	unsigned int i;

	if (!x->c->have || !x->nep || x->lg->clock == EX_CLOCK_NONE)
		return;
	/* wall clocks on both sides: try them as they are first */
	if (x->lg->clock == EX_CLOCK_WALL)
		best = score(x, 0, &best_exact);
	wall0 = best > 0;
	for (i = 0; i < x->lg->n && i < ALIGN_ANCHORS; i++) {
		const struct ex_line *l = &x->lg->l[i];
		struct lr_expect ex;

		if (l->server_log)
			continue;
		for (k = 0; k < x->nep; k++) {
			const struct episode *e = &x->ep[k];

			if (l->kind == EX_OK && !isnan(e->reply))
				o = e->reply - l->t;
			else if (l->kind == EX_CALL && !isnan(e->call))
				o = e->call - l->t;
			else if (l->kind == EX_TRYING && e->type != C_FIN_BLACKHOLE &&
				 !isnan(e->call) && !model(x, e, &ex))
				o = e->call + ex.trying.expect / 1000.0 - l->t;
			else if (l->kind == EX_TRYING && e->type == C_FIN_BLACKHOLE && !isnan(e->syn))
				o = e->syn - 1.0 - l->t;
			else
				continue;
			s = score(x, o, &exact);
			/* more lines explained wins; at a tie, two wall clocks as they are
			 * (offset 0 is tried first and kept), then more lines fit exactly,
			 * then, on wall clocks, the smaller shift */
			if (s > best || (s == best && !wall0 && (exact > best_exact ||
			    (exact == best_exact && s && x->lg->clock == EX_CLOCK_WALL &&
			     fabs(o) < fabs(best_o))))) {
				best = s, best_exact = exact, best_o = o;
				wall0 = 0;
			}
		}
	}
	if (best) {
		x->offset = best_o;
		x->aligned = 1;
		x->weak = !best_exact && !(x->lg->clock == EX_CLOCK_WALL && best_o == 0);
		x->single = best == 1 && !(x->lg->clock == EX_CLOCK_WALL && best_o == 0);
	}
}

/* ---- the report ---- */

static void kernel_of(struct ctx *x)
{
	unsigned int M = x->o->kver_major, m = x->o->kver_minor;
	static char name[16];

	x->kver_from = 1;
	if (!x->o->kernel_given) {
		M = x->lg->kver_major, m = x->lg->kver_minor, x->kver_from = 2;
		if (!M)
			M = 7, m = 3, x->kver_from = 0;
	}
	lr_timing_defaults(&x->p, M, m);
	x->p.nlm_timeout = x->o->nlm_timeout ? x->o->nlm_timeout : 10;
	x->p.hz = x->o->hz ? x->o->hz : 250;
	if (M == 4 && m == 19)
		x->kname = "4.19";
	else if (M == 7 && m == 3)
		x->kname = "mainline";
	else if ((M == 5 && m == 10) || (M == 6 && (m == 1 || m == 12)) || (M == 7 && m == 2)) {
		snprintf(name, sizeof(name), "%u.%u", M, m);
		x->kname = name;
	} else {
		x->kname = M < 5 ? "4.19" : "mainline";
	}
}

static const char *op_of(const struct episode *e)
{
	switch (e->proc) {
	case 1: return "getlk";
	case 4: return "unlock";
	case 2: return e->block == 0 ? "setlk" : "lock";
	default: return "lock";
	}
}

static void hms(double t, char *buf, size_t len)
{
	long s = (long)floor(t);
	double frac = t - s;

	if (t > 1e8)
		snprintf(buf, len, "%02ld:%02ld:%02ld.%03d", s / 3600 % 24, s / 60 % 60, s % 60,
			 (int)(frac * 1000));
	else
		snprintf(buf, len, "%.3f", t);
}

static const char *kind_str(enum ex_kind k)
{
	return k == EX_TRYING ? "still trying" : k == EX_TIMEDOUT ? "timed out" :
	       k == EX_OK ? "OK" : "call";
}

static int in_capture(struct ctx *x, double t)
{
	return x->aligned && t + x->offset >= x->cap_lo - 1 && t + x->offset <= x->cap_hi + 1;
}

/* the line's moment as the report shows it: capture clock when aligned */
static void when(struct ctx *x, const struct ex_line *l, char *buf, size_t len)
{
	char a[32];

	hms(l->t + (x->aligned ? x->offset : 0), a, sizeof(a));
	if (x->weak)
		snprintf(buf, len, "%s (log clock %.3f; a guess on the capture's)", a, l->t);
	else if (l->res >= 0.999)
		snprintf(buf, len, "%s (+1 s: a whole-second stamp)", a);
	else if (l->res >= 0.01)
		snprintf(buf, len, "%s (+%.2f s: whole-second stamps narrowed by the kernel's)", a,
			 l->res);
	else
		snprintf(buf, len, "%s", a);
}

/* fin-blackhole: the reused port's SYN within the model's window for the old socket's
 * death (FIN + TCP_USER_TIMEOUT, the wheel's rounding) */
static int fin_agrees(struct ctx *x, const struct episode *e)
{
	struct lr_expect ex;

	if (isnan(e->syn) || model(x, e, &ex))
		return 0;
	return e->syn - e->fin >= ex.gone.lo / 1000.0 && e->syn - e->fin <= ex.gone.hi / 1000.0;
}

static void compare(struct ctx *x, const struct ex_line *l, const struct episode *e)
{
	struct lr_expect ex;
	double obs, lo, hi;
	const struct lr_window *w;

	if (model(x, e, &ex)) {
		printf("      model: no rules for %u.%u (docs/timing-model.md section 5)\n",
		       x->p.kver_major, x->p.kver_minor);
		return;
	}
	if (l->kind == EX_TRYING && e->type == C_FIN_BLACKHOLE) {
		double call = l->t + x->offset - ex.trying.expect / 1000.0;
		char b[32];

		/* the request is held back until the old socket dies: its call is only known
		 * from the line, the model's still trying moment before it */
		hms(call, b, sizeof(b));
		if (x->weak)
			printf("      the line's moment on the capture's clock is not known (only this "
			       "window ties it), so neither is its call\n");
		else
			printf("      model: still trying %.1f s after the call, so the call was at ~%s, "
			       "%.1f s after the first FIN (held back: XPRT_CLOSING)\n",
			       ex.trying.expect / 1000.0, b, call - e->fin);
		/* model() asks with fin_to_call 0: the death relative to the FIN */
		printf("      model: the old socket dies at FIN + %.2f [%.2f, %.2f] s (TCP_USER_TIMEOUT "
		       "on a timer the wheel rounds up, HZ %u); ", ex.gone.expect / 1000.0,
		       ex.gone.lo / 1000.0, ex.gone.hi / 1000.0, x->p.hz);
		if (!isnan(e->syn))
			printf("observed: SYN from the reused port at FIN + %.2f s: %s\n",
			       e->syn - e->fin, fin_agrees(x, e) ? "within the window" :
			       e->syn - e->fin < ex.gone.lo / 1000.0 ? "EARLIER than the model" :
			       "LATER than the model");
		else
			printf("the capture has no SYN after it\n");
		return;
	}
	if (isnan(e->call) && l->kind != EX_OK) {
		printf("      the request's call is not in the capture: its moment cannot be set "
		       "against the model's %.2f s\n", ex.trying.expect / 1000.0);
		return;
	}
	if (l->kind == EX_OK) {
		printf("      printed at the reply: %.3f s from packet %u's moment\n",
		       l->t + x->offset - e->reply, e->reply_no);
		return;
	}
	w = l->kind == EX_TIMEDOUT ? &ex.tmo : &ex.trying;
	if (l->kind == EX_TIMEDOUT && !ex.timed_out)
		w = &ex.trying;
	obs = l->t + x->offset - e->call;
	lo = w->lo / 1000.0, hi = w->hi / 1000.0;
	printf("      observed %.2f%s s after the call (capture clock); model (%u.%u, nlm_timeout %u, HZ %u): "
	       "%.2f [%.2f, %.2f]: %s\n", obs, l->res >= 0.5 ? "+1" : "", x->p.kver_major,
	       x->p.kver_minor, x->p.nlm_timeout, x->p.hz, w->expect / 1000.0, lo, hi,
	       obs + l->res >= lo && obs <= hi ? "within the window" :
	       obs + l->res < lo ? "EARLIER than the model" : "LATER than the model");
	printf("      window: %s\n", w->why);
	if (e->type == C_PORTMAP || e->type == C_LINK_DOWN) {
		struct lr_tcp_sched syn;
		int i;

		/* the SYNs the capture shows against the kernel's schedule (tcp_syn_retries,
		 * tcp_syn_linear_timeouts of the kernel's defaults) */
		lr_tcp_syn_schedule(&x->p, &syn);
		printf("      SYNs seen at +");
		for (i = 0; i < e->n_syn_at && i < 12; i++)
			printf("%s%.2f", i ? " " : "", e->syn_at[i] - e->syn_at[0]);
		printf(" s; the model's schedule:");
		for (i = 0; i < syn.n; i++)
			printf(" %.0f", syn.at[i] / 1000.0);
		printf(" s%s\n", e->n_syn_at < e->nsyn ? " (the capture shows part of them)" : "");
	}
	if (!x->o->nlm_timeout_given && e->type != C_PORTMAP && obs > 10 &&
	    fabs(obs - ex.trying.expect / 1000.0) > 5) {
		unsigned int n = (unsigned int)lround(obs / (e->fresh && x->p.kver_major < 5 ? 9 : 6));

		if (n >= 3 && n <= 20)
			printf("      (the interval fits nlm_timeout=%u: give NLM_TIMEOUT=%u)\n", n, n);
	}
}

static void print_episode(struct ctx *x, int k, int tied)
{
	struct episode *e = &x->ep[k];
	char b[32];
	int f;

	hms(!isnan(e->call) ? e->call : e->fin, b, sizeof(b));
	printf("  [%d] %s at %s (%s:%u -> %s:%u)%s\n", k + 1, class_name[e->type], b, e->cli,
	       e->cport, e->srv, e->sport, tied ? "" : "  (no lockd line tied to it)");
	for (f = 0; f < e->nfacts; f++)
		printf("      %s %s\n", e->ok[f] > 0 ? "+" : e->ok[f] < 0 ? "." : "-", e->fact[f]);
}

/* the share of the pattern's facts seen (notes do not count), the line tied to it in
 * time counting as two, the model agreeing as one */
static double confidence(const struct episode *e, int model_ok)
{
	int f, have = 0, all = 0;

	for (f = 0; f < e->nfacts; f++)
		if (e->ok[f] >= 0)
			have += e->ok[f], all++;
	have += e->lines ? 2 : 0, all += 2;
	have += model_ok, all += 1;
	return all ? (double)have / all : 0;
}

static int model_agrees(struct ctx *x, const struct episode *e)
{
	unsigned int i;
	struct lr_expect ex;

	if (model(x, e, &ex))
		return 0;
	for (i = 0; i < x->lg->n; i++) {
		const struct ex_line *l = &x->lg->l[i];
		double obs;

		if (x->line_ep[i] != e - x->ep || l->kind != EX_TRYING)
			continue;
		if (e->type == C_FIN_BLACKHOLE)
			return fin_agrees(x, e);
		obs = l->t + x->offset - e->call;
		/* the same bounds compare() prints */
		return obs + l->res >= ex.trying.lo / 1000.0 && obs <= ex.trying.hi / 1000.0;
	}
	return 0;
}

struct event {
	double t;
	char what[112];
};

static int ev_cmp(const void *a, const void *b)
{
	double d = ((const struct event *)a)->t - ((const struct event *)b)->t;

	return d < 0 ? -1 : d > 0;
}

/*
 * The incident's moments, seconds after its first packet: the same lanes for a
 * customer's evidence and a lab run's, so scripts/explain.sh --run can set them side by
 * side. Packets in the capture's clock; lockd lines moved onto it by the alignment.
 */
static void timeline(struct ctx *x, const struct episode *e)
{
	struct event ev[2 * LR_MAX_SEGS + 64];
	int n = 0, i;
	unsigned int l;
	double t0 = e->type == C_FIN_BLACKHOLE || isnan(e->call) ? e->fin : e->call;
	const char *rx = e->type == C_PORTMAP ? "SYN to 111 (retransmission)" :
			 e->type == C_LINK_DOWN ? "SYN, unanswered" :
			 e->type == C_SVC_SLEEP ? "request re-sent, ACKed" : "FIN retransmission";

#define EV(tt, ...) do { if (n < (int)(sizeof(ev) / sizeof(ev[0])) && !isnan(tt)) { \
		ev[n].t = (tt); snprintf(ev[n].what, sizeof(ev[n].what), __VA_ARGS__); n++; } } while (0)
	if (isnan(t0))
		return;
	if (e->type == C_LINK_DOWN && isnan(e->call)) {
		EV(e->fin, "first ICMP host unreachable for the server");
		EV(e->end, "the server heard again");
	} else if (e->type == C_FIN_BLACKHOLE) {
		EV(e->fin, "FIN from port %u, never answered", e->cport);
		for (i = 1; i < e->n_fin_at; i++)
			EV(e->fin_at[i], "%s", rx);
		EV(e->syn, "SYN from the same port %u", e->cport);
	} else {
		EV(e->call, "%s %s", e->type == C_SVC_SLEEP ? proc_str(e->proc) : "first SYN of",
		   e->type == C_SVC_SLEEP ? "call, ACKed, no reply" :
		   e->type == C_PORTMAP ? "the rpcbind connect" : "the connect");
		for (i = e->type == C_SVC_SLEEP ? 0 : 1; i < e->n_syn_at; i++)
			EV(e->syn_at[i], "%s", rx);
		if (e->type == C_PORTMAP)
			EV(e->end, "last of %d SYN-ACKs from 111, none ACKed", e->nsynack);
	}
	EV(e->reply, "%s reply (packet %u)", proc_str(e->proc), e->reply_no);
	for (l = 0; l < x->lg->n; l++) {
		const struct ex_line *ln = &x->lg->l[l];

		if (ln->server_log || ln->kind == EX_CALL || !x->aligned || x->weak)
			continue;
		if (ln->t + x->offset < t0 - 10 || ln->t + x->offset > t0 + 400)
			continue;
		EV(ln->t + x->offset, "log: lockd: server %s %s", ln->host, kind_str(ln->kind));
	}
#undef EV
	qsort(ev, n, sizeof(ev[0]), ev_cmp);
	printf("\ntimeline of [%d] %s (s after its first packet):\n", (int)(e - x->ep) + 1,
	       class_name[e->type]);
	for (i = 0; i < n; i++)
		printf("  %+9.2f  %s\n", ev[i].t - t0, ev[i].what);
}

/* what prepare() and report_lines() count for the verdict */
struct tally {
	unsigned int ntry, nto, nok, nto_srv;	/* client's lines by kind; server's timed out */
	unsigned int unexpl, outside;		/* still trying lines no episode explains */
	int votes[C_N];				/* still trying lines tied, by episode type */
	int callback;				/* a timed out line */
};

/* the log's clock and year, the model's parameters, the capture's episodes, one clock */
static int prepare(struct ctx *x, struct tally *n)
{
	struct ex_log *lg = x->lg;
	struct ex_cap *c = x->c;
	unsigned int i;
	int year = 0;

	/* the year of syslog stamps: the capture's */
	if (c->have && c->n && c->p[0].t > 1e8) {
		time_t t0 = (time_t)c->p[0].t;
		struct tm tm;

		gmtime_r(&t0, &tm);
		year = tm.tm_year + 1900;
	}
	ex_log_set_year(lg, year);
	kernel_of(x);
	x->line_ep = calloc(lg->n + 1, sizeof(int));
	if (!x->line_ep)
		return -1;
	for (i = 0; i < lg->n; i++) {
		x->line_ep[i] = -1;
		if (lg->l[i].server_log) {
			n->nto_srv += lg->l[i].kind == EX_TIMEDOUT;
			continue;
		}
		n->ntry += lg->l[i].kind == EX_TRYING;
		n->nto += lg->l[i].kind == EX_TIMEDOUT;
		n->nok += lg->l[i].kind == EX_OK;
	}
	if (!c->have || !c->n)
		return 0;
	/* the server: SERVER=, else the address the client's lines name, if the capture has it */
	{
		const char *srv = x->o->server[0] ? x->o->server : NULL;

		for (i = 0; !srv && i < lg->n; i++)
			if (!lg->l[i].server_log && lg->l[i].kind != EX_CALL)
				srv = lg->l[i].host;
		if (srv && !ex_addr_parse(srv, strlen(srv), x->server))
			for (i = 0; i < c->n && !x->have_server; i++)
				x->have_server = addr_eq(c->p[i].src, x->server) ||
						 addr_eq(c->p[i].dst, x->server);
	}
	x->cap_lo = x->cap_hi = c->p[0].t;
	for (i = 0; i < c->n; i++) {
		if (c->p[i].t < x->cap_lo)
			x->cap_lo = c->p[i].t;
		if (c->p[i].t > x->cap_hi)
			x->cap_hi = c->p[i].t;
	}
	if (ex_find_episodes(x))
		return -1;
	align(x);
	return 0;
}

static void print_header(struct ctx *x, const struct tally *n)
{
	const struct ex_log *lg = x->lg;
	const struct ex_cap *c = x->c;
	char shift[96];

	printf("explain: log %u lines, %u lockd lines (%u still trying, %u timed out, %u OK%s)",
	       lg->lines, lg->n, n->ntry, n->nto + n->nto_srv, n->nok,
	       lg->zero_k ? "; '0K' read as 'OK', a transcription of the kernel's 'OK'" : "");
	printf("; clock: %s\n", lg->clock == EX_CLOCK_WALL ? (lg->year_known ? "wall" :
	       "wall, no year (taken from the capture)") :
	       lg->clock == EX_CLOCK_UPTIME ? "kernel uptime stamps" : "none (order only)");
	if (c->have)
		printf("explain: capture %s, %u packets%s, %.1f s; %d TCP connection(s); %d episode(s)\n",
		       c->format, c->n, c->skipped ? " (text lines that are no packet skipped)" : "",
		       c->n ? x->cap_hi - x->cap_lo : 0.0, x->ncn, x->nep);
	else
		printf("explain: no capture: which request stalled, and why, cannot be told; only "
		       "the log's own rules apply\n");
	printf("explain: model for kernel %u.%u (%s), nlm_timeout %u (%s), HZ %u (%s); its "
	       "windows carry the suite's 1 s TCG allowance\n", x->p.kver_major,
	       x->p.kver_minor, x->kver_from == 1 ? "KERNEL=" : x->kver_from == 2 ?
	       "the log's Linux version line" : "assumed: give KERNEL=", x->p.nlm_timeout,
	       x->o->nlm_timeout_given ? "NLM_TIMEOUT=" : "the default, assumed", x->p.hz,
	       x->o->hz ? "HZ=" : "the Kconfig default, assumed");
	if (!c->have || !x->nep)
		return;
	/* an uptime log moves by the capture's epoch: say where its 0 falls */
	if (lg->clock == EX_CLOCK_UPTIME && x->offset > 1e8) {
		time_t t0 = (time_t)floor(x->offset);
		struct tm tm;

		gmtime_r(&t0, &tm);
		snprintf(shift, sizeof(shift), "the log's uptime 0 = %04d-%02d-%02d "
			 "%02d:%02d:%06.3f on the capture's clock", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec + (x->offset - floor(x->offset)));
	} else {
		snprintf(shift, sizeof(shift), "log + %.3f s = capture time", x->offset);
	}
	if (x->aligned && x->weak)
		printf("explain: clocks aligned loosely, a guess: %s (a still trying line can "
		       "sit anywhere in the FIN window)\n", shift);
	else if (x->aligned && x->single)
		printf("explain: clocks aligned on one line alone: %s (that line agrees with "
		       "the model by construction)\n", shift);
	else if (x->aligned)
		printf("explain: clocks aligned: %s\n", shift);
	else
		printf("explain: the log's lines and the capture's episodes could not be put "
		       "on one clock: no line is tied to a packet\n");
}

/* each line to its episode: the nearest fit, an episode that has no line of that kind
 * yet first (two requests stalled side by side print two lines) */
static void tie_lines(struct ctx *x)
{
	unsigned int i;
	int k;

	for (i = 0; i < x->lg->n; i++) {
		const struct ex_line *l = &x->lg->l[i];
		double best = 1e300, r;

		if (l->server_log || !x->aligned)
			continue;
		for (k = 0; k < x->nep; k++) {
			if ((r = fit(x, l, &x->ep[k], x->offset)) < 0)
				continue;
			r += 1000.0 * x->ep[k].kind_lines[l->kind];
			if (r < best)
				best = r, x->line_ep[i] = k;
		}
		if (x->line_ep[i] >= 0) {
			x->ep[x->line_ep[i]].lines++;
			x->ep[x->line_ep[i]].kind_lines[l->kind]++;
		}
	}
}

/* every line, what printed it and the model beside it; the first MAX_SHOWN are shown,
 * all are counted (a hostile log has 100000) */
static void report_lines(struct ctx *x, struct tally *n)
{
	unsigned int i, shown = 0;
	int show;
	char b[128];

	printf("\nlines:\n");
#define SAY(...) do { if (show) printf(__VA_ARGS__); } while (0)
	for (i = 0; i < x->lg->n; i++) {
		const struct ex_line *l = &x->lg->l[i];
		const struct episode *e = x->line_ep[i] >= 0 ? &x->ep[x->line_ep[i]] : NULL;

		if (l->kind == EX_CALL)
			continue;
		show = ++shown <= MAX_SHOWN;
		if (shown == MAX_SHOWN + 1)
			printf("  ... %u more lines not shown (the verdict counts them all)\n",
			       n->ntry + n->nto + n->nok + n->nto_srv - MAX_SHOWN);
		when(x, l, b, sizeof(b));
		SAY("  %s  %s log: lockd: server %s %s\n", b, l->server_log ? "server" : "client",
		    l->host, kind_str(l->kind));
		if (l->kind == EX_TIMEDOUT) {
			n->callback = 1;
			SAY("      a soft RPC task's major timeout: the only soft NLM calls are the "
			    "GRANTED callbacks; %s\n", l->server_log ?
			    "in the server's log: its GRANTED_MSG to the client (named by its caller "
			    "name)" : "in the client's log: its GRANTED_RES to the server");
		}
		if (e) {
			char xs[24] = "";

			if (e->xid && l->kind != EX_TIMEDOUT)
				snprintf(xs, sizeof(xs), " XID 0x%08x", e->xid);
			SAY("      printed by: %s%s of episode [%d] %s (%s:%u -> %s:%u)\n",
			    l->kind == EX_TIMEDOUT ? "the callback beside" : proc_str(e->proc), xs,
			    x->line_ep[i] + 1, class_name[e->type], e->cli, e->cport, e->srv,
			    e->sport);
			if (show)
				compare(x, l, e);
			if (l->kind == EX_TRYING)
				n->votes[e->type]++;
		} else if (l->kind == EX_TRYING || l->kind == EX_OK) {
			if (!x->c->have) {
				SAY("      no capture: the request (a hard client call: TEST, LOCK, "
				    "UNLOCK, CANCEL) and its cause cannot be told\n");
			} else if (x->aligned && !in_capture(x, l->t)) {
				SAY("      outside the capture (%s): cannot be told\n",
				    l->t + x->offset < x->cap_lo ? "before it" : "after it");
				n->outside += l->kind == EX_TRYING;
			} else {
				SAY("      no episode of the capture explains it\n");
				n->unexpl += l->kind == EX_TRYING;
			}
		} else if (l->kind == EX_TIMEDOUT && x->c->have) {
			SAY("      %s\n", x->aligned && !in_capture(x, l->t) ?
			    "outside the capture: why its call failed cannot be told" :
			    "no rpcbind loss in the capture beside it");
		}
	}
#undef SAY
}

/* the class: the pattern most still trying lines were tied to, the others beside it,
 * the callback; printed with its confidence and the facts that decided it. Returns the
 * class, *pe its first episode with a line */
static int verdict(struct ctx *x, struct tally *n, const struct episode **pe)
{
	int k, primary = C_NONE, ncls = 0;
	double conf;

	*pe = NULL;
	for (k = C_SVC_SLEEP; k < C_CALLBACK; k++) {
		if (n->votes[k] && (primary == C_NONE || n->votes[k] > n->votes[primary]))
			primary = k;
		ncls += n->votes[k] > 0;
	}
	n->callback = n->callback || n->nto_srv;
	/* still trying, nothing tied: said out loud, never guessed */
	if (primary == C_NONE && n->ntry)
		primary = C_UNKNOWN;
	printf("\nclass: ");
	if (primary == C_NONE && !n->callback) {
		printf("none (no lockd 'not responding' line in the log)\n");
		return primary;
	}
	for (k = 0; k < x->nep && primary != C_UNKNOWN; k++)
		if ((int)x->ep[k].type == primary && x->ep[k].lines) {
			*pe = &x->ep[k];
			break;
		}
	if (primary != C_NONE)
		printf("%s", class_name[primary]);
	for (k = C_SVC_SLEEP; k < C_CALLBACK; k++)
		if (n->votes[k] && k != primary)
			printf(" + %s", class_name[k]);
	if (n->callback)
		printf("%s%s", primary != C_NONE ? " + " : "", class_name[C_CALLBACK]);
	if (*pe)
		conf = confidence(*pe, !x->single && model_agrees(x, *pe));
	else if (primary == C_NONE)
		conf = 1.0;	/* the rule alone: only soft tasks print "timed out" */
	else
		conf = 0;
	if (ncls > 1)
		conf *= 0.7;
	if (n->unexpl)
		conf *= 0.8;
	printf(" (confidence %.2f)\n", conf);
	if (primary == C_UNKNOWN) {
		printf("seen: %u still trying line(s)", n->ntry);
		if (!x->c->have)
			printf(", no capture");
		else if (!x->nep)
			printf("; the capture shows none of the four patterns");
		else
			printf("; the capture's episodes (above) are not tied to them in time");
		printf("\n");
	}
	if (*pe) {
		printf("decided by:");
		for (k = 0; k < (*pe)->nfacts; k++)
			if ((*pe)->ok[k] > 0)
				printf("%s %s", k ? ";" : "", (*pe)->fact[k]);
		printf("; tied to %d lockd line(s) by time%s\n", (*pe)->lines,
		       !x->single && model_agrees(x, *pe) ? "; the model's moment agrees" : "");
	}
	if (n->outside)
		printf("note: %u still trying line(s) outside the capture: not classified\n",
		       n->outside);
	if (*pe)
		timeline(x, *pe);
	return primary;
}

/* svc-sleep: the requests stalled beside the one tied to the line pick the suite's
 * case with the same mix (tests/svc_sleep.c) */
static const char *svc_case(const struct ctx *x, const struct episode *pe, char *op, size_t len)
{
	int k, procs = 0, nonblock = 0;

	for (k = 0; pe && k < x->nep; k++) {
		const struct episode *o = &x->ep[k];

		if (o->type != C_SVC_SLEEP || o->proc < 0 || o->conn != pe->conn ||
		    o->call > pe->end || o->end < pe->call)
			continue;
		procs |= 1 << (o->proc & 15);
		nonblock |= o->proc == 2 && o->block == 0;
	}
	if (procs & (1 << 3))		/* CANCEL: a killed F_SETLKW */
		return "svc-sleep/kill_setlkw";
	if ((procs & (1 << 2)) && (procs & (1 << 1)))
		return "svc-sleep/getlk_behind_lock";
	if ((procs & (1 << 2)) && (procs & (1 << 4)))
		/* the async UNLOCK of a killed F_SETLK, or another's behind F_SETLKW */
		return nonblock ? "svc-sleep/kill_setlk" : "svc-sleep/unlock_behind_lock";
	snprintf(op, len, "svc-sleep/%s", pe ? op_of(pe) : "lock");
	return op;
}

/* the suite's case that replays it, as the make command */
static void reproduce(const struct ctx *x, const struct tally *n, int primary,
		      const struct episode *pe)
{
	const char *cs = NULL;
	char op[64];

	switch (primary) {
	case C_PORTMAP:
		cs = n->callback ? "customer-0619" : "portmap-synack-lost/lock";
		break;
	case C_FIN_BLACKHOLE:
		cs = "fin-blackhole/lock";
		break;
	case C_LINK_DOWN:
		snprintf(op, sizeof(op), "link-down/%s", pe ? op_of(pe) : "lock");
		cs = op;
		break;
	case C_SVC_SLEEP:
		cs = svc_case(x, pe, op, sizeof(op));
		break;
	case C_NONE:
		cs = n->nto_srv && !n->nto ? "soft-callback/granted_msg" :
		     "soft-callback/granted_res";
		break;
	default:
		break;
	}
	if (!cs) {
		printf("reproduce: no case of the suite matches: nothing to run\n");
		return;
	}
	printf("reproduce: make run CASE=%s KERNEL=%s PROFILE=customer%s\n", cs, x->kname,
	       primary == C_SVC_SLEEP ? " PATCHSET=svc-sleep" : "");
	if (primary == C_FIN_BLACKHOLE)
		printf("compare:   make run CASE=%s KERNEL=%s PROFILE=customer "
		       "PATCHSET=no-reuseport   (lockd without port reuse: no stall "
		       "expected)\n", cs, x->kname);
	if (x->p.nlm_timeout != 10)
		printf("note: the customer profile keeps nlm_timeout 10; this incident's "
		       "is %u: its figures scale by %u/10\n", x->p.nlm_timeout,
		       x->p.nlm_timeout);
}

int ex_explain(struct ex_log *lg, struct ex_cap *c, const struct ex_opts *o)
{
	struct ctx x = { .lg = lg, .c = c, .o = o };
	struct tally n = { 0 };
	const struct episode *pe;
	int primary, err;

	err = prepare(&x, &n);
	if (!err) {
		print_header(&x, &n);
		tie_lines(&x);
		report_lines(&x, &n);
		if (x.nep) {
			printf("\nepisodes in the capture:\n");
			for (int k = 0; k < x.nep; k++)
				print_episode(&x, k, x.ep[k].lines);
		}
		primary = verdict(&x, &n, &pe);
		if (primary != C_NONE || n.callback)
			reproduce(&x, &n, primary, pe);
	}
	free(x.line_ep);
	free(x.cn);
	free(x.next);
	free(x.conn_of);
	return err ? -1 : 0;
}
