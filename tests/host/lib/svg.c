// SPDX-License-Identifier: GPL-2.0
/* svg.c: a case's timeline as SVG (svg.h). */
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tl_ev *tl_add(struct tl *tl, double t, enum tl_lane lane, enum tl_kind kind,
		     bool resend, const char *label, const char *title)
{
	struct tl_ev *e;

	if (tl->nev >= TL_EV_MAX)
		return NULL;
	e = &tl->ev[tl->nev++];
	memset(e, 0, sizeof(*e));
	e->t = t;
	e->lane = lane;
	e->kind = kind;
	e->resend = resend;
	snprintf(e->label, sizeof(e->label), "%s", label);
	snprintf(e->title, sizeof(e->title), "%s", title ? title : label);
	return e;
}

const char *tl_nlm_proc(int proc)
{
	/* include/linux/lockd/nlm.h (NLMPROC_*) */
	static const char *const names[] = {
		[0] = "NULL", [1] = "TEST", [2] = "LOCK", [3] = "CANCEL", [4] = "UNLOCK",
		[5] = "GRANTED", [6] = "TEST_MSG", [7] = "LOCK_MSG", [8] = "CANCEL_MSG",
		[9] = "UNLOCK_MSG", [10] = "GRANTED_MSG", [11] = "TEST_RES", [12] = "LOCK_RES",
		[13] = "CANCEL_RES", [14] = "UNLOCK_RES", [15] = "GRANTED_RES",
	};

	return proc >= 0 && proc < (int)(sizeof(names) / sizeof(names[0])) ? names[proc] : NULL;
}

/* tshark's TCP flags in Info: "[SYN]", "[SYN, ACK]", "[FIN, ACK]", "[RST, ACK]" */
static bool flag(const char *info, const char *f)
{
	const char *p = strchr(info, '[');

	/* skip tshark's own "[TCP Retransmission]"-style notes: flags follow the ports */
	p = strstr(info, "] ") && !strncmp(info, "[TCP", 4) ? strstr(info, "] ") + 2 : info;
	p = strchr(p, '[');
	if (!p)
		return false;
	for (p++; *p && *p != ']'; p += strspn(p, ", ")) {
		size_t l = strcspn(p, ",]");

		if (l == strlen(f) && !strncmp(p, f, l))
			return true;
		p += l;
	}
	return false;
}

int tl_classify(const char *proto, const char *info, int sport, int dport, char *label,
		size_t size, bool *resend)
{
	char word[32] = "";
	const char *dir;

	*resend = strstr(info, "Retransmission") != NULL;
	if (!strcmp(proto, "NLM") || !strcmp(proto, "Portmap")) {
		/* "V4 LOCK Call FH:...", "V4 LOCK Reply (Call In 147) NLM_DENIED_GRACE_PERIOD",
		 * after tshark's notes: "[RPC retransmission of #187]V4 LOCK Call ..." */
		const char *p = info;

		while (*p == '[' && strchr(p, ']'))
			p = strchr(p, ']') + 1;
		*resend = *resend || strstr(info, "[RPC retransmission") ||
			  strstr(info, "[RPC duplicate");
		p = strchr(p, ' ');
		char proc[24] = "";

		if (!p || sscanf(p + 1, "%23s", proc) != 1)
			snprintf(proc, sizeof(proc), "?");
		dir = strstr(info, " Reply") ? "Reply" : "Call";
		if (!strcmp(proto, "NLM")) {
			const char *st = strstr(info, "NLM_");

			snprintf(label, size, "%s %s%s%.*s", proc, dir, st ? " " : "",
				 st ? (int)strcspn(st, " ") : 0, st ? st : "");
			return TL_NLM;
		}
		snprintf(label, size, "rpcbind %s %s", proc, dir);
		return TL_RPCB;
	}
	if (!strncmp(proto, "ICMP", 4)) {
		snprintf(label, size, "ICMP %.40s", info);
		return TL_ICMP;
	}
	if (strcmp(proto, "TCP"))
		return -1;
	if (flag(info, "RST"))
		snprintf(word, sizeof(word), "RST");
	else if (flag(info, "SYN") && flag(info, "ACK"))
		snprintf(word, sizeof(word), "SYN-ACK");
	else if (flag(info, "SYN"))
		snprintf(word, sizeof(word), "SYN");
	else if (flag(info, "FIN"))
		snprintf(word, sizeof(word), "FIN");
	else
		return -1;
	snprintf(label, size, "%s %d→%d", word, sport, dport);
	return !strcmp(word, "RST") ? TL_RST : !strcmp(word, "SYN-ACK") ? TL_SYNACK :
	       !strcmp(word, "SYN") ? TL_SYN : TL_FIN;
}

