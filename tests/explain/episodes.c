// SPDX-License-Identifier: GPL-2.0
/*
 * episodes.c: the stalls a capture shows, per TCP connection (classify.c's header says
 * which patterns and why). Every detector states the facts it saw, each marked seen or
 * missing; classify.c ties the log's lines to them. Work is linear in the packets but
 * for two bounded searches (SVC_SCAN, the port inheritance of text rows).
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"

const char *const class_name[C_N] = {
	[C_NONE] = "none", [C_SVC_SLEEP] = "svc-sleep", [C_LINK_DOWN] = "link-down",
	[C_FIN_BLACKHOLE] = "fin-blackhole", [C_PORTMAP] = "portmap-synack-lost",
	[C_CALLBACK] = "timed-out-callback", [C_UNKNOWN] = "unknown",
};

const char *proc_str(int proc)
{
	return proc >= 0 && proc < 16 ? ex_nlm_proc[proc] : "request";
}

static void fact(struct episode *e, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fact(struct episode *e, int ok, const char *fmt, ...)
{
	va_list ap;

	if (e->nfacts >= MAX_FACTS)
		return;
	va_start(ap, fmt);
	vsnprintf(e->fact[e->nfacts], sizeof(e->fact[0]), fmt, ap);
	va_end(ap);
	e->ok[e->nfacts++] = ok;
}

/* ---- connections ---- */

static uint64_t hkey(const struct ex_pkt *p)
{
	uint64_t h = 1469598103934665603ULL;
	const uint8_t *x = p->src, *y = p->dst;
	unsigned int xp = p->sport, yp = p->dport, i;

	if (memcmp(x, y, 16) > 0 || (!memcmp(x, y, 16) && xp > yp)) {
		const uint8_t *t = x;
		unsigned int tp = xp;

		x = y, y = t, xp = yp, yp = tp;
	}
	for (i = 0; i < 16; i++)
		h = (h ^ x[i]) * 1099511628211ULL, h = (h ^ y[i]) * 1099511628211ULL;
	h = (h ^ xp) * 1099511628211ULL;
	return (h ^ yp) * 1099511628211ULL;
}

static int same_conn(const struct conn *k, const struct ex_pkt *p)
{
	return (addr_eq(k->a, p->src) && k->ap == p->sport && addr_eq(k->b, p->dst) &&
		k->bp == p->dport) ||
	       (addr_eq(k->b, p->src) && k->bp == p->sport && addr_eq(k->a, p->dst) &&
		k->ap == p->dport);
}

/* RPC rows of a text list without ports: the ports of the last TCP row between the two;
 * rows of an unknown protocol: TCP or UDP by the rows before them */
static void inherit_ports(struct ex_cap *c)
{
	unsigned int i;
	int j;

	for (i = 0; i < c->n; i++) {
		struct ex_pkt *p = &c->p[i];

		/* a row another dissector named: the TCP segment of a connection seen
		 * shortly before, or UDP */
		if (p->proto == EX_PROTO_GUESS) {
			p->proto = 17;
			for (j = (int)i - 1; j >= 0 && j > (int)i - 256; j--)
				if (c->p[j].proto == 6 && ((c->p[j].sport == p->sport &&
				    c->p[j].dport == p->dport) || (c->p[j].sport == p->dport &&
				    c->p[j].dport == p->sport)) && p->sport) {
					p->proto = 6;
					break;
				}
			continue;
		}
		if (p->proto != 6 || p->sport || p->dport)
			continue;
		for (j = (int)i - 1; j >= 0 && j > (int)i - 256; j--) {
			struct ex_pkt *q = &c->p[j];

			if (q->proto != 6 || !q->sport)
				continue;
			if (addr_eq(q->src, p->src) && addr_eq(q->dst, p->dst)) {
				p->sport = q->sport, p->dport = q->dport;
				break;
			}
			if (addr_eq(q->src, p->dst) && addr_eq(q->dst, p->src)) {
				p->sport = q->dport, p->dport = q->sport;
				break;
			}
		}
	}
}

