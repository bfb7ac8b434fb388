// SPDX-License-Identifier: GPL-2.0
/*
 * locks.c: fcntl locks, the children that take them, /proc/locks. See locks.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lr.h"

int lr_setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl) < 0 ? -errno : 0;
}

int lr_getlk(int fd, short type, off_t start, off_t len, struct flock *out)
{
	*out = (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start,
			       .l_len = len };
	return fcntl(fd, F_GETLK, out) < 0 ? -errno : 0;
}

int lr_testfile(char *buf, size_t size, const char *dir, const char *name)
{
	static const char data[] = "something\n";	/* as the seed: echo something > file */
	int fd;

	snprintf(buf, size, "%s/lr-%s-%d", dir, name, getpid());
	fd = open(buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (lr_write_all(fd, data, sizeof(data) - 1) < 0 || fsync(fd) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int lr_spawn(struct lr_child *c, void (*fn)(int wfd, void *arg), void *arg)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	if (c->pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(p[0]);
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	c->rfd = p[0];
	return 0;
}

int lr_child_read(struct lr_child *c, void *buf, size_t len, double timeout_s)
{
	double end = lr_now() + timeout_s;
	struct pollfd pfd = { .fd = c->rfd, .events = POLLIN };
	char *p = buf;
	ssize_t n;

	while (len) {
		int left = (int)((end - lr_now()) * 1000);

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			continue;
		n = read(c->rfd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n ? errno : EPIPE;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

#define LR_REAP_AFTER_KILL_S	5

int lr_child_reap(struct lr_child *c, int *status, double timeout_s)
{
	double end = lr_now() + timeout_s;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t r;

	if (c->pid <= 0)
		return 0;
	for (;;) {
		r = waitpid(c->pid, status, WNOHANG);
		if (r == c->pid || (r < 0 && errno != EINTR))
			break;
		if (lr_now() >= end) {
			/* bounded after the kill too: a child stuck in an uninterruptible
			 * wait (a kernel bug, e.g. the kill-uninterruptible mutant) never
			 * exits, and the test must still end with its assertion and its
			 * teardown; the orphan is left to init */
			kill(c->pid, SIGKILL);
			for (end = lr_now() + LR_REAP_AFTER_KILL_S; lr_now() < end;
			     nanosleep(&tick, NULL))
				if (waitpid(c->pid, status, WNOHANG) == c->pid)
					break;
			errno = ETIMEDOUT;
			r = -1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	close(c->rfd);
	c->rfd = -1;
	c->pid = 0;
	return r < 0 ? -1 : 0;
}


int lr_locks_count(const char *text, unsigned long ino, bool waiters)
{
	const char *p = text;
	char line[512], *tok, *save, *c;
	int n = 0, waiter;

	while (lr_next_line(&p, line, sizeof(line))) {
		waiter = strstr(line, ": -> ") != NULL;
		for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			/* MAJ:MIN:INODE, the only field with two colons */
			c = strrchr(tok, ':');
			if (!c || c == strchr(tok, ':'))
				continue;
			if (strtoul(c + 1, NULL, 10) == ino && waiter == waiters)
				n++;
			break;
		}
	}
	return n;
}
