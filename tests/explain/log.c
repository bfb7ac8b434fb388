// SPDX-License-Identifier: GPL-2.0
/*
 * log.c: the lockd lines of a kernel log as customers have it.
 *
 *   [ 34.530117] lockd: server 192.168.53.40 not responding, still trying    dmesg
 *   Jun 19 02:22:38 host kernel: [9697905.032077] lockd: server …            syslog
 *   messages:Aug 25 01:11:59 host kernel: [1471.1] lockd: …                  grep -r
 *   [Fri Jun 27 19:42:45 2025] lockd: server 192.168.53.40 OK                dmesg -T
 *   2025-06-22T22:55:38.123456+08:00 host kernel: lockd: …                   ISO stamps
 *
 * The wall clock is kept as written (local time, read as if UTC: the capture's text is
 * local time too, and classify.c aligns the clocks anyway). Syslog stamps are whole
 * seconds written when syslogd got the line; where the kernel's own stamps are there as
 * well, they narrow each moment to what both allow (ex_log_set_year()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "explain.h"

char ex_err[320];

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";


static int digits(const char *s, const char *e, int n, int *out)
{
	int v = 0, i;

	if (e - s < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + s[i] - '0';
	}
	*out = v;
	return 0;
}

/* "HH:MM:SS[.frac]" at s; returns the end or NULL */
static const char *hms(const char *s, const char *e, double *sod, double *res)
{
	int h, m, sec;
	double frac = 0, scale = 0.1;

	if (digits(s, e, 2, &h) || e - s < 8 || s[2] != ':' || digits(s + 3, e, 2, &m) ||
	    s[5] != ':' || digits(s + 6, e, 2, &sec) || h > 23 || m > 59 || sec > 60)
		return NULL;
	s += 8;
	*res = 1;
	if (s < e && (*s == '.' || *s == ',')) {
		s++;
		while (s < e && *s >= '0' && *s <= '9') {
			frac += (*s++ - '0') * scale;
			scale /= 10;
		}
		*res = 0;
	}
	*sod = h * 3600 + m * 60 + sec + frac;
	return s;
}

static int month_of(const char *s, const char *e)
{
	int i;

	if (e - s < 3)
		return -1;
	for (i = 0; i < 12; i++)
		if (!memcmp(s, months + 3 * i, 3))
			return i;
	return -1;
}

/* a wall stamp in [s, e): syslog "Jun 19 02:22:38", dmesg -T "Fri Jun 27 19:42:45 2025",
 * ISO "2025-06-22T22:55:38[.frac]" or "2025-06-22 22:55:38" */
static void wall_stamp(const char *s, const char *e, struct ex_stamp *st)
{
	const char *p, *q;
	int mon, day, y, mo;

	for (p = s; p + 8 <= e; p++) {
		/* ISO */
		if (!digits(p, e, 4, &y) && e - p >= 19 && p[4] == '-' &&
		    !digits(p + 5, e, 2, &mo) && p[7] == '-' && !digits(p + 8, e, 2, &day) &&
		    (p[10] == 'T' || p[10] == ' ') && mo >= 1 && mo <= 12 && day >= 1 &&
		    day <= 31 && hms(p + 11, e, &st->sod, &st->res)) {
			st->has_wall = 1, st->year = y, st->mon = mo - 1, st->mday = day;
			return;
		}
		/* "Mon DD HH:MM:SS" */
		if ((mon = month_of(p, e)) < 0 || p + 3 >= e || p[3] != ' ')
			continue;
		q = p + 4;
		if (q < e && *q == ' ')
			q++;
		day = 0;
		while (q < e && *q >= '0' && *q <= '9' && day < 100)
			day = day * 10 + *q++ - '0';
		if (day < 1 || day > 31 || q >= e || *q != ' ')
			continue;
		q = hms(q + 1, e, &st->sod, &st->res);
		if (!q)
			continue;
		st->has_wall = 1, st->mon = mon, st->mday = day, st->year = 0;
		if (e - q >= 5 && *q == ' ' && !digits(q + 1, e, 4, &y))
			st->year = y;
		return;
	}
}

