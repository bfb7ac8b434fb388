// SPDX-License-Identifier: GPL-2.0
/*
 * text.c: a capture as customers paste it, one packet a line, two shapes:
 *
 *   tcpdump -nn -tttt [-i any]:
 *     2025-06-22 22:53:13.639471 IP 11.8.68.71.871 > 11.73.24.85.2052: Flags [F.], seq 1297, …, length 0
 *     2025-06-27 19:41:54.258986 IP 192.168.53.214 > 192.168.53.214: ICMP host 192.168.53.40 unreachable, …
 *     2025-06-27 19:41:50.1 ARP, Request who-has 192.168.53.40 tell 192.168.53.214, length 28
 *   Wireshark's packet list (the seed's rows, tshark's columns as the suite's timeline.txt):
 *     74132<TAB>2025-06-19 02:21:34.136390<TAB>215.1.39.124<TAB>215.2.21.62<TAB>TCP<TAB>74<TAB>33306 → 111 [SYN] …
 *     17564 2025-06-22 22:56:17.960048 11.8.68.71 11.73.24.85 NLM 290 V4 LOCK Call (Reply In 17566) …
 *
 * Rows of an RPC protocol (NLM, Portmap) name no ports unless the list has port columns
 * ("src port", "dst port" in its header): they take the ports of the last TCP row between
 * the same two addresses. Lines that are no packet ("...", headers, prose) are skipped
 * and counted; a text with no packet at all is not a capture.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "explain.h"

/* column positions of a Wireshark list with a header line, -1 absent */
struct cols {
	int time, src, dst, proto, len, info, sport, dport, xid;
};

int ex_addr_parse(const char *s, size_t n, uint8_t out[16])
{
	unsigned int v[4], i = 0, cur = 0, nd = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		if (s[k] >= '0' && s[k] <= '9') {
			cur = cur * 10 + s[k] - '0';
			if (++nd > 3 || cur > 255)
				return -1;
		} else if (s[k] == '.' && nd && i < 3) {
			v[i++] = cur, cur = 0, nd = 0;
		} else {
			return -1;
		}
	}
	if (i != 3 || !nd)
		return -1;
	v[3] = cur;
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	for (i = 0; i < 4; i++)
		out[12 + i] = v[i];
	return 0;
}

