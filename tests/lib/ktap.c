// SPDX-License-Identifier: GPL-2.0
/* ktap.c: the KTAP/TAP reader and counter (the rules are in ktap.h). */
#include "ktap.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* the first problem of a kind wins; later ones are counted only */
static void why(char *buf, const char *fmt, ...)
{
	va_list ap;

	if (buf[0])
		return;
	va_start(ap, fmt);
	vsnprintf(buf, LR_KTAP_WHY, fmt, ap);
	va_end(ap);
}

/* the line (p, n) as a quoted reason: at most 200 characters of it */
#define LINE_FMT	"%.*s%s"
#define LINE_ARGS(p, n)	(int)((n) > 200 ? 200 : (n)), (p), (n) > 200 ? "..." : ""

/* p (n characters) starts with the word w: w, then the end or a blank */
static bool word(const char *p, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && !memcmp(p, w, l) && (n == l || blank(p[l]));
}

static bool prefix(const char *p, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && !memcmp(p, w, l);
}

/* a decimal number at *p (before end) into *v, *p moved past it; false if none */
static bool number(const char **p, const char *end, unsigned int *v)
{
	unsigned long x = 0;
	const char *q = *p;

	if (q >= end || !digit(*q))
		return false;
	while (q < end && digit(*q)) {
		if (x < 100000000UL)
			x = x * 10 + (unsigned long)(*q - '0');
		q++;
	}
	*p = q;
	*v = (unsigned int)x;
	return true;
}

void lr_ktap_init(struct lr_ktap *k)
{
	memset(k, 0, sizeof(*k));
}

/* account the current document once: docs, plan sum, completeness */
static void doc_close(struct lr_ktap *k)
{
	struct lr_ktap_doc *d = &k->doc;

	if (!d->started || d->closed)
		return;
	d->closed = true;
	k->docs++;
	if (!d->has_plan) {
		why(k->why_incomplete, "no plan (%u result(s))", d->results);
		return;
	}
	k->plan += d->plan;
	if (d->results != d->plan)
		why(k->why_incomplete, "plan 1..%u but %u result(s)", d->plan, d->results);
}

static void doc_new(struct lr_ktap *k)
{
	doc_close(k);
	memset(&k->doc, 0, sizeof(k->doc));
	k->doc.started = true;
}

static void plan_line(struct lr_ktap *k, const char *p, const char *end)
{
	struct lr_ktap_doc *d = &k->doc;
	const char *q = p + 3;
	unsigned int n;

	if (!number(&q, end, &n) || (q < end && !blank(*q))) {
		k->error++;
		why(k->why_error, "line %lu: garbled plan \"" LINE_FMT "\"", k->lineno,
		    LINE_ARGS(p, (size_t)(end - p)));
		return;
	}
	while (q < end && blank(*q))
		q++;
	if (q < end && *q != '#') {
		k->error++;
		why(k->why_error, "line %lu: garbled plan \"" LINE_FMT "\"", k->lineno,
		    LINE_ARGS(p, (size_t)(end - p)));
		return;
	}
	/* a plan after a closed document, or a second one in an open one: a new document */
	if (!d->started || d->closed || d->has_plan)
		doc_new(k);
	d->has_plan = true;
	d->plan = n;
	if (d->results) {
		doc_close(k);		/* trailing plan */
	} else {
		d->leading = true;
		if (!n)
			doc_close(k);	/* "1..0": nothing to wait for */
	}
}

/* "# Totals: pass:5 fail:0 xfail:0 xpass:0 skip:0 error:0" against its document */
static void totals_line(struct lr_ktap *k, const char *p, const char *end)
{
	static const char *const keys[] = { "pass", "fail", "xfail", "xpass", "skip", "error" };
	const struct lr_ktap_doc *d = &k->doc;
	long t[6] = { -1, -1, -1, -1, -1, -1 };
	const char *q = p + strlen("# Totals:");
	unsigned int v, i;
	bool bad = false;

	while (q < end) {
		const char *w = q;

		while (q < end && *q != ':' && !blank(*q))
			q++;
		if (q < end && *q == ':') {
			const char *e = q++;

			for (i = 0; i < 6; i++)
				if ((size_t)(e - w) == strlen(keys[i]) && !memcmp(w, keys[i], e - w) &&
				    number(&q, end, &v))
					t[i] = v;
		}
		while (q < end && !blank(*q))
			q++;
		while (q < end && blank(*q))
			q++;
	}
	bad |= t[0] >= 0 && t[0] != d->pass;
	bad |= t[1] >= 0 && t[1] + (t[5] > 0 ? t[5] : 0) != d->fail;
	bad |= t[2] >= 0 && t[2] != d->xfail;
	bad |= t[3] >= 0 && t[3] != d->xpass;
	bad |= t[4] >= 0 && t[4] != d->skip;
	if (bad) {
		k->error++;
		why(k->why_error, "line %lu: \"" LINE_FMT "\" disagrees with the result lines "
		    "(pass:%u fail:%u xfail:%u xpass:%u skip:%u)", k->lineno,
		    LINE_ARGS(p, (size_t)(end - p)), d->pass, d->fail, d->xfail, d->xpass, d->skip);
	}
}