static int build_conns(struct ctx *x)
{
	struct ex_cap *c = x->c;
	unsigned int hsize = 1, i;
	int *ht, cap = 0;

	while (hsize < 2 * c->n + 2)
		hsize <<= 1;
	ht = malloc(hsize * sizeof(*ht));
	x->next = malloc((c->n + 1) * sizeof(int));
	x->conn_of = malloc((c->n + 1) * sizeof(int));
	if (!ht || !x->next || !x->conn_of) {
		free(ht);
		return -1;
	}
	memset(ht, -1, hsize * sizeof(*ht));
	for (i = 0; i < c->n; i++) {
		struct ex_pkt *p = &c->p[i];
		unsigned int h;
		int k = -1;
		struct conn *kc;

		x->next[i] = -1;
		x->conn_of[i] = -1;
		if (p->proto != 6 || (!p->sport && !p->dport))
			continue;
		for (h = hkey(p) & (hsize - 1); ht[h] >= 0; h = (h + 1) & (hsize - 1))
			if (same_conn(&x->cn[ht[h]], p))
				break;
		k = ht[h];
		/* a SYN on a used 4-tuple: a new connection from the same port */
		if (k >= 0 && (p->flags & (EX_F_SYN | EX_F_ACK)) == EX_F_SYN &&
		    (x->cn[k].fin || x->cn[k].rst || x->cn[k].data))
			k = -1;
		if (k < 0) {
			if (x->ncn == cap) {
				struct conn *n2;

				cap = cap ? 2 * cap : 64;
				n2 = realloc(x->cn, cap * sizeof(*n2));
				if (!n2) {
					free(ht);
					return -1;
				}
				x->cn = n2;
			}
			k = x->ncn++;
			kc = &x->cn[k];
			memset(kc, 0, sizeof(*kc));
			memcpy(kc->a, p->src, 16), memcpy(kc->b, p->dst, 16);
			kc->ap = p->sport, kc->bp = p->dport;
			kc->cli = -1;
			kc->first = i;
			ht[h] = k;
		} else {
			x->next[x->cn[k].last] = i;
		}
		kc = &x->cn[k];
		kc->last = i;
		kc->n++;
		x->conn_of[i] = k;
		if (p->flags & EX_F_FIN)
			kc->fin = 1;
		if (p->flags & EX_F_RST)
			kc->rst = 1;
		if (p->len)
			kc->data = 1;
		if (kc->cli < 0 && (p->flags & EX_F_SYN)) {
			int from_a = addr_eq(p->src, kc->a) && p->sport == kc->ap;

			kc->cli = (p->flags & EX_F_ACK) ? from_a : !from_a;
		}
		if ((p->flags & (EX_F_SYN | EX_F_ACK)) == (EX_F_SYN | EX_F_ACK))
			kc->synack = 1;
	}
	free(ht);
	/* no handshake seen: the well-known port, the known server, the caller, the FIN */
	for (int k = 0; k < x->ncn; k++) {
		struct conn *kc = &x->cn[k];
		int j;

		if (kc->cli >= 0)
			continue;
		if (kc->bp == 111 || kc->bp == 2049)
			kc->cli = 0;
		else if (kc->ap == 111 || kc->ap == 2049)
			kc->cli = 1;
		else if (x->have_server && addr_eq(kc->b, x->server))
			kc->cli = 0;
		else if (x->have_server && addr_eq(kc->a, x->server))
			kc->cli = 1;
		for (j = kc->first; kc->cli < 0 && j >= 0; j = x->next[j])
			if (c->p[j].rpc == EX_RPC_CALL || (c->p[j].flags & EX_F_FIN))
				kc->cli = !(addr_eq(c->p[j].src, kc->a) && c->p[j].sport == kc->ap);
		if (kc->cli < 0)
			kc->cli = kc->ap < kc->bp ? 0 : 1;	/* reserved ports are the client's */
	}
	return 0;
}