/*
 * The score of k = r * s + b: the anchors that line up, less the NLM calls of the capture
 * (key < 0) that fall inside the trace [w0, w1] and line up with no call line (the trace
 * logs every lockd call while it runs: a call it lacks says the offset is wrong). res:
 * the residuals' sum.
 */
static int fit(const double *k, const int *kp, int nk, const double *s, const int *sp,
	       int ns, double tol, double r, double b, double w0, double w1, double *res)
{
	int a, c, sc = 0;

	*res = 0;
	for (a = 0; a < nk; a++)
		for (c = 0; c < ns; c++)
			if (kp[a] == sp[c] &&
			    fabs(k[a] - (r * s[c] + b)) <= (kp[a] == TL_KEY_MOUNT ? TL_MOUNT_TOL : tol)) {
				sc++;
				*res += fabs(k[a] - (r * s[c] + b));
				break;
			}
	for (c = 0; c < ns; c++) {
		double at = r * s[c] + b;

		if (sp[c] >= 0 || at < w0 || at > w1)
			continue;
		for (a = 0; a < nk && !(kp[a] == sp[c] && fabs(k[a] - at) <= tol); a++)
			;
		sc -= a == nk;
	}
	return sc;
}

double tl_align(const double *k, const int *kp, int nk, const double *s, const int *sp,
		int ns, double tol, double w0, double w1, double *rate, int *score)
{
	double best = 0, br = 1, bres = INFINITY, res;
	int i, j, i2, j2, sc, bs = 0;

	for (i = 0; i < nk; i++)
		for (j = 0; j < ns; j++) {
			if (kp[i] != sp[j])
				continue;
			/* one pair at rate 1, then every second pair for the rate */
			sc = fit(k, kp, nk, s, sp, ns, tol, 1, k[i] - s[j], w0, w1, &res);
			if (sc > bs || (sc == bs && res < bres))
				bs = sc, bres = res, br = 1, best = k[i] - s[j];
			for (i2 = i + 1; i2 < nk; i2++)
				for (j2 = 0; j2 < ns; j2++) {
					double r;

					if (kp[i2] != sp[j2] || fabs(s[j2] - s[j]) < 1)
						continue;
					r = (k[i2] - k[i]) / (s[j2] - s[j]);
					if (r < 0.75 || r > 1.33)
						continue;
					sc = fit(k, kp, nk, s, sp, ns, tol, r, k[i] - r * s[j], w0, w1,
						 &res);
					if (sc > bs || (sc == bs && res < bres))
						bs = sc, bres = res, br = r, best = k[i] - r * s[j];
				}
		}
	*score = bs;
	*rate = bs > 0 ? br : 1;
	return bs > 0 ? best : 0;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void tl_axis_build(struct tl_axis *ax, const double *t, int n, double gap, double pad,
		   double x0, double x1, double brk)
{
	double *s, total = 0, scale;
	int i, k = 0;

	memset(ax, 0, sizeof(*ax));
	if (n <= 0) {
		ax->nseg = 1;
		ax->a[0] = 0, ax->b[0] = 1, ax->xa[0] = x0, ax->xb[0] = x1;
		return;
	}
	s = malloc(n * sizeof(*s));
	memcpy(s, t, n * sizeof(*s));
	qsort(s, n, sizeof(*s), dcmp);
	ax->a[0] = s[0] - pad;
	ax->b[0] = s[0] + pad;
	for (i = 1; i < n; i++) {
		if (s[i] - ax->b[k] > gap - 2 * pad && k + 1 < TL_SEG_MAX) {
			ax->a[++k] = s[i] - pad;
			ax->b[k] = s[i] + pad;
		} else if (s[i] + pad > ax->b[k]) {
			ax->b[k] = s[i] + pad;
		}
	}
	free(s);
	ax->nseg = k + 1;
	for (i = 0; i < ax->nseg; i++)
		total += ax->b[i] - ax->a[i];
	scale = (x1 - x0 - brk * k) / total;
	for (i = 0; i < ax->nseg; i++) {
		ax->xa[i] = i ? ax->xb[i - 1] + brk : x0;
		ax->xb[i] = ax->xa[i] + (ax->b[i] - ax->a[i]) * scale;
	}
}

double tl_x(const struct tl_axis *ax, double t)
{
	int i;

	if (t <= ax->a[0])
		return ax->xa[0];
	for (i = 0; i < ax->nseg; i++) {
		if (t <= ax->b[i])
			return t < ax->a[i] ? (ax->xb[i - 1] + ax->xa[i]) / 2 :
			       ax->xa[i] + (t - ax->a[i]) * (ax->xb[i] - ax->xa[i]) /
			       (ax->b[i] - ax->a[i]);
	}
	return ax->xb[ax->nseg - 1];
}

bool tl_inside(const struct tl_win *w)
{
	return !w->has_expect || !w->has_measured ||
	       (w->measured >= w->lo && w->measured <= w->hi);
}

int tl_dense(const struct tl *tl, const struct tl_axis *ax, double from, double px,
	     double *a, double *b)
{
	double t[TL_EV_MAX];
	int n = 0, i, j, best = 0;

	for (i = 0; i < tl->nev; i++)
		if (tl->ev[i].lane != TL_CUSTOMER && tl->ev[i].t >= from)
			t[n++] = tl->ev[i].t;
	qsort(t, n, sizeof(*t), dcmp);
	for (i = 0, j = 0; i < n; i++) {
		if (j < i)
			j = i;
		while (j + 1 < n && tl_x(ax, t[j + 1]) - tl_x(ax, t[i]) <= px)
			j++;
		if (j - i + 1 > best && t[j] > t[i]) {
			best = j - i + 1;
			*a = t[i];
			*b = t[j];
		}
	}
	return best;
}

/*
 * The customer's figures, seconds after the LOCK call, from the seed's logs and packet
 * tables (tests/explain/fixtures/seed-* quote all but svc-sleep's): svc-sleep from its 4.19
 * rpc_debug (call 49.63, alarms, message 140.40); link-down 19:41:44 LOCK; fin-blackhole
 * 0825 (FIN 01:10:31, LOCK ~01:10:59: the quick profile's 28 s) and 0622 (FIN 22:53:13.64,
 * LOCK ~22:54:38: the customer profile's 85 s), FIN retransmissions of 0825; portmap 0619
 * from the first SYN to 111 (02:21:34.14).
 */
struct cust { double t; enum tl_kind kind; const char *label; };

static const struct cust c_svc[] = {
	{ 0, TL_CALL, "LOCK call" }, { 20.12, TL_NLM, "re-send" }, { 50.32, TL_NLM, "re-send" },
	{ 90.77, TL_LOG, "still trying" }, { 0, 0, NULL } };
static const struct cust c_link[] = {
	{ 0, TL_CALL, "LOCK wanted, SYNs" }, { 61, TL_LOG, "still trying" },
	{ 75, TL_SYN, "NIC up: SYN, LOCK sent" }, { 117, TL_NLM, "LOCK re-send" },
	{ 135, TL_LOG, "Reply DENIED_NOLOCKS, OK" }, { 0, 0, NULL } };
static const struct cust c_fin0825[] = {
	{ -28, TL_FIN, "FIN" }, { -27.78, TL_FIN, "" }, { -27.56, TL_FIN, "" },
	{ -27.13, TL_FIN, "" }, { -26.24, TL_FIN, "" }, { -24.48, TL_FIN, "" },
	{ -21.04, TL_FIN, "" }, { -13.91, TL_FIN, "" }, { 0.16, TL_FIN, "" },
	{ 0, TL_CALL, "LOCK" }, { 27.68, TL_FIN, "" }, { 60, TL_LOG, "still trying" },
	{ 84.64, TL_FIN, "" }, { 157, TL_SYN, "SYN same port, OK" }, { 0, 0, NULL } };
static const struct cust c_fin0622[] = {
	{ -84.36, TL_FIN, "FIN (retransmitted ~3 min)" }, { 0, TL_CALL, "LOCK" },
	{ 60, TL_LOG, "still trying" }, { 99.96, TL_SYN, "SYN same port 871" },
	{ 100.36, TL_LOG, "OK" }, { 0, 0, NULL } };
static const struct cust c_portmap[] = {
	{ 0, TL_SYN, "SYN to 111" }, { 1, TL_SYN, "" }, { 3, TL_SYN, "" }, { 7, TL_SYN, "" },
	{ 15, TL_SYN, "" }, { 31, TL_SYN, "" }, { 64, TL_LOG, "still trying" }, { 0, 0, NULL } };

bool tl_customer(struct tl *tl, const char *scenario, const char *profile)
{
	const struct cust *c = NULL;
	const char *name = NULL;
	bool quick = profile && !strcmp(profile, "quick");

	if (!strcmp(scenario, "svc-sleep"))
		c = c_svc, name = "seed (4.19)";
	else if (!strcmp(scenario, "link-down"))
		c = c_link, name = "seed (link down)";
	else if (!strcmp(scenario, "fin-blackhole"))
		c = quick ? c_fin0825 : c_fin0622, name = quick ? "customer 0825" : "customer 0622";
	else if (!strcmp(scenario, "portmap-synack-lost"))
		c = c_portmap, name = "customer 0619";
	if (!c)
		return false;
	snprintf(tl->customer, sizeof(tl->customer), "%s", name);
	for (; c->label; c++) {
		char title[160];

		snprintf(title, sizeof(title), "%s: %s, %.2f s after the call", name,
			 *c->label ? c->label : "retransmission", c->t);
		tl_add(tl, c->t, TL_CUSTOMER, c->kind, !*c->label, c->label, title);
	}
	return true;
}

/* ---- drawing ---- */

#define W	1280.0
#define X0	170.0
#define X1	(W - 60)
#define BRK	28.0

static const char *const kcolor[TL_KINDS] = {
	[TL_NLM] = "#1f5fbf", [TL_RPCB] = "#6b8e23", [TL_SYN] = "#2ca02c",
	[TL_SYNACK] = "#17a2b8", [TL_FIN] = "#d62728", [TL_RST] = "#000000",
	[TL_CHACK] = "#9467bd", [TL_ICMP] = "#8c564b", [TL_LOG] = "#a0522d",
	[TL_CALL] = "#555555",
};

static void esc(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, f);
		}
}

