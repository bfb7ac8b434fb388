// SPDX-License-Identifier: GPL-2.0
/*
 * lr_compare A B: two sides of results, each a run (results/<run>/) or a run's kernel
 * directory (results/<run>/<kernel>/), case by case: the verdicts, every measured moment
 * (A, B, B - A), what changed in the model's expectation, and lockd's client ports in
 * each capture. Markdown on stdout; the same written to B's run as compare.md and
 * compare.json (atomically). Exit 0 no verdict differs, 1 a verdict differs, 2 bad input
 * (a side that is not a run or a kernel dir, no case on both sides).
 *
 * lr_compare --sweep RUN: per case, one row per kernel of the run (in version order)
 * with each measured moment, and the first kernel where the verdict or a moment changes
 * beyond tolerance (outside the previous kernel's model window; without a window, more
 * than 1 s, or another count) or the model's expectation moves; sweep.md and sweep.json
 * in the run. Exit 0, or 2 for a run without two kernels.
 *
 * A side that is a run with one kernel is that kernel's dir: cases are matched by name;
 * two runs of several kernels are matched by kernel/case.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "files.h"
#include "report.h"

#define MAX_CASES	128
#define MAX_REC		8
#define MAX_KERN	16

struct ccase {
	char key[160];			/* case, or kernel/case */
	char dir[4096];
	char verdict[16], reason[512], kernel[64];
	char known[256];		/* the known kernel bugs it reproduced (XFAIL), or "" */
	int nrec;
	struct lr_rep_test rec[MAX_REC];
	char ports[128];		/* lockd's client ports, in order of first use */
};

struct side {
	char path[4096], run[4096];	/* as given; the run dir that holds it */
	int ncase;
	struct ccase c[MAX_CASES];
};

static bool is_file(const char *dir, const char *name)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

/* lockd's client ports: the source ports of the client's NLM calls in timeline.txt */
static void nlm_ports(const char *dir, char *buf, size_t size)
{
	char path[4200], line[2048];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/timeline.txt", dir);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *col[10], *p = line, pat[16];
		int n = 0;

		while (n < 10 && p) {
			col[n++] = p;
			if ((p = strchr(p, '\t')))
				*p++ = '\0';
		}
		/* columns: No. Time +s Source Destination Protocol Length Info sport dport */
		if (n < 10 || strcmp(col[5], "NLM") || strcmp(col[3], "192.168.53.214") ||
		    !strstr(col[7], " Call"))
			continue;
		snprintf(pat, sizeof(pat), " %d,", atoi(col[8]));
		if (strstr(buf, pat) || strlen(buf) + strlen(pat) + 1 >= size)
			continue;
		strcat(buf, pat);
	}
	if (f)
		fclose(f);
}

/* one case dir into c; false when it is no case (no result file) */
static bool load_case(struct ccase *c, const char *dir, const char *prefix)
{
	char path[4200], name[96], err[512];
	const char *p;

	snprintf(path, sizeof(path), "%s/result", dir);
	lr_kv(path, "case", name, sizeof(name));
	if (!name[0])
		return false;
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	snprintf(c->key, sizeof(c->key), "%s%s", prefix, name);
	lr_kv(path, "verdict", c->verdict, sizeof(c->verdict));
	lr_kv(path, "reason", c->reason, sizeof(c->reason));
	lr_kv(path, "kernel", c->kernel, sizeof(c->kernel));
	/* vm/run.sh's reason names them: "..., N of the passed a known kernel bug (XFAIL): …" */
	p = strstr(c->reason, "(XFAIL): ");
	snprintf(c->known, sizeof(c->known), "%s", p ? p + strlen("(XFAIL): ") : "");
	snprintf(path, sizeof(path), "%s/timings.json", dir);
	if (!access(path, R_OK)) {
		c->nrec = lr_rep_load(path, c->rec, MAX_REC, err, sizeof(err));
		if (c->nrec < 0) {
			fprintf(stderr, "lr_compare: %s\n", err);
			c->nrec = 0;
		}
	}
	nlm_ports(dir, c->ports, sizeof(c->ports));
	return true;
}

/* the cases of a kernel dir, keys prefixed */
static void load_kdir(struct side *s, const char *kdir, const char *prefix)
{
	char *names[MAX_CASES], p[4200];
	int n = lr_subdirs(kdir, names, MAX_CASES), i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", kdir, names[i]);
		if (s->ncase < MAX_CASES && load_case(&s->c[s->ncase], p, prefix))
			s->ncase++;
		free(names[i]);
	}
}