void ex_addr_str(const uint8_t a[16], char *buf, size_t len)
{
	static const uint8_t v4[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (!memcmp(a, v4, 12))
		snprintf(buf, len, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
	else
		snprintf(buf, len, "%x:%x:%x:%x:%x:%x:%x:%x", a[0] << 8 | a[1], a[2] << 8 | a[3],
			 a[4] << 8 | a[5], a[6] << 8 | a[7], a[8] << 8 | a[9], a[10] << 8 | a[11],
			 a[12] << 8 | a[13], a[14] << 8 | a[15]);
}

/* IPv6 text: hashed into a stable 16-byte key (the tool compares, never routes) */
static int addr6_parse(const char *s, size_t n, uint8_t out[16])
{
	size_t k, colons = 0;
	uint64_t h = 1469598103934665603ULL;

	for (k = 0; k < n; k++) {
		char c = s[k];

		if (c == ':')
			colons++;
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return -1;
		h = (h ^ (unsigned char)c) * 1099511628211ULL;
	}
	if (colons < 2)
		return -1;
	memset(out, 0, 16);
	out[0] = 0xfd;
	memcpy(out + 8, &h, 8);
	return 0;
}

static int any_addr(const char *s, size_t n, uint8_t out[16])
{
	return ex_addr_parse(s, n, out) && addr6_parse(s, n, out) ? -1 : 0;
}

/* bounded decimal at s (no NUL needed); *end past it; -1 when none or > max */
static long bnum(const char *s, const char *e, const char **end, long max)
{
	long v = 0;
	const char *p = s;

	while (p < e && *p >= '0' && *p <= '9' && v <= max)
		v = v * 10 + *p++ - '0';
	if (end)
		*end = p;
	return p == s || v > max ? -1 : v;
}

static int dd(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

/* "YYYY-MM-DD HH:MM:SS.frac" at s: seconds since the epoch, as written (UTC) */
static const char *datetime(const char *s, const char *e, double *t)
{
	int y, mo, d, h, mi, sec;
	double frac = 0, scale = 0.1;
	struct tm tm = { 0 };

	if (e - s < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
	    s[13] != ':' || s[16] != ':')
		return NULL;
	y = dd(s, 4), mo = dd(s + 5, 2), d = dd(s + 8, 2);
	h = dd(s + 11, 2), mi = dd(s + 14, 2), sec = dd(s + 17, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60 || y < 1970)
		return NULL;
	s += 19;
	if (s < e && *s == '.')
		for (s++; s < e && *s >= '0' && *s <= '9'; s++, scale /= 10)
			frac += (*s - '0') * scale;
	tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
	tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
	*t = (double)timegm(&tm) + frac;
	return s;
}

static int has(const char *s, const char *e, const char *pat)
{
	return s < e && memmem(s, e - s, pat, strlen(pat)) != NULL;
}

static long num_after(const char *s, const char *e, const char *pat)
{
	const char *p = s < e ? memmem(s, e - s, pat, strlen(pat)) : NULL;
	long v = 0;

	if (!p)
		return -1;
	for (p += strlen(pat); p < e && *p >= '0' && *p <= '9' && v < 100000000; p++)
		v = v * 10 + *p - '0';
	return v;
}

const char *const ex_nlm_proc[16] = {
	"NULL", "TEST", "LOCK", "CANCEL", "UNLOCK", "GRANTED", "TEST_MSG", "LOCK_MSG",
	"CANCEL_MSG", "UNLOCK_MSG", "GRANTED_MSG", "TEST_RES", "LOCK_RES", "CANCEL_RES",
	"UNLOCK_RES", "GRANTED_RES",
};

int ex_is_text(const char *buf, size_t len)
{
	size_t i, printable = 0;

	for (i = 0; i < len && i < 4096; i++)
		printable += (unsigned char)buf[i] >= 0x20 || buf[i] == '\n' || buf[i] == '\t' ||
			     buf[i] == '\r';
	return len && printable >= i * 95 / 100;
}

/* Wireshark's Info of an NLM/Portmap row: "V4 LOCK Call …", "V4 LOCK Reply (Call In 1) NLM_…" */
static void rpc_info(struct ex_pkt *p, const char *proto, const char *s, const char *e)
{
	unsigned int i;

	p->rpc = has(s, e, " Call") ? EX_RPC_CALL : has(s, e, " Reply") ? EX_RPC_REPLY : 0;
	if (!p->rpc)
		return;
	p->retrans = p->retrans || has(s, e, "retransmission");
	if (strcmp(proto, "NLM"))
		return;
	p->nlm = 1;
	for (i = 0; i < 16; i++) {
		char pat[24];

		snprintf(pat, sizeof(pat), " %s %s", ex_nlm_proc[i],
			 p->rpc == EX_RPC_CALL ? "Call" : "Reply");
		if (has(s, e, pat))
			p->proc = i;
	}
	if (p->rpc == EX_RPC_REPLY) {
		p->stat = has(s, e, "NLM_DENIED_GRACE_PERIOD") ? 4 : has(s, e, "NLM_DENIED_NOLOCKS") ? 2 :
			  has(s, e, "NLM_BLOCKED") ? 3 : has(s, e, "NLM_DENIED") ? 1 : 0;
	}
	/* a LOCK call's block flag is not in the list: p->block stays unknown */
}

/* "871 → 2052 [FIN, ACK] …" or "871 > 2052 …" at the start of a TCP Info */
static void tcp_info(struct ex_pkt *p, const char *s, const char *e)
{
	long a, b;
	const char *q, *r;

	while (s < e && *s == '[') {	/* "[TCP Retransmission] ", "[TCP Port numbers reused] " */
		q = memchr(s, ']', e - s);
		if (!q)
			return;
		if (has(s, q, "etransmission"))
			p->retrans = 1;
		s = q + 1;
		while (s < e && *s == ' ')
			s++;
	}
	if ((a = bnum(s, e, &q, 65535)) < 0)
		return;
	while (q < e && *q == ' ')
		q++;
	if (e - q >= 3 && !memcmp(q, "\xe2\x86\x92", 3))
		q += 3;
	else if (q < e && *q == '>')
		q++;
	else
		return;
	while (q < e && *q == ' ')
		q++;
	if ((b = bnum(q, e, &q, 65535)) < 0)
		return;
	p->sport = a, p->dport = b;
	if (q < e && (q = memchr(q, '[', e - q)) && (r = memchr(q, ']', e - q))) {
		if (has(q, r, "SYN"))
			p->flags |= EX_F_SYN;
		if (has(q, r, "FIN"))
			p->flags |= EX_F_FIN;
		if (has(q, r, "RST"))
			p->flags |= EX_F_RST;
		if (has(q, r, "ACK"))
			p->flags |= EX_F_ACK;
		if (has(q, r, "PSH"))
			p->flags |= EX_F_PSH;
	}
	if ((a = num_after(s, e, "Len=")) > 0)
		p->len = a;
}

/* split [s, e) at tabs (tabbed) or blanks into at most n fields, the last one taking
 * the rest when blank-split; returns the count */
static int fields(const char *s, const char *e, int tabbed, const char **f, const char **fe, int n)
{
	int k = 0;

	while (s <= e && k < n) {
		if (!tabbed)
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
		if (s >= e && !tabbed)
			break;
		f[k] = s;
		if (k == n - 1 && !tabbed) {
			fe[k++] = e;
			break;
		}
		while (s < e && *s != '\t' && (tabbed || *s != ' '))
			s++;
		fe[k++] = s;
		if (s >= e)
			break;
		s++;
	}
	return k;
}

static int fis(const char *f, const char *fe, const char *name)
{
	return (size_t)(fe - f) == strlen(name) && !memcmp(f, name, fe - f);
}

#define MAXF 24

/* a Wireshark header: "No.<TAB>Time<TAB>Source…" -> column positions */
static int header(const char *s, const char *e, struct cols *out)
{
	const char *f[MAXF], *fe[MAXF];
	struct cols cc, *c = &cc;
	int n, i;

	if (!memchr(s, '\t', e - s))
		return 0;
	n = fields(s, e, 1, f, fe, MAXF);
	if (n < 5 || !fis(f[0], fe[0], "No."))
		return 0;
	memset(c, -1, sizeof(*c));
	for (i = 0; i < n; i++) {
		if (fe[i] - f[i] >= 4 && !memcmp(f[i], "Time", 4))
			c->time = i;
		else if (fis(f[i], fe[i], "Source"))
			c->src = i;
		else if (fis(f[i], fe[i], "Destination"))
			c->dst = i;
		else if (fis(f[i], fe[i], "Protocol"))
			c->proto = i;
		else if (fis(f[i], fe[i], "Length"))
			c->len = i;
		else if (fis(f[i], fe[i], "Info"))
			c->info = i;
		else if (fis(f[i], fe[i], "src port"))
			c->sport = i;
		else if (fis(f[i], fe[i], "dst port"))
			c->dport = i;
		else if (fis(f[i], fe[i], "XID"))
			c->xid = i;
	}
	if (c->time < 0 || c->src < 0 || c->dst < 0 || c->proto < 0 || c->info < 0)
		return 0;	/* not a list we can read: keep the last good header */
	*out = cc;
	return 1;
}

int ex_cap_push(struct ex_cap *c, const struct ex_pkt *p)
{
	if (c->n >= EX_MAX_PKTS) {
		snprintf(ex_err, sizeof(ex_err), "more than %d packets", EX_MAX_PKTS);
		return -EINVAL;
	}
	if (c->n == c->cap) {
		unsigned int cap = c->cap ? 2 * c->cap : 256;
		struct ex_pkt *np = realloc(c->p, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		c->p = np;
		c->cap = cap;
	}
	c->p[c->n] = *p;
	if (!c->p[c->n].no)
		c->p[c->n].no = c->n + 1;
	c->n++;
	return 0;
}

/* one Wireshark row already split into fields, column positions in c */
static int wireshark_row(struct ex_pkt *p, const char **f, const char **fe, int n,
			 const struct cols *c)
{
	char proto[16];
	long a, b;

	if (c->src < 0 || c->dst < 0 || c->proto < 0 || c->info < 0 || n <= c->info ||
	    n <= c->src || n <= c->dst || n <= c->proto ||
	    any_addr(f[c->src], fe[c->src] - f[c->src], p->src) ||
	    any_addr(f[c->dst], fe[c->dst] - f[c->dst], p->dst))
		return -1;
	snprintf(proto, sizeof(proto), "%.*s", (int)(fe[c->proto] - f[c->proto]), f[c->proto]);
	if (!strcmp(proto, "TCP") || !strcmp(proto, "NLM") || !strcmp(proto, "Portmap") ||
	    !strcmp(proto, "MOUNT") || !strcmp(proto, "NFS") || !strcmp(proto, "STAT") ||
	    !strcmp(proto, "RPC") || !strcmp(proto, "NSM"))
		p->proto = 6;
	else if (!strcmp(proto, "ICMP"))
		p->proto = 1;
	else if (!strcmp(proto, "ARP"))
		p->proto = 0;
	else if (!strcmp(proto, "UDP") || !strcmp(proto, "DNS") || !strcmp(proto, "NTP") ||
		 !strcmp(proto, "MDNS") || !strcmp(proto, "DHCP") || !strcmp(proto, "SSDP"))
		p->proto = 17;
	else
		p->proto = EX_PROTO_GUESS;	/* a dissector's guess on a random port (lockd's
						 * is, and tshark named its records "DLEP"):
						 * TCP if its ports are a TCP connection's */
	if (p->proto == EX_PROTO_GUESS) {
		p->flags = EX_F_ACK | EX_F_PSH;
		p->len = 1;
	}
	if (p->proto == 6 && strcmp(proto, "TCP")) {
		p->flags = EX_F_ACK | EX_F_PSH;
		p->len = 1;	/* an RPC record: payload, its size not in the list */
		rpc_info(p, proto, f[c->info], fe[c->info]);
	}
	if (p->proto == 6)
		tcp_info(p, f[c->info], fe[c->info]);
	if (p->proto == 1 && has(f[c->info], fe[c->info], "unreachable"))
		p->unreach = 1;
	if (p->proto == 0 && has(f[c->info], fe[c->info], "Who has"))
		p->arp_req = 1;
	if (c->sport >= 0 && c->sport < n && c->dport >= 0 && c->dport < n && !p->sport &&
	    (a = bnum(f[c->sport], fe[c->sport], NULL, 65535)) > 0 &&
	    (b = bnum(f[c->dport], fe[c->dport], NULL, 65535)) > 0)
		p->sport = a, p->dport = b;
	if (c->xid >= 0 && c->xid < n && fe[c->xid] - f[c->xid] > 2 && f[c->xid][0] == '0' &&
	    f[c->xid][1] == 'x') {
		const char *x;

		for (x = f[c->xid] + 2; x < fe[c->xid] && x < f[c->xid] + 10; x++)
			p->xid = p->xid << 4 | (*x <= '9' ? *x - '0' : (*x | 0x20) - 'a' + 10);
	}
	return 0;
}

/* "IP a.b.c.d.871 > e.f.g.h.2052: Flags [F.], …, length 0" from "IP" on */
static int tcpdump_row(struct ex_pkt *p, const char *s, const char *e)
{
	const char *a, *gt, *colon, *dot, *q;
	long v;

	if (e - s > 4 && !memcmp(s, "ARP,", 4)) {
		const char *w = memmem(s, e - s, "who-has ", 8), *t;

		if (!w || !(t = memmem(w, e - w, " tell ", 6)))
			return -1;
		p->proto = 0;
		p->arp_req = 1;
		q = a = t + 6;
		while (q < e && *q != ',' && *q != ' ')
			q++;
		if (ex_addr_parse(w + 8, t - w - 8, p->dst) || ex_addr_parse(a, q - a, p->src))
			return -1;
		return 0;
	}
	if (e - s < 4 || (memcmp(s, "IP ", 3) && memcmp(s, "IP6 ", 4)))
		return -1;
	a = s + (s[2] == ' ' ? 3 : 4);
	gt = memmem(a, e - a, " > ", 3);
	if (!gt || !(colon = memmem(gt + 3, e - gt - 3, ": ", 2)))
		return -1;
	if (has(colon, e, "Flags [")) {
		dot = memrchr(a, '.', gt - a);
		if (!dot || any_addr(a, dot - a, p->src) ||
		    (v = bnum(dot + 1, gt, NULL, 65535)) < 0)
			return -1;
		p->sport = v;
		dot = memrchr(gt + 3, '.', colon - gt - 3);
		if (!dot || any_addr(gt + 3, dot - gt - 3, p->dst) ||
		    (v = bnum(dot + 1, colon, NULL, 65535)) < 0)
			return -1;
		p->dport = v;
		p->proto = 6;
		for (q = (const char *)memmem(colon, e - colon, "Flags [", 7) + 7; q < e && *q != ']'; q++)
			p->flags |= *q == 'S' ? EX_F_SYN : *q == 'F' ? EX_F_FIN : *q == 'R' ? EX_F_RST :
				    *q == 'P' ? EX_F_PSH : *q == '.' ? EX_F_ACK : 0;
		if ((v = num_after(colon, e, ", length ")) > 0)
			p->len = v;
		return 0;
	}
	if (any_addr(a, gt - a, p->src) || any_addr(gt + 3, colon - gt - 3, p->dst))
		return -1;
	if (has(colon, e, "ICMP")) {
		const char *h = memmem(colon, e - colon, "ICMP host ", 10);

		p->proto = 1;
		if (h && has(h, e, "unreachable")) {
			const char *u = h + 10, *ue = u;

			while (ue < e && *ue != ' ')
				ue++;
			p->unreach = !any_addr(u, ue - u, p->dst);
		}
		return 0;
	}
	p->proto = 17;
	return 0;
}

static void pkt_init(struct ex_pkt *p, double t)
{
	memset(p, 0, sizeof(*p));
	p->proc = -1, p->stat = -1, p->block = 2, p->t = t;
}

/* one line: 1 a packet in *p, 0 not a packet */
static int row(struct ex_pkt *p, const char *s, const char *q, const struct cols *hc, int *kind)
{
	const char *f[MAXF], *fe[MAXF], *d = NULL, *r, *x;
	struct cols c;
	double t;
	int n, plus;

	if (hc && memchr(s, '\t', q - s)) {
		n = fields(s, q, 1, f, fe, MAXF);
		if (n <= hc->time || !datetime(f[hc->time], fe[hc->time], &t))
			return 0;
		pkt_init(p, t);
		*kind = 1;
		return !wireshark_row(p, f, fe, n, hc);
	}
	/* the date, wherever the row puts it (after "No." or a grep prefix) */
	for (x = s; x + 19 <= q && x < s + 64; x++)
		if ((d = datetime(x, q, &t)))
			break;
	if (!d)
		return 0;
	for (r = d; r < q && (*r == ' ' || *r == '\t'); r++)
		;
	pkt_init(p, t);
	*kind = 0;
	if (!tcpdump_row(p, r, q))
		return 1;
	/* tcpdump -i any: "ens2  Out IP …" */
	x = memmem(r, q - r, " IP", 3);
	pkt_init(p, t);
	if (x && x - r < 32 && !tcpdump_row(p, x + 1, q))
		return 1;
	/* Wireshark by blanks: [+s] src dst proto len info */
	n = fields(r, q, 0, f, fe, 2);
	plus = n > 0 && memchr(f[0], '.', fe[0] - f[0]) &&
	       memchr(f[0], '.', fe[0] - f[0]) == memrchr(f[0], '.', fe[0] - f[0]);
	n = fields(r, q, 0, f, fe, 5 + plus);	/* the last field, the Info, is the rest */
	c = (struct cols){ .time = -1, .src = plus, .dst = 1 + plus, .proto = 2 + plus,
			   .len = 3 + plus, .info = 4 + plus, .sport = -1, .dport = -1, .xid = -1 };
	pkt_init(p, t);
	*kind = 1;
	return !wireshark_row(p, f, fe, n, &c);
}

int ex_text_parse(struct ex_cap *c, const char *buf, size_t len)
{
	const char *s = buf, *e = buf + len, *nl, *q;
	struct cols hc;
	int have_header = 0, err, kind, ws = 0, td = 0;
	struct ex_pkt p;

	c->have = 1;
	while (s < e) {
		nl = memchr(s, '\n', e - s);
		if (!nl)
			nl = e;
		q = nl;
		if (q > s && q[-1] == '\r')
			q--;
		if (header(s, q, &hc))
			have_header = 1;
		else if (row(&p, s, q, have_header ? &hc : NULL, &kind)) {
			if ((err = ex_cap_push(c, &p)))
				return err;
			ws += kind, td += !kind;
		} else {
			c->skipped++;
		}
		s = nl + 1;
	}
	if (!c->n) {
		snprintf(ex_err, sizeof(ex_err), "no packet in %zu bytes of text (neither "
			 "tcpdump -nn -tttt lines nor Wireshark rows with a date)", len);
		return -EINVAL;
	}
	c->format = ws >= td ? "Wireshark packet list (text)" : "tcpdump -nn -tttt text";
	/* a list names the RPC rows its dissectors knew, not all of them (a lockd on a
	 * random port may be shown as anything): never "every call is named" */
	c->decoded = 0;
	return 0;
}
