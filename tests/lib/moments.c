// SPDX-License-Identifier: GPL-2.0
/* moments.c: expected-vs-measured moments and the test's JSON record (moments.h). */
#include "impair.h"
#include "ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* ---- moments ---- */

bool lr_imp_moment(struct lr_imp *m, const char *what, const char *ref, double expect,
		   double lo, double hi, double measured, const char *why)
{
	struct lr_moment *o;
	bool in = expect < 0 || (measured >= lo && measured <= hi);

	if (m->nmom < LR_MOMENTS_MAX) {
		o = &m->mom[m->nmom++];
		*o = (struct lr_moment){ what, ref, expect, lo, hi, measured, "", true };
		snprintf(o->why, sizeof(o->why), "%s", why ? why : "");
	}
	return in;
}

void lr_imp_measured(struct lr_imp *m, const char *what, const char *ref, double measured,
		     const char *why)
{
	int n = m->nmom;

	lr_imp_moment(m, what, ref, -1, 0, 0, measured, why);
	if (m->nmom > n)
		m->mom[n].checked = false;
}

bool lr_imp_window(struct lr_imp *m, const char *what, const struct lr_window *w,
		   double measured)
{
	return lr_imp_moment(m, what, w->ref, w->expect / 1e3, w->lo / 1e3, w->hi / 1e3,
			     measured, w->why);
}

/* ---- the report ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v))
		fputs("null", f);
	else
		fprintf(f, "%.3f", v);
}

static FILE *out_file(const char *name)
{
	const char *dir = getenv("LR_OUT");
	char path[512];

	if (!dir || !*dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "ae");
}

void lr_imp_report(struct lr_imp *m, double t_ref)
{
	char lin[16];
	struct utsname u;
	char *srel;
	FILE *f;
	int i;

	uname(&u);
	f = out_file("timings.jsonl");
	if (f) {
		fputs("{\"test\": ", f);
		json_str(f, m->test);
		fputs(", \"scenario\": ", f);
		json_str(f, lr_scenario_name(m->sc));
		fputs(", \"kernel\": ", f);
		json_str(f, u.release);
		/* the server's own release: a pair's sides may differ (vm/run.sh) */
		srel = lr_server_release();
		fputs(", \"server_kernel\": ", f);
		json_str(f, srel ? srel : "");
		free(srel);
		fputs(", \"profile\": ", f);
		json_str(f, getenv("LR_PROFILE"));
		snprintf(lin, sizeof(lin), "%u", m->p.tcp_syn_linear_timeouts);
		fprintf(f, ", \"params\": {\"nlm_timeout\": %u, \"hz\": %u, \"tcp_syn_retries\": %u, "
			"\"tcp_syn_linear_timeouts\": %s, \"tcp_retries2\": %u, "
			"\"rules\": \"%s\"}", m->p.nlm_timeout, m->p.hz, m->p.tcp_syn_retries,
			/* null: a kernel without the sysctl (4.19), not a value of 0 */
			access("/proc/sys/net/ipv4/tcp_syn_linear_timeouts", F_OK) ? "null" : lin,
			m->p.tcp_retries2,
			lr_rules(&m->p) == LR_RULES_4_19 ? "4.19" : "mainline");
		fputs(", \"tick_rate\": ", f);
		json_num(f, m->tick_rate < 0 ? NAN : m->tick_rate);
		fprintf(f, ", \"t0_kmsg_s\": %.6f, \"moments\": [", t_ref + m->kmsg_off);
		for (i = 0; i < m->nmom; i++) {
			const struct lr_moment *o = &m->mom[i];

			fputs(i ? ", {\"what\": " : "{\"what\": ", f);
			json_str(f, o->what);
			fputs(", \"from\": ", f);
			json_str(f, o->ref);
			fputs(", \"expect_s\": ", f);
			json_num(f, o->expect < 0 ? NAN : o->expect);
			fputs(", \"lo_s\": ", f);
			json_num(f, o->expect < 0 ? NAN : o->lo);
			fputs(", \"hi_s\": ", f);
			json_num(f, o->expect < 0 ? NAN : o->hi);
			fputs(", \"measured_s\": ", f);
			json_num(f, o->measured < 0 ? NAN : o->measured);
			fputs(", \"why\": ", f);
			json_str(f, o->why);
			fprintf(f, ", \"checked\": %s}", o->checked ? "true" : "false");
		}
		fputs("], \"note\": ", f);
		json_str(f, m->note);
		fputs("}\n", f);
		fclose(f);
	}
	f = out_file("rpc_debug.txt");
	if (f) {
		fprintf(f, "# %s (%s, %s): client kernel log while the test traced "
			"(rpc_debug 0x%x, nlm_debug 0x%x); seconds after the first call, then "
			"the kmsg stamp\n", m->test, lr_scenario_name(m->sc), u.release,
			LR_RPC_DEBUG, LR_NLM_DEBUG);
		for (i = 0; i < m->ntrace; i++)
			fprintf(f, "%+10.3f [%12.6f] %s\n", m->trace[i].t - t_ref,
				m->trace[i].t + m->kmsg_off, m->trace[i].text);
		if (m->ntrace >= LR_TRACE_MAX)
			fprintf(f, "# trace full at %d records: the rest is in dmesg.client\n",
				LR_TRACE_MAX);
		fclose(f);
	}
}