/* a side: a run (versions + kernel dirs) or a kernel dir (its parent a run); 0 or -1 */
static int load_side(struct side *s, const char *path)
{
	char *k[MAX_KERN], p[4200], pre[96];
	int n, i;

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (!realpath(path, s->run))
		return -1;
	if (is_file(s->run, "versions")) {
		n = lr_subdirs(s->run, k, MAX_KERN);
		for (i = 0; i < n; i++) {
			snprintf(p, sizeof(p), "%s/%s", s->run, k[i]);
			snprintf(pre, sizeof(pre), "%s/", k[i]);
			load_kdir(s, p, n == 1 ? "" : pre);
			free(k[i]);
		}
	} else {
		snprintf(p, sizeof(p), "%s/..", s->run);
		if (!is_file(p, "versions"))
			return -1;
		load_kdir(s, s->run, "");
		*strrchr(s->run, '/') = '\0';
	}
	return s->ncase ? 0 : -1;
}

static const struct ccase *find(const struct side *s, const char *key)
{
	int i;

	for (i = 0; i < s->ncase; i++)
		if (!strcmp(s->c[i].key, key))
			return &s->c[i];
	return NULL;
}

static const struct lr_rep_test *rec_named(const struct ccase *c, const char *test)
{
	int i;

	for (i = 0; i < c->nrec; i++)
		if (!strcmp(c->rec[i].test, test))
			return &c->rec[i];
	return NULL;
}

static void num(char *b, size_t n, const struct lr_rep_moment *m)
{
	if (!m)
		snprintf(b, n, "-");
	else if (!m->has_measured)
		snprintf(b, n, "not seen");
	else
		snprintf(b, n, "%.2f", m->measured);
}

static void model(char *b, size_t n, const struct lr_rep_moment *m)
{
	if (!m || !m->has_expect)
		snprintf(b, n, "none");
	else
		snprintf(b, n, "%.2f [%.2f, %.2f]", m->expect, m->lo, m->hi);
}

/* the ports as "934, 706" (nlm_ports() keeps " 934, 706,") */
static const char *ports(const struct ccase *c, char *b, size_t n)
{
	size_t l;

	snprintf(b, n, "%s", c->ports[0] ? c->ports + 1 : "none in the capture");
	l = strlen(b);
	if (l && b[l - 1] == ',')
		b[l - 1] = '\0';
	return b;
}

/* write text to dir/name atomically */
static int put(const char *dir, const char *name, const char *text)
{
	char path[4200], tmp[4300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = lr_atomic_open(path, tmp, sizeof(tmp));
	if (!f)
		return -1;
	fputs(text, f);
	return lr_atomic_close(f, tmp, path, true);
}

/* the moment rows of one test, A against B, as markdown and JSON */
static void moments(FILE *md, json_t *jm, const struct lr_rep_test *ta,
		    const struct lr_rep_test *tb)
{
	const struct lr_rep_test *walk[2] = { ta, tb };
	int w, i;

	fprintf(md, "\n| moment | from | A | B | B - A | model A | model B |\n"
		"|---|---|---|---|---|---|---|\n");
	/* every moment of A in its order, then those only B has */
	for (w = 0; w < 2; w++) {
		const struct lr_rep_test *t = walk[w];

		for (i = 0; t && i < t->nmom; i++) {
			const struct lr_rep_moment *mi = &t->mom[i], *ma, *mb;
			char sa[32], sb[32], sd[32], moa[64], mob[64];
			int k, rank = 0;
			json_t *o;

			for (k = 0; k < i; k++)
				rank += !strcmp(t->mom[k].what, mi->what);
			ma = ta ? lr_rep_moment_nth(ta, mi->what, rank) : NULL;
			mb = tb ? lr_rep_moment_nth(tb, mi->what, rank) : NULL;
			if (w == 1 && ma)
				continue;
			num(sa, sizeof(sa), ma);
			num(sb, sizeof(sb), mb);
			model(moa, sizeof(moa), ma);
			model(mob, sizeof(mob), mb);
			if (ma && mb && ma->has_measured && mb->has_measured)
				snprintf(sd, sizeof(sd), "%+.2f", mb->measured - ma->measured);
			else
				snprintf(sd, sizeof(sd), "-");
			fprintf(md, "| %s | %s | %s | %s | %s | %s | %s |\n", mi->what, mi->from, sa,
				sb, sd, moa, strcmp(moa, mob) ? mob : "same");
			/* a measured-only moment says what it measured in its why */
			if (ma && mb && !ma->has_expect && strcmp(ma->why, mb->why))
				fprintf(md, "| | %s: | A: %s | B: %s | | | |\n", mi->what, ma->why,
					mb->why);
			o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "what", mi->what, "from",
				      mi->from,
				      "a", ma && ma->has_measured ? json_real(ma->measured) : json_null(),
				      "b", mb && mb->has_measured ? json_real(mb->measured) : json_null(),
				      "diff", ma && mb && ma->has_measured && mb->has_measured ?
				      json_real(mb->measured - ma->measured) : json_null(),
				      "model_changed", strcmp(moa, mob) != 0);
			json_object_set_new(o, "model_a", json_string(moa));
			json_object_set_new(o, "model_b", json_string(mob));
			if (ma && mb && !ma->has_expect) {
				json_object_set_new(o, "why_a", json_string(ma->why));
				json_object_set_new(o, "why_b", json_string(mb->why));
			}
			json_array_append_new(jm, o);
		}
	}
}

