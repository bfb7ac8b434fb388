// SPDX-License-Identifier: GPL-2.0
/*
 * lr_svg CASE_DIR: write CASE_DIR/timeline.svg (atomically) from the case's own evidence:
 * timings.json (the reference moment and the model's windows), rpc_debug.txt (the
 * client's lockd lines and connects), timeline.txt (the decoded capture), dmesg.server
 * (the server's lockd lines), boot.txt (where the server's clock lies), result. The
 * drawing is lib/svg.c's. Exit 0 written, 1 the case has nothing to draw, 2 bad input.
 *
 * Clocks: the axis is the client's kernel clock, 0 at the test's first call. The
 * capture is placed on it by lining up the trace's "worker connecting ... (port P)"
 * lines with the SYNs to P (tl_align()); the server's log by the boot figures (both
 * guests' uptime when the host saw their ready line), good to the 0.1 s polling.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "report.h"
#include "svg.h"

#define CLIENT_IP	"192.168.53.214"	/* docs/internals.md, the topology */
#define MAX_CONN	256
#define MAX_PKT		8192
/* capture time on the axis */
#define AX(p)		(rate * (p) + d)

static struct tl tl;
static struct lr_rep_test rec[16];

struct pkt {
	double t;		/* capture time, s after its first packet */
	bool from_client;
	int sport, dport;
	char proto[24], info[400], xid[16];
};
static struct pkt pk[MAX_PKT];
static int npk;

/* "timeline.txt": vm/timeline.sh's tab-separated columns */
static void read_capture(const char *dir)
{
	char path[4096], line[2048];
	FILE *f;

	snprintf(path, sizeof(path), "%s/timeline.txt", dir);
	f = fopen(path, "re");
	while (f && npk < MAX_PKT && fgets(line, sizeof(line), f)) {
		char *col[11], *p = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !isdigit((unsigned char)line[0]))
			continue;
		while (n < 11) {
			col[n++] = p;
			p = strchr(p, '\t');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n < 10)
			continue;
		pk[npk].t = atof(col[2]);
		pk[npk].from_client = !strcmp(col[3], CLIENT_IP);
		snprintf(pk[npk].proto, sizeof(pk[npk].proto), "%s", col[5]);
		snprintf(pk[npk].info, sizeof(pk[npk].info), "%s", col[7]);
		pk[npk].sport = atoi(col[8]);
		pk[npk].dport = atoi(col[9]);
		snprintf(pk[npk].xid, sizeof(pk[npk].xid), "%s", n > 10 ? col[10] : "");
		npk++;
	}
	if (f)
		fclose(f);
}

/* a kernel log line "[ 12.345678] text": its stamp and where the text starts */
static bool kmsg_line(const char *line, double *k, const char **text)
{
	const char *p = strchr(line, '[');
	char *e;

	if (!p)
		return false;
	*k = strtod(p + 1, &e);
	if (e == p + 1 || *e != ']')
		return false;
	*text = e + 1 + strspn(e + 1, " ");
	return true;
}

/* a lockd line worth a mark: "lockd: server X not responding, still trying", OK, ... */
static const char *lockd_word(const char *text)
{
	if (strncmp(text, "lockd: server ", 14) && strncmp(text, "lockd: ", 7))
		return NULL;
	if (strstr(text, "still trying"))
		return "still trying";
	if (strstr(text, "timed out"))
		return "timed out";
	if (strstr(text, " OK"))
		return "OK";
	return NULL;
}

/* the lockd line a moment names ("still trying again": "still trying"), or NULL */
static const char *lockd_word_of(const char *what)
{
	static const char *const words[] = { "still trying", "timed out", "OK" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncmp(what, words[i], strlen(words[i])))
			return words[i];
	return NULL;
}

/* a moment measured from the test's first call: 0 on the axis (its own test's clock) */
static bool from_call(const char *from)
{
	return !strcmp(from, "the fcntl() call") || !strcmp(from, "the test's first call");
}

