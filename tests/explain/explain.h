/* SPDX-License-Identifier: GPL-2.0 */
/*
 * explain.h: read a customer's kernel log and capture, name the lockd failure
 * (issue 13, README "Explaining a customer's incident").
 *
 * The parsers (log.c, text.c, pcap.c) turn untrusted bytes into two arrays: the lockd
 * lines of the log and the packets of the capture. classify.c finds the stalls in the
 * packets ("episodes"), aligns the two clocks, ties every lockd line to the episode that
 * printed it and compares it with the timing model (tests/lib/timing.h, linked).
 * Every parser takes a buffer and a length: no I/O, so the fuzz target calls them as
 * lr_explain does. They fail with -EINVAL and a one-line reason in ex_err.
 */
#ifndef LR_EXPLAIN_H
#define LR_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#define EX_MAX_INPUT	(256u << 20)	/* larger files: one line, exit 2 */
#define EX_MAX_PKTS	2000000		/* more packets: one line, exit 2 */
#define EX_MAX_LINES	100000		/* lockd lines kept from one log */

extern char ex_err[320];		/* the reason of the last -EINVAL */

/* ---- the log ---- */
enum ex_kind {
	EX_TRYING,		/* "lockd: server X not responding, still trying" */
	EX_TIMEDOUT,		/* "... not responding, timed out" */
	EX_OK,			/* "lockd: server X OK" */
	EX_CALL,		/* nlm_debug: "lockd: call procedure N on X" */
	EX_NKINDS
};

struct ex_line {
	enum ex_kind kind;
	double t;		/* the line's moment on the log's clock (see ex_log.clock) */
	double wall_lo;		/* syslog wall clock: the moment is in [wall_lo, wall_lo + res) */
	double res;		/* resolution of t: 1 s for whole-second wall stamps, else 0 */
	int proc;		/* EX_CALL: the NLM procedure */
	int async;		/* EX_CALL: "(async)" */
	int zero_k;		/* EX_OK written "0K" (a transcription), read as OK */
	int server_log;		/* from the server's log (DMESG of the server) */
	unsigned int lineno;
	char host[64];		/* the name in the line: address or nodename */
	struct ex_stamp {	/* as written, until ex_log_set_year() gives t */
		int has_wall, has_kstamp, year, mon, mday;
		double sod, kstamp, res;	/* seconds of the day; kernel stamp */
	} st;
};

enum ex_clock {
	EX_CLOCK_NONE,		/* no stamps at all: only the order of the lines */
	EX_CLOCK_UPTIME,	/* kernel stamps [s.us] only */
	EX_CLOCK_WALL,		/* wall clock (syslog, dmesg -T, ISO), local time as UTC */
};

struct ex_log {
	struct ex_line *l;
	unsigned int n, cap;
	enum ex_clock clock;
	int year_known;		/* the stamps carry a year (else syslog's "Jun 19") */
	unsigned int kver_major, kver_minor;	/* "Linux version X.Y" seen, else 0 */
	char kver[64];
	unsigned int lines;	/* lines read */
	unsigned int klines;	/* of them kernel-log lines: a [stamp] or a "kernel:" tag */
	unsigned int zero_k;	/* "0K" read as "OK" */
};

/* Parse @len bytes of dmesg/syslog text; lines are appended (several logs may be read
 * into one ex_log, @server_log marks the server's). 0, or -EINVAL (ex_err): not text,
 * too many lockd lines, or no line of it a kernel log's (no stamp, no "kernel:", no
 * lockd line: not guessed to be a log). */
int ex_log_parse(struct ex_log *lg, const char *buf, size_t len, int server_log);
/* syslog stamps without a year: put them in @year (from the capture) */
void ex_log_set_year(struct ex_log *lg, int year);
void ex_log_free(struct ex_log *lg);

/* ---- the capture ---- */
/* a text row named by another dissector (episodes.c: TCP when its ports are a TCP
 * connection's, else UDP) */