static int compare(const char *pa, const char *pb)
{
	static struct side a, b;
	char *mdbuf = NULL, pa_s[128], pb_s[128];
	size_t mdlen = 0;
	int i, j, common = 0, differ = 0;
	json_t *root, *jcases;
	FILE *md;

	if (load_side(&a, pa)) {
		fprintf(stderr, "lr_compare: A=%s is not a run or a run's kernel directory\n", pa);
		return 2;
	}
	if (load_side(&b, pb)) {
		fprintf(stderr, "lr_compare: B=%s is not a run or a run's kernel directory\n", pb);
		return 2;
	}
	for (i = 0; i < a.ncase; i++)
		common += find(&b, a.c[i].key) != NULL;
	if (!common) {
		fprintf(stderr, "lr_compare: no case on both sides (A %s, B %s)\n", pa, pb);
		return 2;
	}
	md = open_memstream(&mdbuf, &mdlen);
	jcases = json_array();
	fprintf(md, "# lockd-repro compare\n\nA: %s\nB: %s\n\n%d case(s) on both sides. Moments "
		"in seconds after their reference (`from`), measured in each run, the model's "
		"window beside them; a moment without a window may be a count (re-sends, "
		"retransmissions: its words below the row).\n", a.path, b.path, common);
	for (i = 0; i < a.ncase; i++) {
		const struct ccase *ca = &a.c[i], *cb = find(&b, ca->key);
		bool same;
		json_t *jc, *jt;

		if (!cb)
			continue;
		same = !strcmp(ca->verdict, cb->verdict);
		differ += !same;
		fprintf(md, "\n## %s: %s %s %s%s\n\nA %s: %s (%s)  \nB %s: %s (%s)  \nlockd's client "
			"ports (the client's NLM calls in the capture): A %s; B %s\n", ca->key,
			ca->verdict, same ? "=" : "->", cb->verdict, same ? "" : " (verdict differs)",
			ca->kernel, ca->verdict, ca->reason, cb->kernel, cb->verdict, cb->reason,
			ports(ca, pa_s, sizeof(pa_s)), ports(cb, pb_s, sizeof(pb_s)));
		jc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "case", ca->key,
			       "kernel_a", ca->kernel, "kernel_b", cb->kernel, "verdict_a",
			       ca->verdict, "verdict_b", cb->verdict, "verdict_differs", !same,
			       "ports_a", pa_s, "ports_b", pb_s);
		jt = json_array();
		for (j = 0; j < ca->nrec; j++) {
			const struct lr_rep_test *tb = rec_named(cb, ca->rec[j].test);
			json_t *jm = json_array();

			fprintf(md, "\ntest %s (%s %s, %s %s):\n", ca->rec[j].test, ca->rec[j].kernel,
				ca->rec[j].profile, tb ? tb->kernel : "not in B",
				tb ? tb->profile : "");
			moments(md, jm, &ca->rec[j], tb);
			json_array_append_new(jt, json_pack("{s:s, s:o}", "test", ca->rec[j].test,
							    "moments", jm));
		}
		for (j = 0; j < cb->nrec; j++)
			if (!rec_named(ca, cb->rec[j].test))
				fprintf(md, "\ntest %s: only in B\n", cb->rec[j].test);
		json_object_set_new(jc, "tests", jt);
		json_array_append_new(jcases, jc);
	}
	fprintf(md, "\n%d case(s) compared, %d verdict(s) differ.\n", common, differ);
	fclose(md);
	fputs(mdbuf, stdout);
	root = json_pack("{s:s, s:s, s:i, s:i, s:o}", "a", a.path, "b", b.path, "common", common,
			 "verdicts_differ", differ, "cases", jcases);
	{
		char *js = json_dumps(root, JSON_INDENT(2));

		if (put(b.run, "compare.md", mdbuf) || !js || put(b.run, "compare.json", js)) {
			fprintf(stderr, "lr_compare: cannot write compare.md/compare.json in %s\n",
				b.run);
			free(js);
			return 2;
		}
		free(js);
	}
	json_decref(root);
	free(mdbuf);
	fprintf(stderr, "lr_compare: wrote %s/compare.md and compare.json\n", b.run);
	return differ ? 1 : 0;
}