/* ---- episodes ---- */

static struct episode *new_ep(struct ctx *x, enum ex_class t, int k)
{
	struct episode *e;
	char buf[48];

	if (x->nep >= MAX_EPISODES)
		return NULL;
	e = &x->ep[x->nep++];
	memset(e, 0, sizeof(*e));
	e->type = t;
	e->conn = k;
	e->call = e->reply = e->fin = e->syn = NAN;
	e->proc = -1, e->block = 2, e->stat = -1;
	ex_addr_str(cli_addr(&x->cn[k]), buf, sizeof(buf));
	snprintf(e->cli, sizeof(e->cli), "%s", buf);
	ex_addr_str(srv_addr(&x->cn[k]), buf, sizeof(buf));
	snprintf(e->srv, sizeof(e->srv), "%s", buf);
	e->cport = cli_port(&x->cn[k]), e->sport = srv_port(&x->cn[k]);
	return e;
}

/* the first reply from the server on conn k after t, and the call it answers */
static int first_reply(struct ctx *x, int k, double t, int *callidx)
{
	int j, call = -1;

	for (j = x->cn[k].first; j >= 0; j = x->next[j]) {
		struct ex_pkt *p = &x->c->p[j];

		if (p->t < t)
			continue;
		if (is_cli(&x->cn[k], p) && p->len && call < 0)
			call = j;
		if (!is_cli(&x->cn[k], p) && p->len) {
			if (callidx)
				*callidx = call;
			return j;
		}
	}
	return -1;
}


static void nlm_of(struct ctx *x, struct episode *e, int j)
{
	struct ex_pkt *p = &x->c->p[j];

	if (p->nlm) {
		e->proc = p->proc;
		e->block = p->block;
	}
}

/* the new connection's first call and its reply after the pattern: the OK's packet */
static void after(struct ctx *x, struct episode *e, int k, double t)
{
	int call = -1, r = first_reply(x, k, t, &call);

	if (r >= 0) {
		e->reply = x->c->p[r].t;
		e->reply_no = x->c->p[r].no;
		if (call >= 0) {
			nlm_of(x, e, call);
			e->xid = x->c->p[call].xid;
			e->req_no = x->c->p[call].no;
		}
	}
}

/* portmap: the request that waited for the port goes out once a lookup succeeds, on a
 * connection to the server's lockd (not 111, not 2049): its reply prints the OK */
static void held_request(struct ctx *x, struct episode *e, int k)
{
	int l;

	for (l = 0; l < x->ncn; l++) {
		const struct conn *n = &x->cn[l];

		if (l == k || srv_port(n) == 111 || srv_port(n) == 2049 ||
		    !addr_eq(srv_addr(n), srv_addr(&x->cn[k])) ||
		    x->c->p[n->last].t < e->call)
			continue;
		after(x, e, l, e->call);
		if (!isnan(e->reply)) {
			fact(e, 1, "then %s went out on %u -> %u, lockd's port (packet %u), and was "
			     "answered (packet %u)", proc_str(e->proc), cli_port(n), srv_port(n),
			     e->req_no, e->reply_no);
			/* the episode names the request's connection from now on */
			e->cport = cli_port(n), e->sport = srv_port(n);
			return;
		}
	}
}

