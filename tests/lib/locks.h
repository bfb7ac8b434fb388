/* SPDX-License-Identifier: GPL-2.0 */
/*
 * locks.h: POSIX locks and the children that take them, and /proc/locks.
 *
 * Contract: fcntl wrappers that return -errno; a test file on the mount; a child that
 * runs a function and reports through a pipe (lr_spawn), read with a deadline and reaped
 * with one (SIGKILL after it); the count of granted or blocked locks on an inode in a
 * /proc/locks text (pure).
 * Users: ops.c (the operations under test), the fixtures and flows of every group.
 */
#ifndef LR_LOCKS_H
#define LR_LOCKS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* lr_setlk(fd, cmd, type, start, len): fcntl(F_SETLK/F_SETLKW); 0 or -errno. */
int lr_setlk(int fd, int cmd, short type, off_t start, off_t len);
/* lr_getlk(fd, type, start, len, out): fcntl(F_GETLK); 0 or -errno; result in *out. */
int lr_getlk(int fd, short type, off_t start, off_t len, struct flock *out);
/* lr_testfile(buf, size, dir, name): create dir/lr-<name>-<pid> with some data; fd or -1 */
int lr_testfile(char *buf, size_t size, const char *dir, const char *name);

struct lr_child {
	pid_t pid;
	int rfd;	/* read end of the child's report pipe */
};
/* lr_spawn(c, fn, arg): fork; the child runs fn(wfd, arg) and _exit(0)s. 0 or -1. */
int lr_spawn(struct lr_child *c, void (*fn)(int wfd, void *arg), void *arg);
/* lr_child_read(c, buf, len, timeout_s): exactly len bytes; 0, or -1 (ETIMEDOUT, EPIPE) */
int lr_child_read(struct lr_child *c, void *buf, size_t len, double timeout_s);
/* lr_child_reap(c, &status, timeout_s): waitpid with a deadline (SIGKILL after it). */
int lr_child_reap(struct lr_child *c, int *status, double timeout_s);

/* ---- /proc/locks ---- */
/*
 * pure: lr_locks_count(text, ino, waiters): in a /proc/locks text, the number of granted
 * locks (waiters false) or blocked requests (" -> " lines, waiters true) on inode ino.
 */
int lr_locks_count(const char *text, unsigned long ino, bool waiters);

#endif /* LR_LOCKS_H */
