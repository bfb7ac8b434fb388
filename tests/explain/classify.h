/* SPDX-License-Identifier: GPL-2.0 */
/*
 * classify.h: what episodes.c (the stalls found in the packets) and classify.c (the
 * clocks, the lines, the model, the report) share. Internal to tests/explain/.
 */
#ifndef LR_EXPLAIN_CLASSIFY_H
#define LR_EXPLAIN_CLASSIFY_H

#include <stdint.h>
#include "explain.h"
#include "timing.h"

enum ex_class {
	C_NONE, C_SVC_SLEEP, C_LINK_DOWN, C_FIN_BLACKHOLE, C_PORTMAP, C_CALLBACK, C_UNKNOWN,
	C_N
};

#define MAX_FACTS	8
#define MAX_SHOWN	200	/* lockd lines the report lists one by one */
#define MAX_EPISODES	256

struct episode {
	enum ex_class type;
	int conn;
	double call;		/* the request's first sign in the capture; NAN unknown */
	double reply;		/* the answer that ends it (the OK line's packet); NAN none */
	double end;		/* last packet of the pattern */
	double fin, syn;	/* fin-blackhole: first FIN seen, SYN from the reused port */
	double fin_rto;		/* fin-blackhole: first FIN retransmission gap */
	unsigned int call_no, reply_no;
	int proc, block, fresh, stat;
	int nsyn, nsynack, nfin, resends;
	double syn_at[LR_MAX_SEGS], fin_at[LR_MAX_SEGS];
	int n_syn_at, n_fin_at;
	char cli[48], srv[48];
	unsigned int cport, sport;
	int nfacts, ok[MAX_FACTS];	/* 1 seen, 0 missing, -1 a note (no weight) */
	char fact[MAX_FACTS][200];
	int lines;		/* lockd lines tied to it */
	int kind_lines[EX_NKINDS];	/* of each kind */
	uint32_t xid, len;	/* the request's XID (0 unknown); svc-sleep: its length */
	unsigned int req_no;	/* the request's packet, when it went out after the stall */
	int model_state;	/* 0 not asked yet, 1 ex holds the model's answer, -1 none */
	struct lr_expect ex;
};

struct conn {
	uint8_t a[16], b[16];
	uint16_t ap, bp;
	int cli;		/* 0: a is the client, 1: b is, -1 not known yet */
	int first, last, n;
	int fin, rst, data, synack;
};

struct ctx {
	struct ex_log *lg;
	struct ex_cap *c;
	const struct ex_opts *o;
	struct lr_params p;
	const char *kname;	/* the suite's name for the kernel */
	int kver_from;		/* 0 assumed, 1 option, 2 log */
	struct conn *cn;
	int ncn;
	int *next, *conn_of;
	struct episode ep[MAX_EPISODES];
	int nep;
	uint8_t server[16];
	int have_server;	/* the server's address is known and in the capture */
	double offset;		/* log time + offset = capture time */
	int aligned;		/* offset found from the lines and the packets */
	int weak;		/* ... only from a still trying line inside a FIN window */
	int single;		/* ... from one line alone, moved off the wall clock */
	int *line_ep;		/* per log line: the episode, -1 none */
	double cap_lo, cap_hi;
};


extern const char *const class_name[C_N];
const char *proc_str(int proc);

/* connections: the client is the side that sent the SYN (or the guess build_conns() says) */
static inline int addr_eq(const uint8_t *x, const uint8_t *y)
{
	return !memcmp(x, y, 16);
}

static inline int is_cli(const struct conn *k, const struct ex_pkt *p)
{
	int from_a = addr_eq(p->src, k->a) && p->sport == k->ap;

	return k->cli < 0 ? -1 : from_a == (k->cli == 0);
}

static inline const uint8_t *cli_addr(const struct conn *k)
{
	return k->cli == 1 ? k->b : k->a;
}

static inline const uint8_t *srv_addr(const struct conn *k)
{
	return k->cli == 1 ? k->a : k->b;
}

static inline unsigned int srv_port(const struct conn *k)
{
	return k->cli == 1 ? k->ap : k->bp;
}

static inline unsigned int cli_port(const struct conn *k)
{
	return k->cli == 1 ? k->bp : k->ap;
}


/* the connections and the stalls of the capture into x->cn, x->ep (episodes.c) */
int ex_find_episodes(struct ctx *x);

#endif /* LR_EXPLAIN_CLASSIFY_H */
