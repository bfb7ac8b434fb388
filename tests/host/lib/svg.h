/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svg.h: a case's timeline as one SVG (tests/host/lr_svg.c reads the evidence; this
 * part is pure and unit-tested in tests/unit/svg_test.c).
 *
 * One time axis, seconds after the test's first call (timings.json t0_kmsg_s, the
 * client's kernel clock); lanes: the impairment, the client, the server, the model's
 * windows placed on the axis, the customer's figures from the seed where they exist.
 * Gaps without events longer than TL_GAP_S are cut out of the axis (a broken axis: the
 * 5 min idle of fin-blackhole and the seconds of retransmissions in one figure), and
 * the densest burst after the impairment went on is drawn again below at its own scale
 * (an inset). Below that, every model window again on its own reference, band and
 * measured mark (green inside, red outside).
 */
#ifndef LR_SVG_H
#define LR_SVG_H

#include <stdbool.h>
#include <stdio.h>

#define TL_EV_MAX	1024
#define TL_WIN_MAX	64
#define TL_SEG_MAX	16
/* a stretch without events longer than this is cut out of the axis */
#define TL_GAP_S	20.0

enum tl_lane { TL_CLIENT, TL_SERVER, TL_CUSTOMER, TL_LANES };

enum tl_kind {
	TL_NLM,		/* an NLM call or reply (tshark's Info) */
	TL_RPCB,	/* a portmap/rpcbind call or reply */
	TL_SYN, TL_SYNACK, TL_FIN, TL_RST,
	TL_CHACK,	/* an ACK answering a SYN: the challenge ACK of a stale connection */
	TL_ICMP,
	TL_LOG,		/* a kernel log line (lockd, nlmsvc) */
	TL_CALL,	/* the client's "lockd: call procedure N" (nlm_debug) */
	TL_KINDS
};

struct tl_ev {
	double t;		/* s on the axis */
	enum tl_lane lane;
	enum tl_kind kind;
	bool resend;		/* a TCP retransmission or an RPC re-send (same XID) */
	char label[64];		/* short, drawn when there is room */
	char title[320];	/* the whole line, as a tooltip */
};

/* one moment of timings.json */
struct tl_win {
	char what[64], from[96], why[160];
	bool has_expect, has_measured, placed;
	bool unchecked;				/* no assertion looked at it */
	double expect, lo, hi, measured;	/* s after from */
	double ref;				/* from on the axis, when placed */
};

struct tl {
	char title[256], sub[512];
	char align[400];		/* how the capture and the server's log were placed */
	char customer[48];		/* the customer lane's name, "" when none */
	char axis[96];			/* what 0 on the axis is */
	int nev;
	struct tl_ev ev[TL_EV_MAX];
	int nwin;
	struct tl_win win[TL_WIN_MAX];
	bool has_imp;
	double imp_on, imp_off;		/* the impairment on the axis */
	char imp_label[160];
};

struct tl_axis {
	int nseg;
	double a[TL_SEG_MAX], b[TL_SEG_MAX];	/* kept stretches of time */
	double xa[TL_SEG_MAX], xb[TL_SEG_MAX];	/* and where they are drawn */
};

/* add an event (dropped silently when full); returns it or NULL */
struct tl_ev *tl_add(struct tl *tl, double t, enum tl_lane lane, enum tl_kind kind,
		     bool resend, const char *label, const char *title);

/*
 * A packet of the decoded timeline (vm/timeline.sh's Info and Protocol columns): its kind,
 * or -1 for a packet the figure leaves out (plain ACKs, data, NFS). label: "SYN 934→42519",
 * "LOCK Call", ...; *resend: tshark called it a retransmission.
 */
int tl_classify(const char *proto, const char *info, int sport, int dport, char *label,
		size_t size, bool *resend);

/* NLM procedure number -> name ("LOCK"), or NULL */
const char *tl_nlm_proc(int proc);

/*
 * The line k = rate * s + b (client kmsg from capture time) that lines up the most
 * anchors of the trace (kmsg k[i], key kp[i]) with the capture's (time s[j], key sp[j])
 * within tol seconds; returns b. Keys: a port P for "worker connecting ... (port P)"
 * and the SYNs to P, -1 - N for "lockd: call procedure N" and the client's NLM calls of
 * N, TL_KEY_MOUNT below. A capture call of the trace's span [w0, w1] that meets no call line counts against
 * an offset. The rate is fitted too: a guest whose clock counts jiffies under TCG runs
 * slow against the host's (docs/timing-model.md, 5), seen 0.91. *score: the anchors
 * lined up less those calls (<= 0: none found, b 0, rate 1).
 */
double tl_align(const double *k, const int *kp, int nk, const double *s, const int *sp,
		int ns, double tol, double w0, double w1, double *rate, int *score);
/*
 * One more anchor far from the test, so that the rate can be fitted when the trace's
 * anchors lie close together (fin-blackhole: all within a second, 5 min after the set-up,
 * 3 s of drift): the client's "lr: mount" line and its first SYN in the capture
 * (mount.nfs asking rpcbind), within TL_MOUNT_TOL.
 */
#define TL_KEY_MOUNT	(-1000)
#define TL_MOUNT_TOL	0.5

/*
 * The axis over times t[0..n-1] (any order): stretches separated by more than gap are
 * drawn side by side between x0 and x1 with brk pixels for each break, every stretch at
 * one scale, each padded by pad seconds.
 */
void tl_axis_build(struct tl_axis *ax, const double *t, int n, double gap, double pad,
		   double x0, double x1, double brk);
/* t on the axis: inside a stretch, its x; in a break, the break's middle */
double tl_x(const struct tl_axis *ax, double t);

/*
 * The densest burst of events at or after from (not the customer's lane): the most events
 * within px pixels of the axis; [*a, *b] their span. Returns their number (0: none).
 */
int tl_dense(const struct tl *tl, const struct tl_axis *ax, double from, double px,
	     double *a, double *b);

/* the measured moment inside its window (true also without a window) */
bool tl_inside(const struct tl_win *w);

/* the seed's customer figures for scenario/profile as a lane; false: none in the seed */
bool tl_customer(struct tl *tl, const char *scenario, const char *profile);

/* the figure */
void tl_svg(FILE *out, const struct tl *tl);

#endif /* LR_SVG_H */
