/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmesg.h: "no oops / WARN / BUG / hung task / lockd error since the test started", on
 * both guests, and the server's kernel log lines.
 *
 * Contract: lr_dmesg_mark() in FIXTURE_SETUP remembers "now" in both logs (the client's
 * /dev/kmsg, the server's dmesg through its agent); lr_dmesg_check() in FIXTURE_TEARDOWN
 * lists the bad lines logged since, less the lines the test expects (client_allow,
 * server_allow). lr_server_lines() picks the server's lines matching an ERE after a stamp.
 * Users: every test group's fixture; grantcb.h (the server's GRANTED lines).
 */
#ifndef LR_DMESG_H
#define LR_DMESG_H

#include <stdbool.h>
#include <stddef.h>

/* pure: which bad pattern a log line matches (a short label), or NULL if none. */
const char *lr_dmesg_bad(const char *line);
/* pure: the timestamp of a dmesg line "[   12.345678] ..." in seconds, -1 if none. */
double lr_dmesg_ts(const char *line);
/* pure: the timestamp of the last timestamped line of a dmesg text, 0 if none. */
double lr_dmesg_last_ts(const char *text);

struct lr_dmesg_mark {
	int kmsg_fd;		/* client: /dev/kmsg positioned at the mark */
	double server_ts;	/* server: dmesg timestamp of its last line at the mark */
	bool server_ok;		/* the server's dmesg could be read at the mark */
	/* client lines the test expects (e.g. "lockd: server ... not responding"): an ERE,
	 * set after lr_dmesg_mark(); matching lines are not counted as bad */
	const char *client_allow;
	const char *server_allow;	/* the same for the server's lines (stamp stripped) */
};
/* lr_dmesg_mark(m): remember "now" in both guests' logs. 0, or -1 (errno). */
int lr_dmesg_mark(struct lr_dmesg_mark *m);
/*
 * lr_dmesg_check(m, report, size): bad lines logged since the mark, in either guest;
 * each is appended to report as "client: <line>" / "server: <line>" (one per line).
 * Returns their number, or -1 if a log could not be read (report says which).
 * Closes the mark's kmsg fd.
 */
int lr_dmesg_check(struct lr_dmesg_mark *m, char *report, size_t size);

/*
 * lr_server_lines(after, ere, ts, text, max): the server's kernel log lines stamped after
 * @after whose text (the stamp stripped) matches ere, in order: their stamps in ts, their
 * text in text (may be NULL). Returns their number (<= max), -1 if the agent cannot answer.
 */
#define LR_LINE_MAX	192
int lr_server_lines(double after, const char *ere, double *ts, char (*text)[LR_LINE_MAX],
		    int max);

#endif /* LR_DMESG_H */