/* a kernel stamp "[  34.530117]" in [s, e) */
static void kstamp(const char *s, const char *e, struct ex_stamp *st)
{
	const char *p, *q;
	char num[32];
	size_t n;

	for (p = s; p < e; p++) {
		if (*p != '[')
			continue;
		q = p + 1;
		while (q < e && *q == ' ')
			q++;
		n = 0;
		while (q < e && n < sizeof(num) - 1 && ((*q >= '0' && *q <= '9') || *q == '.'))
			num[n++] = *q++;
		num[n] = 0;
		if (n && q < e && *q == ']' && strchr(num, '.')) {
			st->has_kstamp = 1;
			st->kstamp = strtod(num, NULL);
			return;
		}
	}
}

static int push(struct ex_log *lg, const struct ex_line *l)
{
	if (lg->n >= EX_MAX_LINES) {
		snprintf(ex_err, sizeof(ex_err), "more than %d lockd lines", EX_MAX_LINES);
		return -EINVAL;
	}
	if (lg->n == lg->cap) {
		unsigned int cap = lg->cap ? 2 * lg->cap : 64;
		struct ex_line *nl = realloc(lg->l, cap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		lg->l = nl;
		lg->cap = cap;
	}
	lg->l[lg->n++] = *l;
	return 0;
}

/* copy the word at s (up to a blank, at most sizeof(host) - 1) */
static const char *word(const char *s, const char *e, char *out, size_t len)
{
	size_t n = 0;

	while (s < e && *s != ' ' && *s != '\t' && n < len - 1)
		out[n++] = *s++;
	out[n] = 0;
	return s;
}

static int parse_line(struct ex_log *lg, const char *s, const char *e, int server_log)
{
	struct ex_line l = { .lineno = lg->lines, .server_log = server_log };
	struct ex_stamp *st = &l.st, any = { 0 };
	const char *p, *q;
	int major, minor;

	/* a kernel log's line: "[  12.3]", dmesg -T's "[Fri Jun 27 …]", syslog's "kernel:" */
	kstamp(s, e, &any);
	lg->klines += any.has_kstamp || memmem(s, e - s, "kernel:", 7) ||
		      (s < e && *s == '[' && memchr(s, ']', e - s < 40 ? e - s : 40));

	if ((p = memmem(s, e - s, "Linux version ", 14)) && !lg->kver_major) {
		word(p + 14, e, lg->kver, sizeof(lg->kver));
		if (sscanf(lg->kver, "%d.%d", &major, &minor) == 2 && major > 0 && major < 100 &&
		    minor >= 0 && minor < 1000)
			lg->kver_major = major, lg->kver_minor = minor;
		return 0;
	}
	if (!(p = memmem(s, e - s, "lockd: ", 7)))
		return 0;
	q = p + 7;
	if (e - q > 7 && !memcmp(q, "server ", 7)) {
		q = word(q + 7, e, l.host, sizeof(l.host));
		while (q < e && *q == ' ')
			q++;
		if (e - q >= 15 && !memcmp(q, "not responding", 14)) {
			if (memmem(q, e - q, "still trying", 12))
				l.kind = EX_TRYING;
			else if (memmem(q, e - q, "timed out", 9))
				l.kind = EX_TIMEDOUT;
			else
				return 0;
		} else if (e - q >= 2 && (!memcmp(q, "OK", 2) || !memcmp(q, "0K", 2)) &&
			   (e - q == 2 || q[2] == ' ' || q[2] == '\r')) {
			l.kind = EX_OK;
			l.zero_k = q[0] == '0';
			lg->zero_k += l.zero_k;
		} else {
			return 0;	/* "server returns status", … */
		}
	} else if (e - q > 15 && !memcmp(q, "call procedure ", 15)) {
		q += 15;
		l.proc = 0;
		if (q >= e || *q < '0' || *q > '9')
			return 0;
		while (q < e && *q >= '0' && *q <= '9' && l.proc < 1000)
			l.proc = l.proc * 10 + *q++ - '0';
		if (e - q < 4 || memcmp(q, " on ", 4))
			return 0;
		q = word(q + 4, e, l.host, sizeof(l.host));
		l.kind = EX_CALL;
		l.async = !!memmem(q, e - q, "(async)", 7);
	} else {
		return 0;
	}
	wall_stamp(s, p, st);
	kstamp(s, p, st);
	return push(lg, &l);
}

int ex_log_parse(struct ex_log *lg, const char *buf, size_t len, int server_log)
{
	const char *s = buf, *e = buf + len, *nl;
	unsigned int k0 = lg->klines, n0 = lg->n, l0 = lg->lines;
	int err;

	if (!len) {
		snprintf(ex_err, sizeof(ex_err), "empty log");
		return -EINVAL;
	}
	/* a log is text: refuse binary input (a pcap given as DMESG, …) in one line */
	if (!ex_is_text(buf, len)) {
		snprintf(ex_err, sizeof(ex_err), "not a text log (more than 5 %% of its first "
			 "bytes are control characters)");
		return -EINVAL;
	}
	while (s < e) {
		nl = memchr(s, '\n', e - s);
		if (!nl)
			nl = e;
		lg->lines++;
		if ((err = parse_line(lg, s, nl, server_log)))
			return err;
		s = nl + 1;
	}
	if (lg->klines == k0 && lg->n == n0) {
		snprintf(ex_err, sizeof(ex_err), "not a kernel log: none of its %u lines has a "
			 "kernel stamp, a \"kernel:\" tag or a lockd line", lg->lines - l0);
		return -EINVAL;
	}
	return 0;
}

static double day_start(int year, int mon, int mday)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = mon, .tm_mday = mday };

	return (double)timegm(&tm);
}