/* ---- the version sweep ---- */

static int by_version(const void *x, const void *y)
{
	const struct ccase *a = x, *b = y;
	const char *va = a->nrec ? a->rec[0].kernel : a->kernel;
	const char *vb = b->nrec ? b->rec[0].kernel : b->kernel;

	return strverscmp(va, vb);
}

/* a moment moved beyond tolerance from prev to cur (nlm_timeout tp, tc: 0 unknown) */
static bool moved(const struct lr_rep_moment *p, const struct lr_rep_moment *c,
		  unsigned int tp, unsigned int tc, char *why, size_t n)
{
	if (!p || !c)
		return false;
	if (p->has_expect != c->has_expect ||
	    (p->has_expect && fabs(p->expect - c->expect) > 0.005)) {
		snprintf(why, n, "model %s -> %s", p->has_expect ? "" : "none",
			 c->has_expect ? "" : "none");
		/* in units of nlm_timeout too: "90 s (9 T) -> 18 s (6 T)" */
		if (p->has_expect && c->has_expect && tp && tc)
			snprintf(why, n, "model %.2f s (%.3g T) -> %.2f s (%.3g T)", p->expect,
				 p->expect / tp, c->expect, c->expect / tc);
		else if (p->has_expect && c->has_expect)
			snprintf(why, n, "model %.2f -> %.2f", p->expect, c->expect);
		return true;
	}
	if (p->has_measured != c->has_measured) {
		snprintf(why, n, "%s -> %s", p->has_measured ? "seen" : "not seen",
			 c->has_measured ? "seen" : "not seen");
		return true;
	}
	if (!p->has_measured)
		return false;
	if (p->has_expect ? c->measured < p->lo || c->measured > p->hi :
	    fabs(c->measured - p->measured) > 1.0) {
		snprintf(why, n, "%.2f -> %.2f%s", p->measured, c->measured,
			 p->has_expect ? " (outside the previous kernel's window)" : " (> 1 s)");
		return true;
	}
	return false;
}