/* the directive of an "ok" line: the first '#' after the number, blanks, a word */
static const char *directive(const char *q, const char *end)
{
	static const char *const dirs[] = { "SKIP", "XFAIL", "XPASS" };
	unsigned int i;

	q = memchr(q, '#', end - q);
	if (!q)
		return NULL;
	for (q++; q < end && blank(*q); q++)
		;
	for (i = 0; i < 3; i++) {
		size_t l = strlen(dirs[i]);

		/* the whole word: "# SKIPPED" is no directive */
		if ((size_t)(end - q) >= l && !memcmp(q, dirs[i], l) &&
		    ((size_t)(end - q) == l || !(isalnum((unsigned char)q[l]) || q[l] == '_')))
			return dirs[i];
	}
	return NULL;
}

static void result_line(struct lr_ktap *k, const char *p, const char *end, bool nested)
{
	struct lr_ktap_doc *d = &k->doc;
	bool ok = p[0] == 'o';
	const char *q = p + (ok ? 2 : 6), *dir;
	size_t n = end - p;
	unsigned int num;
	bool after_full;

	while (q < end && blank(*q))
		q++;
	if (!number(&q, end, &num) || (q < end && !blank(*q))) {
		k->error++;
		why(k->why_error, "line %lu: result without a number \"" LINE_FMT "\"", k->lineno,
		    LINE_ARGS(p, n));
		return;
	}
	after_full = d->closed && d->leading;
	if (!d->started || d->closed)
		doc_new(k);
	dir = ok ? directive(q, end) : NULL;
	if (!ok) {
		d->fail++, k->fail++;
		why(k->why_fail, LINE_FMT, LINE_ARGS(p, n));
	} else if (!dir) {
		d->pass++, k->pass++;
	} else if (!strcmp(dir, "SKIP")) {
		d->skip++, k->skip++;
	} else if (!strcmp(dir, "XFAIL")) {
		d->xfail++, k->xfail++;
	} else {
		d->xpass++, k->xpass++;
		why(k->why_xpass, LINE_FMT, LINE_ARGS(p, n));
	}
	if (nested)
		return;
	d->results++;
	k->results++;
	if (num != d->last + 1) {
		k->error++;
		if (after_full && d->results == 1)
			why(k->why_error, "line %lu: \"" LINE_FMT "\" after the plan was complete",
			    k->lineno, LINE_ARGS(p, n));
		else
			why(k->why_error, "line %lu: result %u where %u was expected", k->lineno, num,
			    d->last + 1);
	}
	d->last = num;
	if (d->leading && d->results == d->plan)
		doc_close(k);
}

static void line_n(struct lr_ktap *k, const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	bool nested;

	k->lineno++;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	while (p < end && blank(*p))
		p++;
	if (p == end)
		return;
	k->lines++;
	nested = p != s;
	n = end - p;
	if (word(p, n, "ok") || word(p, n, "not ok")) {
		result_line(k, p, end, nested);
	} else if (prefix(p, n, "Bail out!")) {
		k->error++;
		why(k->why_error, LINE_FMT, LINE_ARGS(p, n));
		if (!k->doc.started)
			doc_new(k);
	} else if (nested) {
		return;		/* nested plans, versions, diagnostics */
	} else if (prefix(p, n, "TAP version ") || prefix(p, n, "KTAP version ")) {
		doc_new(k);
	} else if (prefix(p, n, "1..")) {
		plan_line(k, p, end);
	} else if (prefix(p, n, "# Totals:")) {
		totals_line(k, p, end);
	}
}

void lr_ktap_line(struct lr_ktap *k, const char *line)
{
	line_n(k, line, strlen(line));
}

void lr_ktap_end(struct lr_ktap *k)
{
	if (k->ended)
		return;
	k->ended = true;
	doc_close(k);
	if (!k->docs)
		why(k->why_incomplete, k->lines ? "no TAP: no plan and no results" : "empty input");
	k->complete = !k->why_incomplete[0];
}

void lr_ktap_text(struct lr_ktap *k, const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl) {
			line_n(k, p, strlen(p));
			break;
		}
		line_n(k, p, nl + 1 - p);
		p = nl + 1;
	}
	lr_ktap_end(k);
}

bool lr_ktap_ok(const struct lr_ktap *k)
{
	return k->ended && k->complete && !k->fail && !k->xpass && !k->error;
}

const char *lr_ktap_why(const struct lr_ktap *k, char *buf, size_t size)
{
	const char *first = k->fail ? k->why_fail : k->xpass ? k->why_xpass :
			    k->error ? k->why_error : "";
	const char *inc = k->complete ? "" : k->why_incomplete;

	if (!k->ended)
		inc = "the stream has not ended";
	snprintf(buf, size, "%s%s%s", first, first[0] && inc[0] ? "; " : "", inc);
	return buf;
}

int lr_ktap_format(const struct lr_ktap *k, char *buf, size_t size)
{
	return snprintf(buf, size, "pass=%u fail=%u skip=%u xfail=%u xpass=%u error=%u plan=%u "
			"results=%u complete=%d docs=%u", k->pass, k->fail, k->skip, k->xfail,
			k->xpass, k->error, k->plan, k->results, k->complete ? 1 : 0, k->docs);
}