/* a tick step that leaves >= 60 px between ticks at scale px/s */
static double tick_step(double pxs)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600,
					1800, 3600 };
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * pxs >= 60)
			return steps[i];
	return 3600;
}

/* greedy label rows: the row whose last label ends left of x, or -1 */
static int label_row(double *end, int rows, double x, double w)
{
	int r;

	for (r = 0; r < rows; r++)
		if (end[r] < x) {
			end[r] = x + w;
			return r;
		}
	return -1;
}

static double text_w(const char *s)
{
	return 5.6 * strlen(s) + 4;
}

/* one lane: ticks at every event, labels where a row has room */
static void lane(FILE *f, const struct tl *tl, const struct tl_axis *ax, enum tl_lane ln,
		 double y, double h, const char *name)
{
	double end[6] = { -1e9, -1e9, -1e9, -1e9, -1e9, -1e9 };
	int rows = (int)((h - 8) / 12) > 6 ? 6 : (int)((h - 8) / 12), i;

	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
		X0, y, X1 - X0, h, ln == TL_CUSTOMER ? "#fff8e6" : "#f7f9fc");
	fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"lane\">", y + h / 2 + 4);
	esc(f, name);
	fputs("</text>\n", f);
	for (i = 0; i < tl->nev; i++) {
		const struct tl_ev *e = &tl->ev[i];
		double x = tl_x(ax, e->t);
		int r;

		if (e->lane != ln || e->t < ax->a[0] || e->t > ax->b[ax->nseg - 1])
			continue;
		fprintf(f, "<g><title>%+.3f s: ", e->t);
		esc(f, e->title);
		fprintf(f, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"%s\"%s/>", x, y + 2, x, y + h - 2,
			kcolor[e->kind], e->kind == TL_LOG ? "2" : "1.2",
			e->resend ? " stroke-dasharray=\"3,2\"" : "");
		if (e->kind == TL_LOG)
			fprintf(f, "<path d=\"M%.1f %.1f l4 5 l-4 5 l-4 -5 z\" fill=\"%s\"/>", x,
				y + h - 12, kcolor[e->kind]);
		/* near the right edge a label goes left of its mark */
		if (*e->label && x + text_w(e->label) > W - 4 &&
		    (r = label_row(end, rows, x - text_w(e->label), text_w(e->label))) >= 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ev\" fill=\"%s\" "
				"text-anchor=\"end\">", x - 2, y + 11 + 12 * r, kcolor[e->kind]);
			esc(f, e->label);
			fputs("</text>", f);
		} else if (*e->label && x + text_w(e->label) <= W - 4 &&
			   (r = label_row(end, rows, x, text_w(e->label))) >= 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ev\" fill=\"%s\">", x + 2,
				y + 11 + 12 * r, kcolor[e->kind]);
			esc(f, e->label);
			fputs("</text>", f);
		}
		fputs("</g>\n", f);
	}
}