static void find_portmap(struct ctx *x, int k)
{
	struct conn *kc = &x->cn[k];
	int j, syn = 0, synack = 0, ack_after = 0, gap;
	double t0 = NAN, tsa = NAN, tend = 0;
	struct episode *e;
	double at[LR_MAX_SEGS];

	if (srv_port(kc) != 111)
		return;
	for (j = kc->first; j >= 0; j = x->next[j]) {
		struct ex_pkt *p = &x->c->p[j];
		int cl = is_cli(kc, p);

		if (cl && (p->flags & (EX_F_SYN | EX_F_ACK)) == EX_F_SYN) {
			if (syn < LR_MAX_SEGS)
				at[syn] = p->t;
			if (!syn++)
				t0 = p->t;
		} else if (!cl && (p->flags & (EX_F_SYN | EX_F_ACK)) == (EX_F_SYN | EX_F_ACK)) {
			if (!synack++)
				tsa = p->t;
		} else if (cl && synack && (p->flags & EX_F_ACK)) {
			ack_after++;
		}
		tend = p->t;
	}
	if (!synack || ack_after || syn + synack < 3)
		return;
	if (!(e = new_ep(x, C_PORTMAP, k)))
		return;
	e->call = syn ? t0 : tsa;
	e->call_no = x->c->p[kc->first].no;
	e->end = tend;
	e->nsyn = syn, e->nsynack = synack;
	e->n_syn_at = syn < LR_MAX_SEGS ? syn : LR_MAX_SEGS;
	memcpy(e->syn_at, at, e->n_syn_at * sizeof(double));
	fact(e, 1, "%s:%u -> %s:111 (rpcbind): %d SYN, %d SYN-ACK from 111, no final ACK "
	     "from the client in %.1f s", e->cli, e->cport, e->srv, syn, synack,
	     tend - e->call);
	gap = syn >= 2;
	fact(e, gap, "the client kept retransmitting its SYN (%d times): its stack never "
	     "saw the SYN-ACKs, they were lost between the wire and its TCP", syn > 0 ? syn - 1 : 0);
	if (!syn)
		fact(e, -1, "the first SYN is not in the capture: the call's moment is taken "
		     "from the first SYN-ACK");
	held_request(x, e, k);
}

static void find_fin(struct ctx *x, int k)
{
	struct conn *kc = &x->cn[k];
	int j, fins = 0, answered = 0, l;
	double t0 = NAN, tlast = 0, at[LR_MAX_SEGS];
	struct episode *e;

	if (srv_port(kc) == 111 || srv_port(kc) == 2049 || !kc->fin)
		return;
	for (j = kc->first; j >= 0; j = x->next[j]) {
		struct ex_pkt *p = &x->c->p[j];

		if (is_cli(kc, p) && (p->flags & EX_F_FIN)) {
			if (fins < LR_MAX_SEGS)
				at[fins] = p->t;
			if (!fins++)
				t0 = p->t;
			tlast = p->t;
		} else if (fins && !is_cli(kc, p)) {
			answered++;
		}
	}
	if (fins < 2 || answered)
		return;
	if (!(e = new_ep(x, C_FIN_BLACKHOLE, k)))
		return;
	e->n_fin_at = fins < LR_MAX_SEGS ? fins : LR_MAX_SEGS;
	memcpy(e->fin_at, at, e->n_fin_at * sizeof(double));
	e->fin = t0;
	e->nfin = fins;
	e->end = tlast;
	e->fin_rto = fins >= 2 ? e->fin_at[1] - e->fin_at[0] : NAN;
	fact(e, 1, "%s:%u -> %s:%u: FIN sent %d times from %.2f s to %.2f s after the first "
	     "one, nothing from the server on that connection after it", e->cli, e->cport,
	     e->srv, e->sport, fins, 0.0, tlast - t0);
	/* the next connection of the same 4-tuple: the reused port */
	for (l = k + 1; l < x->ncn; l++) {
		struct conn *n = &x->cn[l];

		if (addr_eq(cli_addr(n), cli_addr(kc)) && cli_port(n) == cli_port(kc) &&
		    addr_eq(srv_addr(n), srv_addr(kc)) && srv_port(n) == srv_port(kc))
			break;
	}
	if (l < x->ncn) {
		e->syn = x->c->p[x->cn[l].first].t;
		e->conn = l;
		after(x, e, l, e->syn);
		fact(e, 1, "then a SYN from the same client port %u, %.2f s after the first FIN "
		     "(the old socket gone): the held-back request went out on it", e->cport,
		     e->syn - t0);
		if (!isnan(e->reply))
			fact(e, 1, "%s answered %.3f s after that SYN (packet %u)", proc_str(e->proc),
			     e->reply - e->syn, e->reply_no);
	} else {
		fact(e, 0, "no SYN from port %u after it in the capture (it ends %.1f s after the "
		     "first FIN)", e->cport, x->cap_hi - t0);
	}
}

