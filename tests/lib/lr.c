// SPDX-License-Identifier: GPL-2.0
/*
 * lr.c: the common ground of the guest-side test library: addresses, clock, waits. See lr.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lr.h"

/* ---- environment ---- */

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *lr_mnt(void) { return env_or("LR_MNT", LR_MNT_DEFAULT); }
const char *lr_server_ip(void) { return env_or("LR_SERVER", LR_SERVER_DEFAULT); }
const char *lr_mserver(void) { return env_or("LR_MSERVER", LR_MSERVER_DEFAULT); }
const char *lr_client_ip(void) { return env_or("LR_CLIENT", LR_CLIENT_DEFAULT); }

double lr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool lr_wait_until(bool (*cond)(void *arg), void *arg, double timeout_s)
{
	double end = lr_now() + timeout_s;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (;;) {
		if (cond(arg))
			return true;
		if (lr_now() >= end)
			return false;
		nanosleep(&tick, NULL);	/* the polling interval, not a synchronisation */
	}
}

int lr_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}


bool lr_re_match(const char *ere, const char *line)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&re, line, 0, NULL, 0);
	regfree(&re);
	return ok;
}

bool lr_next_line(const char **p, char *line, size_t size)
{
	while (*p && **p) {
		const char *s = *p, *nl = strchr(s, '\n');
		size_t l = nl ? (size_t)(nl - s) : strlen(s);

		*p = nl ? nl + 1 : NULL;
		if (l < size) {
			memcpy(line, s, l);
			line[l] = '\0';
			return true;
		}
	}
	return false;
}