#define EX_PROTO_GUESS	255

#define EX_F_FIN	0x01
#define EX_F_SYN	0x02
#define EX_F_RST	0x04
#define EX_F_PSH	0x08
#define EX_F_ACK	0x10

enum ex_rpc { EX_RPC_NONE, EX_RPC_CALL, EX_RPC_REPLY };

struct ex_pkt {
	double t;		/* seconds since the epoch as the capture gives it */
	uint8_t src[16], dst[16];	/* IPv4 as ::ffff:a.b.c.d */
	uint16_t sport, dport;
	uint8_t proto;		/* 6 TCP, 17 UDP, 1 ICMP, 0 ARP, EX_PROTO_GUESS */
	uint8_t flags;		/* EX_F_* */
	uint8_t rpc;		/* enum ex_rpc */
	uint8_t unreach;	/* ICMP destination unreachable about dst */
	uint8_t arp_req;	/* ARP who-has dst, asked by src */
	uint8_t nlm;		/* the RPC is NLM (program 100021) */
	uint8_t block;		/* NLM LOCK call: the block flag (F_SETLKW), 2 = unknown */
	uint8_t retrans;	/* the text said so ("Retransmission", "RPC retransmission") */
	uint32_t len;		/* TCP/UDP payload bytes */
	uint32_t xid;		/* RPC XID, 0 unknown */
	int proc;		/* NLM procedure, -1 unknown */
	int stat;		/* NLM reply status, -1 unknown */
	unsigned int no;	/* packet number in the capture (1-based) */
};

struct ex_cap {
	struct ex_pkt *p;
	unsigned int n, cap;
	int have;		/* a capture was given */
	int decoded;		/* every RPC call is known as one (pcap: its payload read) */
	const char *format;	/* "pcap", "pcapng", "tcpdump text", "wireshark text" */
	unsigned int skipped;	/* text lines that were not packets */
};

int ex_text_parse(struct ex_cap *c, const char *buf, size_t len);
int ex_pcap_parse(struct ex_cap *c, const char *buf, size_t len);
/* append a packet (numbered in capture order); -EINVAL past EX_MAX_PKTS, -ENOMEM */
int ex_cap_push(struct ex_cap *c, const struct ex_pkt *p);
/* 1 when the first 4 KiB of @buf are text (< 5 % control characters) */
int ex_is_text(const char *buf, size_t len);
/* the NLM procedures by number (include/linux/lockd/xdr.h NLMPROC_*) */
extern const char *const ex_nlm_proc[16];
/* which parser a capture file's first bytes call for: 1 pcap/pcapng, 0 text, -1 neither */
int ex_cap_sniff(const char *buf, size_t len);
void ex_cap_free(struct ex_cap *c);
/* decode one RPC record (after the TCP record marker, or a UDP datagram) into @p */
void ex_rpc_decode(struct ex_pkt *p, const uint8_t *d, size_t n);
/* "::ffff:1.2.3.4" stored from a dotted quad; 0 or -1 */
int ex_addr_parse(const char *s, size_t n, uint8_t out[16]);
void ex_addr_str(const uint8_t a[16], char *buf, size_t len);

/* ---- the diagnosis ---- */
struct ex_opts {
	unsigned int kver_major, kver_minor;	/* 0: from the log, else mainline */
	int kernel_given;
	unsigned int nlm_timeout;		/* 0: 10 (the default) */
	int nlm_timeout_given;
	unsigned int hz;			/* 0: 250 */
	char server[64];			/* SERVER=ip */
	const char *case_name;			/* a case dir's own name, for the report */
};

/* Print the report to stdout (docs/internals.md names its machine-read lines: "class:",
 * "reproduce:", the timeline block); 0, or -1 when memory ran out. */
int ex_explain(struct ex_log *lg, struct ex_cap *c, const struct ex_opts *o);

#endif /* LR_EXPLAIN_H */