/* the first packet from @addr after t0 (any connection), looked for from packet @from
 * on (a capture is in time order); +inf when none */
static double next_from(struct ctx *x, const uint8_t *addr, double t0, unsigned int from)
{
	unsigned int i;

	for (i = from; i < x->c->n; i++)
		if (x->c->p[i].t > t0 && addr_eq(x->c->p[i].src, addr) && !x->c->p[i].arp_req)
			return x->c->p[i].t;
	return INFINITY;
}

static void find_link_down(struct ctx *x, int k)
{
	struct conn *kc = &x->cn[k];
	struct episode *e;
	int j, syn = 0, unreach = 0, l;
	double t0 = NAN, quiet, answer = NAN, at[LR_MAX_SEGS];
	unsigned int i;

	if (srv_port(kc) == 2049)
		return;
	for (j = kc->first; j >= 0; j = x->next[j])
		if (is_cli(kc, &x->c->p[j]) &&
		    (x->c->p[j].flags & (EX_F_SYN | EX_F_ACK)) == EX_F_SYN) {
			t0 = x->c->p[j].t;
			break;
		}
	if (isnan(t0))
		return;
	/* the server silent on every connection from the first SYN on */
	quiet = next_from(x, srv_addr(kc), t0 - 1e-9, kc->first);
	for (; j >= 0; j = x->next[j]) {
		struct ex_pkt *p = &x->c->p[j];

		if (is_cli(kc, p) && (p->flags & (EX_F_SYN | EX_F_ACK)) == EX_F_SYN && p->t < quiet &&
		    syn < LR_MAX_SEGS)
			at[syn++] = p->t;
		if (!is_cli(kc, p) && isnan(answer))
			answer = p->t;
	}
	if (syn < 2 || (isfinite(quiet) ? quiet : x->cap_hi) - t0 < 0.9)
		return;
	/* one silence, one episode: the earliest connect that waited in it */
	for (l = 0; l < x->nep; l++)
		if (x->ep[l].type == C_LINK_DOWN && x->ep[l].call <= t0 && x->ep[l].end >= t0 &&
		    addr_eq(srv_addr(&x->cn[x->ep[l].conn]), srv_addr(kc)))
			return;
	/* ICMP unreachable about the server (pcap, tcpdump), or a Wireshark row about
	 * this connection's ports (the list names the client as both ends) */
	for (i = kc->first; i < x->c->n && x->c->p[i].t <= quiet; i++)
		if (x->c->p[i].unreach && x->c->p[i].t >= t0 &&
		    (addr_eq(x->c->p[i].dst, srv_addr(kc)) || x->c->p[i].sport == cli_port(kc)))
			unreach++;
	if (!(e = new_ep(x, C_LINK_DOWN, k)))
		return;
	e->call = t0;
	e->call_no = x->c->p[kc->first].no;
	e->end = isfinite(quiet) ? quiet : x->cap_hi;
	e->nsyn = syn;
	e->n_syn_at = syn;
	memcpy(e->syn_at, at, syn * sizeof(double));
	fact(e, 1, "%s:%u -> %s:%u: %d SYN over %.1f s, nothing at all from %s meanwhile "
	     "(on any connection)", e->cli, e->cport, e->srv, e->sport, syn, e->end - t0, e->srv);
	if (unreach)
		fact(e, 1, "%d ICMP host unreachable for %s", unreach, e->srv);
	else	/* a valid neighbour entry sends the SYNs without asking */
		fact(e, -1, "no ICMP host unreachable for %s", e->srv);
	if (!isnan(answer)) {
		after(x, e, k, answer);
		fact(e, 1, "the server was heard again %.1f s after the first SYN, this connect "
		     "answered %.1f s after it%s", e->end - t0, answer - t0,
		     isnan(e->reply) ? "" : "; its request went out and was answered");
	} else {
		fact(e, 0, "the connect is never answered in the capture");
	}
}