/*
 * Give every line its moment. Wall clock when the client's lines have it; a line's
 * whole-second syslog stamp says the print was in [wall, wall + 1), its kernel stamp
 * fixes the gaps between prints: within a run of lines (< 10 min apart, where the two
 * clocks cannot drift by a tick's worth) the offset kstamp -> wall is what every line of
 * the run allows.
 */
void ex_log_set_year(struct ex_log *lg, int year)
{
	unsigned int i, j, k, wall = 0, kst = 0, client = 0;

	for (i = 0; i < lg->n; i++) {
		if (lg->l[i].server_log)
			continue;
		client++;
		wall += lg->l[i].st.has_wall;
		kst += lg->l[i].st.has_kstamp;
		if (lg->l[i].st.has_wall && lg->l[i].st.year)
			lg->year_known = 1;
	}
	lg->clock = client && wall == client ? EX_CLOCK_WALL :
		    client && kst == client ? EX_CLOCK_UPTIME : EX_CLOCK_NONE;
	for (i = 0; i < lg->n; i++) {
		struct ex_stamp *st = &lg->l[i].st;
		struct ex_line *l = &lg->l[i];

		if (lg->clock == EX_CLOCK_WALL && st->has_wall) {
			l->wall_lo = day_start(st->year ? st->year : year ? year : 2000, st->mon,
					       st->mday) + st->sod;
			l->t = l->wall_lo;
			l->res = st->res;
		} else if (st->has_kstamp) {
			l->t = st->kstamp;
			l->res = 0;
		} else {
			l->t = i;
			l->res = 0;
		}
	}
	if (lg->clock != EX_CLOCK_WALL)
		return;
	for (i = 0; i < lg->n; i = j) {
		double lo = -1e18, hi = 1e18;

		for (j = i; j < lg->n; j++) {
			if (!lg->l[j].st.has_kstamp || lg->l[j].res == 0 || lg->l[j].server_log ||
			    (j > i && lg->l[j].wall_lo - lg->l[j - 1].wall_lo > 600))
				break;
			if (lg->l[j].wall_lo - lg->l[j].st.kstamp > lo)
				lo = lg->l[j].wall_lo - lg->l[j].st.kstamp;
			if (lg->l[j].wall_lo + 1 - lg->l[j].st.kstamp < hi)
				hi = lg->l[j].wall_lo + 1 - lg->l[j].st.kstamp;
		}
		if (j == i) {
			j++;
			continue;
		}
		if (lo > hi)	/* the stamps disagree: keep the whole seconds */
			continue;
		for (k = i; k < j; k++) {
			lg->l[k].wall_lo = lg->l[k].st.kstamp + lo;
			lg->l[k].t = lg->l[k].st.kstamp + lo;
			lg->l[k].res = hi - lo;
		}
	}
}

void ex_log_free(struct ex_log *lg)
{
	free(lg->l);
	memset(lg, 0, sizeof(*lg));
}
