/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmsg.h: this guest's kernel log, record by record, from /dev/kmsg.
 *
 * Contract: open the log at its end (only records logged from now on), read one record's
 * text and kernel timestamp (local_clock, in us), or wait for a record matching an ERE
 * until a deadline on lr_now()'s clock. Records lost to ring overwrite are skipped.
 * Users: dmesg.c (the client's half of the health check), impair.c (clock calibration) and trace.c (the
 * impairment tests' trace and waits).
 */
#ifndef LR_KMSG_H
#define LR_KMSG_H

#include <stddef.h>

/* lr_kmsg_open(): /dev/kmsg, positioned after the last record (only new records). */
int lr_kmsg_open(void);
/*
 * lr_kmsg_read(fd, line, size, &ts_us): next record's text (no prefix, no newline).
 * 1 = a record, 0 = none yet, -1 = error. Records lost to ring overwrite are skipped.
 */
int lr_kmsg_read(int fd, char *line, size_t size, unsigned long long *ts_us);
/*
 * lr_kmsg_wait(fd, ere, deadline, &ts_us, line, size): read records until one matches the
 * extended regex ere, or until lr_now() passes deadline (0 then, 1 on a match, -1 error).
 */
int lr_kmsg_wait(int fd, const char *ere, double deadline, unsigned long long *ts_us,
		 char *line, size_t size);
/* pure: "6,339,5140900,-;text" -> ts_us and the text; -1 if malformed */
int lr_kmsg_parse(const char *rec, unsigned long long *seq, unsigned long long *ts_us,
		  const char **text);

#endif /* LR_KMSG_H */