/*
 * Link down seen only as ICMP host unreachable (the client's neighbour resolution for the
 * server failed: its link is down), when the capture has no unanswered SYN beside it (a
 * Wireshark list cut down to these rows, as in the seed): the server silent from the
 * first of them to its next packet. The request's call is not in the capture; a line
 * can only be tied to the silence (like a FIN window).
 */
static void find_unreach(struct ctx *x)
{
	unsigned int i;
	int k, l, n = 0;
	double t0 = NAN, quiet;
	const struct conn *kc = NULL;
	struct episode *e;

	for (i = 0; i < x->c->n && !kc; i++) {
		const struct ex_pkt *p = &x->c->p[i];

		if (!p->unreach)
			continue;
		for (k = 0; k < x->ncn && !kc; k++)
			if ((x->cn[k].cli >= 0 && addr_eq(p->dst, srv_addr(&x->cn[k]))) ||
			    (p->sport && p->sport == cli_port(&x->cn[k]) &&
			     p->dport == srv_port(&x->cn[k])))
				kc = &x->cn[k], t0 = p->t;
	}
	if (!kc || (x->have_server && !addr_eq(srv_addr(kc), x->server)))
		return;
	quiet = next_from(x, srv_addr(kc), t0, 0);
	for (i = 0; i < x->c->n; i++)
		n += x->c->p[i].unreach && x->c->p[i].t >= t0 && x->c->p[i].t < quiet;
	for (l = 0; l < x->nep; l++)
		if (x->ep[l].type == C_LINK_DOWN && x->ep[l].end >= t0 &&
		    (isnan(x->ep[l].call) || x->ep[l].call <= quiet))
			return;		/* the SYNs already tell it */
	if (!(e = new_ep(x, C_LINK_DOWN, kc - x->cn)))
		return;
	e->fin = t0;		/* the silence's start, as a FIN window's */
	e->end = isfinite(quiet) ? quiet : x->cap_hi;
	fact(e, 1, "%d ICMP host unreachable for the server (%s) over %.1f s, nothing from "
	     "it meanwhile: the client could not resolve its address", n, e->srv, e->end - t0);
	fact(e, 0, "no unanswered SYN of the request in the capture: its call is not known");
	if (isfinite(quiet)) {
		after(x, e, kc - x->cn, quiet);
		fact(e, 1, "the server was heard again %.1f s after the first unreachable", quiet - t0);
	}
}

/* @p repeats the call of an svc-sleep episode on the same connection (same XID, or same
 * length while that call was unanswered when the capture has no XIDs) */
static int resent(struct ctx *x, int k, const struct ex_pkt *p)
{
	int l;

	for (l = 0; l < x->nep; l++) {
		const struct episode *e = &x->ep[l];

		if (e->type != C_SVC_SLEEP || e->conn != k)
			continue;
		if (p->xid ? p->xid == e->xid : p->len == e->len && p->t <= e->end)
			return 1;
	}
	return 0;
}

/* how far a call's answer is looked for on its connection (packets): bounds the search
 * on a hostile capture of unanswered data */
#define SVC_SCAN	4096