int main(int argc, char **argv)
{
	double ck[MAX_CONN], sk[MAX_CONN], d = 0, rate = 1, t0 = 0, tr0 = INFINITY, tr1 = -INFINITY;
	double first_nlm = NAN, last_nlm = NAN, lo, hi, srv_off = NAN;
	int cp[MAX_CONN], sp[MAX_CONN], nc = 0, ns = 0, nrec = 0, score = 0, i, j;
	char path[4096], tmp[4200], line[2048], kernel[64], cname[96], verdict[16], err[512];
	char reason[256], b1[32], b2[32], b3[32], b4[32];
	const char *dir;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: lr_svg CASE_DIR\n");
		return 2;
	}
	dir = argv[1];
	snprintf(path, sizeof(path), "%s/result", dir);
	lr_kv(path, "case", cname, sizeof(cname));
	lr_kv(path, "kernel", kernel, sizeof(kernel));
	lr_kv(path, "verdict", verdict, sizeof(verdict));
	lr_kv(path, "reason", reason, sizeof(reason));
	if (!cname[0]) {
		fprintf(stderr, "lr_svg: %s is not a case directory (no result file with case=)\n",
			dir);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/timings.json", dir);
	if (!access(path, R_OK) &&
	    (nrec = lr_rep_load(path, rec, 16, err, sizeof(err))) < 0) {
		fprintf(stderr, "lr_svg: %s\n", err);
		return 2;
	}
	if (nrec > 0 && rec[0].has_t0)
		t0 = rec[0].t0_kmsg;
	read_capture(dir);

	/* the client's trace: lockd lines, calls and connects */
	snprintf(path, sizeof(path), "%s/rpc_debug.txt", dir);
	f = nrec > 0 ? fopen(path, "re") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		const char *text, *w, *q;
		double k;
		int proc;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !kmsg_line(line, &k, &text))
			continue;
		tr0 = fmin(tr0, k - t0);
		tr1 = fmax(tr1, k - t0);
		if ((w = lockd_word(text)))
			tl_add(&tl, k - t0, TL_CLIENT, TL_LOG, false, w, text);
		else if (sscanf(text, "lockd: call procedure %d", &proc) == 1 && tl_nlm_proc(proc)) {
			snprintf(b1, sizeof(b1), "call %s", tl_nlm_proc(proc));
			tl_add(&tl, k - t0, TL_CLIENT, TL_CALL, false, b1, text);
			/* an anchor too: the call goes out at once on a live connection */
			if (nc < MAX_CONN) {
				ck[nc] = k;
				cp[nc++] = -1 - proc;
			}
		} else if ((q = strstr(text, "worker connecting")) && (q = strstr(q, "(port ")) &&
			   nc < MAX_CONN) {
			ck[nc] = k;
			cp[nc++] = atoi(q + 6);
		}
	}
	if (f)
		fclose(f);

	/* the capture on the client's clock */
	for (i = 0; i < npk && ns < MAX_CONN; i++)
		if (pk[i].from_client && !strcmp(pk[i].proto, "TCP") &&
		    strstr(pk[i].info, "[SYN]") && !strstr(pk[i].info, "Retransmission")) {
			sk[ns] = pk[i].t;
			sp[ns++] = pk[i].dport;
		}
	/* the mount: "lr: mount" in the client's log, its first SYN in the capture */
	snprintf(path, sizeof(path), "%s/dmesg.client", dir);
	f = nc < MAX_CONN ? fopen(path, "re") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		const char *text;
		double k;

		if (kmsg_line(line, &k, &text) && !strncmp(text, "lr: mount", 9)) {
			ck[nc] = k;
			cp[nc++] = TL_KEY_MOUNT;
			break;
		}
	}
	if (f)
		fclose(f);
	for (i = 0; i < npk && ns < MAX_CONN; i++)
		if (pk[i].from_client && strstr(pk[i].info, "[SYN]")) {
			sk[ns] = pk[i].t;
			sp[ns++] = TL_KEY_MOUNT;
			break;
		}
	/* and the client's NLM calls, keyed by procedure (-1 - proc), as the trace's calls */
	for (i = 0; i < npk && ns < MAX_CONN; i++) {
		char proc[24];
		int pr;

		if (!pk[i].from_client || strcmp(pk[i].proto, "NLM") || pk[i].info[0] == '[' ||
		    sscanf(pk[i].info, "V4 %23s Call", proc) != 1)
			continue;
		for (pr = 0; tl_nlm_proc(pr) && strcmp(tl_nlm_proc(pr), proc); pr++)
			;
		if (tl_nlm_proc(pr)) {
			sk[ns] = pk[i].t;
			sp[ns++] = -1 - pr;
		}
	}
	d = tl_align(ck, cp, nc, sk, sp, ns, 0.1, tr0 + t0, tr1 + t0, &rate, &score);
	score = score < 0 ? 0 : score;
	for (i = 0; i < npk; i++)
		if (!strcmp(pk[i].proto, "NLM")) {
			last_nlm = pk[i].t;
			if (isnan(first_nlm))
				first_nlm = pk[i].t;
		}
	if (!nrec)
		snprintf(tl.axis, sizeof(tl.axis), "s of the client's uptime");
	if (score) {
		d -= t0;
		snprintf(tl.align, sizeof(tl.align), "Capture placed on the client's clock by %d "
			 "of %d anchors (connects, calls, the mount) matching a SYN or an NLM call "
			 "(client clock %.3f x the host's); ", score, nc, rate);
	} else if (!isnan(first_nlm)) {
		d = -first_nlm;
		snprintf(tl.align, sizeof(tl.align), "No anchor of the trace matched the capture: "
			 "its first NLM packet is put at 0 (the capture's own clock); ");
		snprintf(tl.axis, sizeof(tl.axis), "s after the first NLM packet");
		tr0 = tr1 = NAN;
		t0 = 0;
	} else {
		fprintf(stderr, "lr_svg: %s: nothing to draw (no NLM packet, no trace)\n", dir);
		return 1;
	}

	/* the span: the test's NLM traffic and its trace */
	lo = fmin(isnan(tr0) ? 0 : tr0, AX(first_nlm)) - 1;
	hi = fmax(isnan(tr1) ? 0 : tr1, AX(last_nlm)) + 1;
	for (i = 0; i < nrec; i++)
		for (j = 0; j < rec[i].nmom; j++)
			if (rec[i].mom[j].has_measured && from_call(rec[i].mom[j].from))
				hi = fmax(hi, rec[i].mom[j].measured + 1);

	/* packets: an ACK from the server right after a SYN it did not answer with SYN-ACK is
	 * the challenge ACK of a connection the server still holds */
	for (i = 0; i < npk; i++) {
		struct pkt *p = &pk[i];
		double t = AX(p->t);
		char label[64], title[520];
		bool resend;
		int k;

		if (t < lo || t > hi)
			continue;
		k = tl_classify(p->proto, p->info, p->sport, p->dport, label, sizeof(label),
				&resend);
		if (k < 0 && !p->from_client && i > 0 && pk[i - 1].from_client &&
		    strstr(pk[i - 1].info, "[SYN]") && pk[i - 1].dport == p->sport &&
		    pk[i - 1].sport == p->dport && strstr(p->info, "[ACK]")) {
			k = TL_CHACK;
			snprintf(label, sizeof(label), "challenge ACK %d→%d", p->sport, p->dport);
		}
		if (k < 0)
			continue;
		/* an RPC re-send: a call whose XID went out before */
		if ((k == TL_NLM || k == TL_RPCB) && p->xid[0] && strstr(p->info, "Call"))
			for (j = 0; j < i; j++)
				if (pk[j].from_client == p->from_client && !strcmp(pk[j].xid, p->xid) &&
				    strstr(pk[j].info, "Call")) {
					resend = true;
					break;
				}
		if ((k == TL_NLM || k == TL_RPCB) && p->xid[0]) {
			size_t l = strlen(label);

			snprintf(label + l, sizeof(label) - l, " %s%s", p->xid + (p->xid[1] == 'x' ? 2 : 0),
				 resend ? " again" : "");
		}
		snprintf(title, sizeof(title), "%s %d→%d %s%s%s", p->proto, p->sport, p->dport,
			 p->info, p->xid[0] ? " xid " : "", p->xid);
		tl_add(&tl, t, p->from_client ? TL_CLIENT : TL_SERVER, k, resend, label, title);
	}

	/* the server's lockd lines, placed by the boot figures */
	snprintf(path, sizeof(path), "%s/boot.txt", dir);
	lr_kv(path, "server_ready_host_s", b1, sizeof(b1));
	lr_kv(path, "server_ready_uptime_s", b2, sizeof(b2));
	lr_kv(path, "client_mounted_host_s", b3, sizeof(b3));
	lr_kv(path, "client_mounted_uptime_s", b4, sizeof(b4));
	if (*b1 && *b2 && *b3 && *b4 && score) {
		size_t l = strlen(tl.align);

		srv_off = (atof(b1) - atof(b2)) - (atof(b3) - atof(b4));
		snprintf(tl.align + l, sizeof(tl.align) - l, "server log by the boot figures "
			 "(server clock %+.2f s, +-0.2 s at boot).", srv_off);
	}
	snprintf(path, sizeof(path), "%s/dmesg.server", dir);
	/* the two guests' clocks drift apart under TCG (docs/timing-model.md, 5): the
	 * svc-sleep patch's first "nlmsvc_lock:<line>, sleep" is printed when a LOCK
	 * arrives, so it is moved onto the last LOCK call sent within 3 s before it */
	f = isnan(srv_off) ? NULL : fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		const char *text;
		double k, best = NAN;

		if (!kmsg_line(line, &k, &text) || strncmp(text, "nlmsvc_lock", 11))
			continue;
		k += srv_off - t0;
		for (i = 0; i < npk; i++)
			if (pk[i].from_client && !strcmp(pk[i].proto, "NLM") &&
			    strstr(pk[i].info, "LOCK Call") && fabs(AX(pk[i].t) - k) <= 3 &&
			    AX(pk[i].t) <= k + 3)
				best = AX(pk[i].t);
		if (!isnan(best)) {
			size_t l = strlen(tl.align);

			srv_off += best - k;
			snprintf(tl.align + l, sizeof(tl.align) - l, " Moved %+.2f s onto the LOCK "
				 "its first nlmsvc_lock line answers.", best - k);
		}
		break;
	}
	if (f)
		rewind(f);
	while (f && fgets(line, sizeof(line), f)) {
		const char *text, *w;
		double k;

		line[strcspn(line, "\n")] = '\0';
		if (!kmsg_line(line, &k, &text))
			continue;
		k += srv_off - t0;
		if (k < lo || k > hi)
			continue;
		if ((w = lockd_word(text)))
			tl_add(&tl, k, TL_SERVER, TL_LOG, false, w, text);
		else if (!strncmp(text, "nlmsvc_", 7))
			tl_add(&tl, k, TL_SERVER, TL_LOG, false, "nlmsvc sleep", text);
	}
	if (f)
		fclose(f);

	/* the model's windows: placed where their reference is known on the axis */
	for (i = 0; i < nrec; i++) {
		double off = rec[i].has_t0 ? rec[i].t0_kmsg - t0 : 0;

		for (j = 0; j < rec[i].nmom && tl.nwin < TL_WIN_MAX; j++) {
			const struct lr_rep_moment *m = &rec[i].mom[j];
			struct tl_win *w = &tl.win[tl.nwin++];

			memset(w, 0, sizeof(*w));
			snprintf(w->what, sizeof(w->what), "%s", m->what);
			snprintf(w->from, sizeof(w->from), "%s", m->from);
			snprintf(w->why, sizeof(w->why), "%s", m->why);
			w->has_expect = m->has_expect;
			w->has_measured = m->has_measured;
			w->unchecked = m->unchecked;
			w->expect = m->expect, w->lo = m->lo, w->hi = m->hi;
			w->measured = m->measured;
			if (from_call(m->from)) {
				w->placed = true;
				w->ref = off;
			}
		}
	}
	/*
	 * "the fcntl() call" is the test's first call only in tests that make one: a lockd
	 * line measured from it ("still trying again", after a later call) must meet its
	 * line on the trace's clock, within 50 ms, or it is left off the axis
	 */
	for (i = 0; i < tl.nwin; i++) {
		struct tl_win *w = &tl.win[i];
		const char *word = lockd_word_of(w->what);
		bool met = false;

		if (!w->placed || !w->has_measured || !word)
			continue;
		for (j = 0; j < tl.nev && !met; j++)
			met = tl.ev[j].lane == TL_CLIENT && tl.ev[j].kind == TL_LOG &&
			      !strcmp(tl.ev[j].label, word) &&
			      fabs(tl.ev[j].t - (w->ref + w->measured)) <= 0.05;
		w->placed = met;
	}
	/* a reference met by a lockd line: the one line of its kind less the measured span */
	for (i = 0; i < tl.nwin; i++) {
		struct tl_win *w = &tl.win[i];
		const struct tl_ev *hit = NULL;
		int n = 0;

		if (w->placed || !w->has_measured || strcmp(w->what, "OK"))
			continue;
		for (j = 0; j < tl.nev; j++)
			if (tl.ev[j].lane == TL_CLIENT && tl.ev[j].kind == TL_LOG &&
			    !strcmp(tl.ev[j].label, "OK"))
				hit = &tl.ev[j], n++;
		if (n != 1)
			continue;
		for (j = 0; j < tl.nwin; j++)
			if (!tl.win[j].placed && !strcmp(tl.win[j].from, w->from)) {
				tl.win[j].placed = true;
				tl.win[j].ref = hit->t - w->measured;
			}
	}

	/* the impairment: on after the set-up (the last NLM reply before the trace), off at
	 * the reference its lifting names, if placed, else to the end */
	if (nrec > 0 && strcmp(rec[0].scenario, "baseline")) {
		double on = 0, off = hi;
		const char *offs = "until the test's end (teardown)";

		for (i = 0; i < npk; i++)
			if (!strcmp(pk[i].proto, "NLM") && AX(pk[i].t) < fmin(tr0, 0) - 0.001)
				on = AX(pk[i].t);
		for (i = 0; i < tl.nwin; i++)
			if (tl.win[i].placed && (strstr(tl.win[i].from, "writing 0") ||
						 strstr(tl.win[i].from, "link up") ||
						 strstr(tl.win[i].from, "restored") ||
						 strstr(tl.win[i].from, "lifted"))) {
				off = tl.win[i].ref;
				offs = tl.win[i].from;
				break;
			}
		tl.has_imp = true;
		tl.imp_on = on;
		tl.imp_off = off;
		snprintf(tl.imp_label, sizeof(tl.imp_label), "%s on: after the set-up's last NLM "
			 "reply (%.2f s) to %s (%.2f s)", rec[0].scenario, on, offs, off);
	}
	if (nrec > 0)
		tl_customer(&tl, rec[0].scenario, rec[0].profile);

	snprintf(tl.title, sizeof(tl.title), "%s/%s: %s", kernel, cname, verdict);
	if (nrec)
		snprintf(tl.sub, sizeof(tl.sub), "kernel %s, profile %s%s%s", rec[0].kernel,
			 rec[0].profile, *reason ? "; " : "", reason);
	else
		snprintf(tl.sub, sizeof(tl.sub), "%s", reason);
	snprintf(path, sizeof(path), "%s/timeline.svg", dir);
	f = lr_atomic_open(path, tmp, sizeof(tmp));
	if (!f) {
		fprintf(stderr, "lr_svg: cannot write %s\n", tmp);
		return 2;
	}
	tl_svg(f, &tl);
	if (lr_atomic_close(f, tmp, path, true)) {
		fprintf(stderr, "lr_svg: writing %s failed\n", path);
		return 2;
	}
	return 0;
}