/* the axis at y: each kept stretch with its ticks; the breaks hatched up to ytop */
static void axis(FILE *f, const struct tl_axis *ax, double y, double ytop)
{
	int i;

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n",
		X0, y, X1, y);
	for (i = 0; i < ax->nseg; i++) {
		double pxs = (ax->xb[i] - ax->xa[i]) / (ax->b[i] - ax->a[i]), st = tick_step(pxs), t;

		for (t = ceil(ax->a[i] / st) * st; t <= ax->b[i] + 1e-9; t += st)
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				"stroke=\"#333\"/><text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
				"text-anchor=\"middle\">%g</text>\n", tl_x(ax, t), y, tl_x(ax, t), y + 4,
				tl_x(ax, t), y + 15, fabs(t) < 1e-9 ? 0 : t);
		if (i) {
			double xa = ax->xb[i - 1] + 3, xb = ax->xa[i] - 3;

			fprintf(f, "<g><title>%.1f s without events cut out of the axis</title>"
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"class=\"brk\"/><path d=\"M%.1f %.1f l6 -10 M%.1f %.1f l6 -10\" "
				"stroke=\"#333\" stroke-width=\"1.5\"/><text x=\"%.1f\" y=\"%.1f\" "
				"class=\"ax\" text-anchor=\"middle\">%.0f s</text></g>\n",
				ax->a[i] - ax->b[i - 1], xa, ytop, xb - xa, y - ytop, xa - 3, y + 5,
				xb - 3, y + 5, (xa + xb) / 2, y + 27, ax->a[i] - ax->b[i - 1]);
		}
	}
}