static int sweep(const char *run)
{
	static struct ccase per[MAX_KERN][MAX_CASES];
	static struct ccase row[MAX_KERN];
	char *k[MAX_KERN], *cases[MAX_CASES], p[4200], real[4096], *mdbuf = NULL;
	int nk, nc = 0, i, j, m, r, nkd = 0, ncs[MAX_KERN] = { 0 };
	size_t mdlen = 0;
	json_t *jroot, *jcases;
	FILE *md;

	if (!realpath(run, real) || !is_file(real, "versions")) {
		fprintf(stderr, "lr_compare: %s is not a run\n", run);
		return 2;
	}
	nk = lr_subdirs(real, k, MAX_KERN);
	for (i = 0; i < nk; i++) {
		char *names[MAX_CASES];
		int n;

		snprintf(p, sizeof(p), "%s/%s", real, k[i]);
		n = lr_subdirs(p, names, MAX_CASES);
		for (j = 0; j < n; j++) {
			char cd[4400];

			snprintf(cd, sizeof(cd), "%s/%s", p, names[j]);
			if (load_case(&per[nkd][ncs[nkd]], cd, "")) {
				/* the union of case names, in first-seen order */
				for (m = 0; m < nc && strcmp(cases[m], per[nkd][ncs[nkd]].key); m++)
					;
				if (m == nc && nc < MAX_CASES)
					cases[nc++] = strdup(per[nkd][ncs[nkd]].key);
				ncs[nkd]++;
			}
			free(names[j]);
		}
		nkd += ncs[nkd] > 0;
	}
	if (nkd < 2) {
		fprintf(stderr, "lr_compare: %s holds %d kernel(s) with cases; a sweep needs two "
			"or more (make run-all KERNELS=\"4.19 5.10 6.1 6.12 7.3\")\n", run, nkd);
		return 2;
	}
	md = open_memstream(&mdbuf, &mdlen);
	jcases = json_array();
	fprintf(md, "# lockd-repro version sweep: %s\n\nPer case, one row per kernel in version "
		"order, each moment measured (s after its reference); **bold**: the first kernel "
		"where the verdict or a moment changed beyond tolerance (outside the previous "
		"kernel's model window; without one, more than 1 s) or the model's expectation "
		"moved.\n", run);
	for (i = 0; i < nc; i++) {
		const struct lr_rep_test *t0 = NULL;
		json_t *jrows = json_array();
		int nr = 0;

		for (r = 0; r < nkd; r++)
			for (j = 0; j < ncs[r]; j++)
				if (!strcmp(per[r][j].key, cases[i]))
					row[nr++] = per[r][j];
		qsort(row, nr, sizeof(row[0]), by_version);
		for (r = 0; r < nr && !t0; r++)
			if (row[r].nrec)
				t0 = &row[r].rec[0];
		fprintf(md, "\n## %s\n\n| kernel | verdict |", cases[i]);
		for (m = 0; t0 && m < t0->nmom; m++)
			fprintf(md, " %s |", t0->mom[m].what);
		fprintf(md, " changed |\n|---|---|");
		for (m = 0; t0 && m < t0->nmom; m++)
			fprintf(md, "---|");
		fprintf(md, "---|\n");
		for (r = 0; r < nr; r++) {
			const struct ccase *c = &row[r], *pv = r ? &row[r - 1] : NULL;
			const struct lr_rep_test *t = c->nrec ? &c->rec[0] : NULL,
				*tp = pv && pv->nrec ? &pv->rec[0] : NULL;
			char change[512] = "", why[160];
			json_t *jr, *jm = json_array();

			if (pv && strcmp(pv->verdict, c->verdict))
				snprintf(change, sizeof(change), "verdict %s -> %s", pv->verdict,
					 c->verdict);
			else if (pv && strcmp(pv->known, c->known))
				/* a known bug that shows on one kernel and not the other */
				snprintf(change, sizeof(change), "known bug %s -> %s",
					 pv->known[0] ? pv->known : "none",
					 c->known[0] ? c->known : "none");
			fprintf(md, "| %s%s%s%s | %s%s |", t ? t->kernel : c->kernel, t ? " (" : "",
				t ? t->profile : "", t ? ")" : "", c->verdict,
				c->known[0] ? " (XFAIL)" : "");
			for (m = 0; t0 && m < t0->nmom; m++) {
				const char *w = t0->mom[m].what;
				const struct lr_rep_moment *mc = t ? lr_rep_moment_nth(t, w, 0) : NULL,
					*mp = tp ? lr_rep_moment_nth(tp, w, 0) : NULL;
				char v[32];
				bool mv = moved(mp, mc, tp ? tp->nlm_timeout : 0,
						t ? t->nlm_timeout : 0, why, sizeof(why));

				num(v, sizeof(v), mc);
				fprintf(md, mv ? " **%s** |" : " %s |", v);
				if (mv) {
					size_t l = strlen(change);

					snprintf(change + l, sizeof(change) - l, "%s%s: %s",
						 l ? "; " : "", t0->mom[m].what, why);
				}
				json_array_append_new(jm, json_pack("{s:s, s:o, s:b}", "what",
						      t0->mom[m].what, "measured",
						      mc && mc->has_measured ?
						      json_real(mc->measured) : json_null(),
						      "changed", mv));
			}
			fprintf(md, " %s |\n", change);
			jr = json_pack("{s:s, s:s, s:s, s:o}", "kernel", t ? t->kernel : c->kernel,
				       "verdict", c->verdict, "changed", change, "moments", jm);
			json_array_append_new(jrows, jr);
		}
		json_array_append_new(jcases, json_pack("{s:s, s:o}", "case", cases[i], "rows",
							jrows));
	}
	fclose(md);
	fputs(mdbuf, stdout);
	jroot = json_pack("{s:s, s:o}", "run", run, "cases", jcases);
	{
		char *js = json_dumps(jroot, JSON_INDENT(2));

		if (put(real, "sweep.md", mdbuf) || !js || put(real, "sweep.json", js)) {
			fprintf(stderr, "lr_compare: cannot write sweep.md/sweep.json in %s\n", real);
			free(js);
			return 2;
		}
		free(js);
	}
	json_decref(jroot);
	free(mdbuf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--sweep"))
		return sweep(argv[2]);
	if (argc != 3 || argv[1][0] == '-') {
		fprintf(stderr, "usage: lr_compare A B | lr_compare --sweep RUN\n");
		return 2;
	}
	return compare(argv[1], argv[2]);
}
