// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg.c: this guest's kernel log, from /dev/kmsg. See kmsg.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lr.h"

int lr_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int lr_kmsg_parse(const char *rec, unsigned long long *seq, unsigned long long *ts_us,
		  const char **text)
{
	unsigned long long s, t;
	unsigned int prio;
	const char *semi;

	if (sscanf(rec, "%u,%llu,%llu,", &prio, &s, &t) != 3)
		return -1;
	semi = strchr(rec, ';');
	if (!semi)
		return -1;
	if (seq)
		*seq = s;
	if (ts_us)
		*ts_us = t;
	if (text)
		*text = semi + 1;
	return 0;
}

int lr_kmsg_read(int fd, char *line, size_t size, unsigned long long *ts_us)
{
	char rec[8192];
	const char *text;
	ssize_t n;
	size_t l;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)	/* overwritten in the ring: go on */
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		rec[n] = '\0';
		if (lr_kmsg_parse(rec, NULL, ts_us, &text) < 0)
			continue;
		/* the text ends at the first newline; continuation lines (" KEY=val") follow */
		l = strcspn(text, "\n");
		if (l >= size)
			l = size - 1;
		memcpy(line, text, l);
		line[l] = '\0';
		return 1;
	}
}

int lr_kmsg_wait(int fd, const char *ere, double deadline, unsigned long long *ts_us,
		 char *line, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	regex_t re;
	int r;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB)) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		r = lr_kmsg_read(fd, line, size, ts_us);
		if (r < 0)
			break;
		if (r == 1) {
			if (!regexec(&re, line, 0, NULL, 0))
				break;
			continue;
		}
		int left = (int)((deadline - lr_now()) * 1000);

		if (left <= 0) {
			r = 0;
			break;
		}
		poll(&pfd, 1, left);
	}
	regfree(&re);
	return r;
}