/* a window's band, expectation and measured mark between y and y + h */
static void band(FILE *f, double xl, double xh, double xe, double xm, const struct tl_win *w,
		 double y, double h)
{
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"band\"/>",
		xl, y, xh - xl < 2 ? 2 : xh - xl, h);
	if (w->has_expect)
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"exp\"/>",
			xe, y, xe, y + h);
	if (w->has_measured)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" class=\"%s\"/>", xm,
			y + h / 2, tl_inside(w) ? "in" : "out");
}

static void win_title(FILE *f, const struct tl_win *w)
{
	fputs("<title>", f);
	esc(f, w->what);
	fputs(": ", f);
	if (w->has_expect)
		fprintf(f, "model %.2f s [%.2f, %.2f]", w->expect, w->lo, w->hi);
	else
		fputs("no model figure", f);
	if (w->has_measured)
		fprintf(f, ", measured %.2f s (%s)", w->measured,
			tl_inside(w) ? "inside" : "OUTSIDE");
	else
		fputs(", not seen", f);
	fputs(" after ", f);
	esc(f, w->from);
	fputs("</title>", f);
}

void tl_svg(FILE *f, const struct tl *tl)
{
	double ts[TL_EV_MAX + 3 * TL_WIN_MAX + 2], y, h, yaxis, ylane[TL_LANES], hlane[TL_LANES];
	double za = 0, zb = 0, yinset;
	int n = 0, i, nb = 0, np = 0, nz;
	struct tl_axis ax, zax;
	double height;

	for (i = 0; i < tl->nev; i++)
		ts[n++] = tl->ev[i].t;
	for (i = 0; i < tl->nwin; i++) {
		const struct tl_win *w = &tl->win[i];

		if (!w->placed)
			continue;
		if (w->has_expect) {
			ts[n++] = w->ref + w->lo;
			ts[n++] = w->ref + w->hi;
			nb++;
		}
		if (w->has_measured)
			ts[n++] = w->ref + w->measured;
	}
	if (tl->has_imp) {
		ts[n++] = tl->imp_on;
		ts[n++] = tl->imp_off;
	}
	tl_axis_build(&ax, ts, n, TL_GAP_S, 1.0, X0, X1, BRK);
	for (i = 0; i < tl->nwin; i++)
		np += tl->win[i].has_expect || tl->win[i].has_measured;

	/* layout, top to bottom */
	y = 58;
	ylane[TL_CLIENT] = y + 22;
	hlane[TL_CLIENT] = 86;
	ylane[TL_SERVER] = ylane[TL_CLIENT] + hlane[TL_CLIENT] + 6;
	hlane[TL_SERVER] = 50;
	y = ylane[TL_SERVER] + hlane[TL_SERVER] + 6;	/* model lane */
	h = 16.0 * (nb ? nb : 1) + 4;
	ylane[TL_CUSTOMER] = y + h + 6;
	hlane[TL_CUSTOMER] = tl->customer[0] ? 50 : 0;
	yaxis = ylane[TL_CUSTOMER] + hlane[TL_CUSTOMER] + 8;
	/* an inset for the densest burst after the impairment went on (retransmissions
	 * a fraction of a second apart): >= 6 events within 40 px of the main axis */
	nz = tl_dense(tl, &ax, tl->has_imp ? tl->imp_on : -INFINITY, 40, &za, &zb) >= 6;
	if (nz) {
		double pad = fmax(0.05, (zb - za) * 0.06);

		tl_axis_build(&zax, (double[]){ za - pad, zb + pad }, 2, INFINITY, 0, X0, X1, 0);
	}
	yinset = yaxis + 40;
	height = yinset + (nz ? 190 : 0) + (np ? 34 + 18.0 * np : 0) + 50;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
		"<style>.lane{font-size:12px;font-weight:bold;fill:#222}"
		".ev{font-size:10px}.ax{font-size:10px;fill:#333}.t{font-size:15px;font-weight:bold}"
		".s{font-size:11px;fill:#444}.band{fill:#9fd49f;fill-opacity:.55;stroke:#3a8a3a;"
		"stroke-width:.6}.exp{stroke:#205020;stroke-width:1.5}.in{fill:#1a9641;stroke:#fff}"
		".out{fill:#d7191c;stroke:#fff}.brk{fill:#eee}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n", W, height, W, height);
	fputs("<text x=\"8\" y=\"20\" class=\"t\">", f);
	esc(f, tl->title);
	fputs("</text>\n<text x=\"8\" y=\"37\" class=\"s\">", f);
	esc(f, tl->sub);
	fputs("</text>\n<text x=\"8\" y=\"51\" class=\"s\">", f);
	esc(f, tl->align);
	fputs("</text>\n", f);

	/* the impairment */
	fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"lane\">impairment</text>\n", ylane[0] - 8);
	if (tl->has_imp) {
		double xa = tl_x(&ax, tl->imp_on), xb = tl_x(&ax, tl->imp_off);

		fprintf(f, "<g><title>");
		esc(f, tl->imp_label);
		fprintf(f, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" "
			"fill=\"#f0a030\" fill-opacity=\".8\"/><text x=\"%.1f\" y=\"%.1f\" "
			"class=\"ev\">", xa, ylane[0] - 18, xb - xa < 1 ? 1 : xb - xa, xa + 3,
			ylane[0] - 9);
		esc(f, tl->imp_label);
		fputs("</text></g>\n", f);
	}
	lane(f, tl, &ax, TL_CLIENT, ylane[TL_CLIENT], hlane[TL_CLIENT], "client");
	lane(f, tl, &ax, TL_SERVER, ylane[TL_SERVER], hlane[TL_SERVER], "server");

	/* the model's windows placed on the axis, one row each */
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f4fbf4\"/>"
		"<text x=\"8\" y=\"%.1f\" class=\"lane\">model windows</text>\n", X0, y, X1 - X0,
		h, y + 14);
	for (i = 0, nb = 0; i < tl->nwin; i++) {
		const struct tl_win *w = &tl->win[i];
		double yy = y + 2 + 16.0 * nb;

		if (!w->placed || !w->has_expect)
			continue;
		nb++;
		fputs("<g>", f);
		win_title(f, w);
		band(f, tl_x(&ax, w->ref + w->lo), tl_x(&ax, w->ref + w->hi),
		     tl_x(&ax, w->ref + w->expect), tl_x(&ax, w->ref + w->measured), w, yy, 13);
		if (tl_x(&ax, w->ref + w->hi) + 7 + text_w(w->what) > W)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ev\" text-anchor=\"end\">",
				tl_x(&ax, w->ref + w->lo) - 7, yy + 10);
		else
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ev\">",
				tl_x(&ax, w->ref + w->hi) + 7, yy + 10);
		esc(f, w->what);
		fputs("</text></g>\n", f);
	}
	if (tl->customer[0])
		lane(f, tl, &ax, TL_CUSTOMER, ylane[TL_CUSTOMER], hlane[TL_CUSTOMER], tl->customer);

	axis(f, &ax, yaxis, ylane[TL_CLIENT]);
	fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"ax\">", yaxis + 15);
	esc(f, tl->axis[0] ? tl->axis : "s after the test's first call");
	fputs("</text>\n", f);

	/* the inset: the burst again at its own scale, framed where it lies on the axis */
	if (nz) {
		double xa = tl_x(&ax, zax.a[0]), xb = tl_x(&ax, zax.b[0]);

		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"none\" stroke=\"#444\" stroke-dasharray=\"4,3\"/>\n", xa - 2,
			ylane[TL_CLIENT] - 2, xb - xa + 4, ylane[TL_SERVER] + hlane[TL_SERVER] -
			ylane[TL_CLIENT] + 4);
		fprintf(f, "<path d=\"M%.1f %.1f L%.1f %.1f M%.1f %.1f L%.1f %.1f\" stroke=\"#999\" "
			"stroke-dasharray=\"4,3\" fill=\"none\"/>\n", xa - 2, yaxis + 18, X0,
			yinset + 4, xb + 2, yaxis + 18, X1, yinset + 4);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"lane\">inset: %.2f to %.2f s, the "
			"densest burst at its own scale</text>\n", yinset + 14, zax.a[0], zax.b[0]);
		lane(f, tl, &zax, TL_CLIENT, yinset + 22, 80, "client");
		lane(f, tl, &zax, TL_SERVER, yinset + 106, 44, "server");
		axis(f, &zax, yinset + 156, yinset + 22);
	}

	/* every window again, on its own reference */
	y = yinset + (nz ? 190 : 0);
	if (np) {
		fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"lane\">each moment on its own "
			"reference: model window (band, its expectation a dark line), measured "
			"(dot: green inside, red outside)</text>\n", y + 10);
		y += 24;
	}
	for (i = 0; i < tl->nwin; i++) {
		const struct tl_win *w = &tl->win[i];
		double lo = 0, hi = 1, xl = 560, xr = 900, sc;
		char txt[200];

		if (!w->has_expect && !w->has_measured)
			continue;
		/* a moment without a model figure is a count or a time: its words say which */
		if (!w->has_expect) {
			fputs("<text x=\"8\" y=\"", f);
			fprintf(f, "%.1f\" class=\"ev\">", y + 10);
			esc(f, w->what);
			fprintf(f, ": %.2f (", w->measured);
			esc(f, w->why);
			fputs(w->unchecked ? "; measured only, not a check)</text>\n" :
			      "; no model window)</text>\n", f);
			y += 18;
			continue;
		}
		lo = fmin(lo, w->lo);
		hi = fmax(hi, w->hi);
		if (w->has_measured) {
			lo = fmin(lo, w->measured);
			hi = fmax(hi, w->measured);
		}
		hi += (hi - lo) * 0.05;
		sc = (xr - xl) / (hi - lo);
		fputs("<g>", f);
		win_title(f, w);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"ev\">", y + 10);
		esc(f, w->what);
		fputs(" (s after ", f);
		esc(f, w->from);
		fprintf(f, ")</text><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"#bbb\"/><text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
			"text-anchor=\"end\">%g</text>", xl, y + 7, xr, y + 7, xl - 3, y + 10, lo);
		band(f, xl + (w->lo - lo) * sc, xl + (w->hi - lo) * sc, xl + (w->expect - lo) * sc,
		     xl + ((w->has_measured ? w->measured : 0) - lo) * sc, w, y, 14);
		if (w->has_expect && w->has_measured)
			snprintf(txt, sizeof(txt), "model %.2f [%.2f, %.2f], measured %.2f: %s",
				 w->expect, w->lo, w->hi, w->measured,
				 tl_inside(w) ? "inside" : "OUTSIDE");
		else
			snprintf(txt, sizeof(txt), "model %.2f [%.2f, %.2f], not seen", w->expect,
				 w->lo, w->hi);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" class=\"ev\" fill=\"%s\">%s</text></g>\n",
			xr + 10, y + 10, tl_inside(w) ? "#1a6630" : "#b00000", txt);
		y += 18;
	}

	/* legend */
	y += 16;
	{
		static const char *const names[TL_KINDS] = {
			[TL_NLM] = "NLM", [TL_RPCB] = "rpcbind", [TL_SYN] = "SYN",
			[TL_SYNACK] = "SYN-ACK", [TL_FIN] = "FIN", [TL_RST] = "RST",
			[TL_CHACK] = "challenge ACK", [TL_ICMP] = "ICMP", [TL_LOG] = "kernel log line",
			[TL_CALL] = "lockd call (nlm_debug)",
		};
		double x = 8;
		int k;

		for (k = 0; k < TL_KINDS; k++) {
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				"stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\" class=\"ev\">%s</text>\n",
				x, y - 9, x, y + 2, kcolor[k], x + 5, y, names[k]);
			x += text_w(names[k]) + 18;
		}
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
			"stroke-dasharray=\"3,2\"/><text x=\"%.1f\" y=\"%.1f\" class=\"ev\">"
			"re-sent / retransmitted</text>\n", x, y - 9, x, y + 2, x + 5, y);
		fprintf(f, "<text x=\"8\" y=\"%.1f\" class=\"s\">Hover a mark for its whole line. "
			"Grey stretches: time without events, cut out of the axis (their length "
			"below).</text>\n", y + 18);
	}
	fputs("</svg>\n", f);
}
