// SPDX-License-Identifier: GPL-2.0
/*
 * proc.c: /proc values, the guest's tick, a child's state and syscall. See proc.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lr.h"

int lr_read_long(const char *path, long *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

long long lr_parse_proc_stat_ticks(const char *text)
{
	const char *p = text;
	long long sum = 0, v;
	int i, n;

	while (p && strncmp(p, "cpu ", 4)) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return -1;
	for (p += 4, i = 0; i < 8; i++, p += n) {
		if (sscanf(p, " %lld%n", &v, &n) != 1 || v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

double lr_tick_rate(const struct lr_tickmark *a, const struct lr_tickmark *b)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (a->cs < 0 || b->cs < a->cs || b->t - a->t < 1 || hz <= 0)
		return -1;
	return (double)(b->cs - a->cs) / hz / (b->t - a->t);
}

int lr_read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int lr_tick_mark(struct lr_tickmark *m)
{
	char buf[4096];		/* the cpu line comes first */
	int rc = lr_read_text("/proc/stat", buf, sizeof(buf));

	m->t = lr_now();
	m->cs = rc < 0 ? -1 : lr_parse_proc_stat_ticks(buf);
	if (rc == 0 && m->cs < 0)
		errno = EINVAL;
	return m->cs < 0 ? -1 : 0;
}

char lr_parse_stat_state(const char *stat)
{
	const char *p = strrchr(stat, ')');	/* comm may contain spaces and ')' */

	if (!p || p[1] != ' ' || !isalpha((unsigned char)p[2]))
		return 0;
	return p[2];
}

int lr_parse_syscall(const char *text, long *nr, unsigned long args[6])
{
	char *end;
	int i;

	/* "running" or a negative number (not in a syscall) have no arguments */
	errno = 0;
	*nr = strtol(text, &end, 10);
	if (errno || end == text || *nr < 0)
		return -1;
	for (i = 0; i < 6; i++) {
		text = end;
		args[i] = strtoul(text, &end, 16);
		if (end == text)
			return -1;
	}
	return 0;
}

char lr_proc_state(pid_t pid)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (lr_read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	return lr_parse_stat_state(buf);
}

bool lr_blocked_in_fcntl(pid_t pid, int cmd)
{
	char path[64], buf[512];
	unsigned long args[6];
	long nr;

	if (lr_proc_state(pid) != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (lr_read_text(path, buf, sizeof(buf)) < 0 || lr_parse_syscall(buf, &nr, args) < 0)
		return false;
	if (nr != SYS_fcntl || args[1] != (unsigned long)cmd)
		return false;
	/* state again: still asleep after we read the syscall, not just passing through */
	return lr_proc_state(pid) == 'S';
}