static void find_svc_sleep(struct ctx *x, int k)
{
	struct conn *kc = &x->cn[k];
	struct ex_cap *c = x->c;
	int j;

	if (srv_port(kc) == 111 || srv_port(kc) == 2049)
		return;
	for (j = kc->first; j >= 0; j = x->next[j]) {
		struct ex_pkt *p = &c->p[j], *q;
		int acked = 0, resends = 0, r = -1, m, syn_before, steps;
		double ack_t = NAN, at[LR_MAX_SEGS];
		struct episode *e;
		char xs[24];

		/* a call (decoded), or any client data when the capture names none; not a
		 * re-send of a call already taken */
		if (!is_cli(kc, p) || !p->len || p->retrans ||
		    (c->decoded && p->rpc != EX_RPC_CALL) || p->rpc == EX_RPC_REPLY ||
		    (p->rpc == EX_RPC_CALL && !p->nlm) || resent(x, k, p))
			continue;
		for (m = x->next[j], steps = 0; m >= 0 && steps < SVC_SCAN; m = x->next[m], steps++) {
			q = &c->p[m];
			/* the answer: the server's next data on the connection, its XID
			 * when both are known */
			if (!is_cli(kc, q) && q->len &&
			    (!q->xid || !p->xid || q->xid == p->xid || q->rpc != EX_RPC_REPLY)) {
				r = m;
				break;
			}
			if (!is_cli(kc, q) && (q->flags & EX_F_ACK) && !acked++)
				ack_t = q->t;
			if (is_cli(kc, q) && q->len &&
			    ((p->xid && q->xid == p->xid) || (!p->xid && (q->retrans ||
			      (q->len == p->len && p->len > 1))))) {
				if (resends < LR_MAX_SEGS)
					at[resends] = q->t;
				resends++;
			}
		}
		/* answered before any retransmission timer could fire (nlm_timeout >= 3 s)
		 * and never re-sent: a normal call; nothing ACKed: not this pattern */
		if ((r >= 0 && c->p[r].t - p->t < 2.5 && !resends) || !acked ||
		    (r < 0 && c->p[kc->last].t - p->t < 2.5))
			continue;
		if (!(e = new_ep(x, C_SVC_SLEEP, k)))
			return;
		e->call = p->t;
		e->call_no = p->no;
		e->xid = p->xid;
		e->len = p->len;
		nlm_of(x, e, j);
		e->resends = resends;
		e->n_syn_at = resends < LR_MAX_SEGS ? resends : LR_MAX_SEGS;
		memcpy(e->syn_at, at, e->n_syn_at * sizeof(double));
		e->end = r >= 0 ? c->p[r].t : c->p[kc->last].t;
		if (r >= 0)
			e->reply = c->p[r].t, e->reply_no = c->p[r].no, e->stat = c->p[r].stat;
		syn_before = (c->p[kc->first].flags & EX_F_SYN) && p->t - c->p[kc->first].t < 1;
		e->fresh = syn_before;
		snprintf(xs, sizeof(xs), " XID 0x%08x", p->xid);
		fact(e, 1, "%s call%s on %s:%u -> %s:%u (packet %u), ACKed by the server %.3f s later",
		     proc_str(e->proc), p->xid ? xs : "", e->cli, e->cport, e->srv, e->sport,
		     p->no, ack_t - p->t);
		fact(e, resends > 0, "re-sent %d time(s) on the same connection (the server "
		     "took it in and kept it)", resends);
		if (r < 0)
			fact(e, 1, "never answered in the capture (%.1f s to its end)",
			     c->p[kc->last].t - p->t);
		else
			fact(e, 1, "answered %.2f s after the call (packet %u)", e->reply - e->call,
			     e->reply_no);
		if (syn_before)	/* the model's "LOCK opens the connection" row, not evidence */
			fact(e, -1, "the call opened the connection itself (SYN < 1 s before it): "
			     "4.19 takes one minor timeout before the first send");
	}
}

int ex_find_episodes(struct ctx *x)
{
	int k;

	inherit_ports(x->c);
	if (build_conns(x))
		return -1;
	for (k = 0; k < x->ncn; k++) {
		if (x->have_server && !addr_eq(srv_addr(&x->cn[k]), x->server))
			continue;
		find_portmap(x, k);
		find_fin(x, k);
		find_link_down(x, k);
		find_svc_sleep(x, k);
	}
	find_unreach(x);
	return 0;
}
