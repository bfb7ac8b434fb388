// SPDX-License-Identifier: GPL-2.0
/* ops.c: lock operations in child processes, and the server's view (ops.h). */
#include "ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void wait_go(int go_fd, char *c)
{
	*c = 0;
	while (read(go_fd, c, 1) < 0 && errno == EINTR)
		;
}

void lr_op_child(int wfd, void *arg)
{
	struct lr_op *op = arg;
	struct lr_op_result r = { 0 };
	char c;
	int fd;

	if (op->go_fd >= 0)
		close(op->go_wfd);	/* else our own copy keeps the pipe open forever */
	fd = open(op->path, O_RDWR);
	if (fd < 0) {
		r.rc = -errno;
		lr_write_all(wfd, &r, sizeof(r));
		return;
	}
	if (op->pre_len || op->ready) {
		r.t_call = lr_now();
		if (op->pre_len)
			r.rc = lr_setlk(fd, F_SETLKW, op->pre_type, op->pre_start, op->pre_len);
		r.t_ret = lr_now();
		lr_write_all(wfd, &r, sizeof(r));
		if (r.rc)
			return;
		if (op->go_fd >= 0)
			wait_go(op->go_fd, &c);
	}
	r.t_call = lr_now();
	if (op->cmd == F_GETLK)
		r.rc = lr_getlk(fd, op->type, op->start, op->len, &r.fl);
	else
		r.rc = lr_setlk(fd, op->cmd, op->type, op->start, op->len);
	r.t_ret = lr_now();
	lr_write_all(wfd, &r, sizeof(r));
	if (op->go_fd < 0)
		return;
	wait_go(op->go_fd, &c);
	if (c == 'u') {
		r.t_call = lr_now();
		r.rc = lr_setlk(fd, F_SETLK, F_UNLCK, op->start, op->len);
		r.t_ret = lr_now();
		lr_write_all(wfd, &r, sizeof(r));
		wait_go(op->go_fd, &c);
	}
}

int lr_run_op(const char *path, int cmd, short type, off_t start, off_t len,
	      struct lr_op_result *r, double timeout_s)
{
	struct lr_op op = LR_OP(path, cmd, type, start, len);
	struct lr_child c;
	int st, ret;

	snprintf(op.path, sizeof(op.path), "%s", path);
	if (lr_spawn(&c, lr_op_child, &op) < 0)
		return -1;
	ret = lr_child_read(&c, r, sizeof(*r), timeout_s);
	lr_child_reap(&c, &st, timeout_s);
	return ret;
}

int lr_start_op(struct lr_child *c, struct lr_op *op, const char *path, int *go_wfd)
{
	int go[2];

	if (pipe(go) < 0)
		return -1;
	snprintf(op->path, sizeof(op->path), "%s", path);
	op->go_fd = go[0];
	op->go_wfd = go[1];
	if (lr_spawn(c, lr_op_child, op) < 0) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	close(go[0]);
	*go_wfd = go[1];
	return 0;
}

const char *lr_ltype(short t)
{
	return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

const char *lr_cmdname(int cmd)
{
	return cmd == F_GETLK ? "F_GETLK" : cmd == F_SETLK ? "F_SETLK" :
	       cmd == F_SETLKW ? "F_SETLKW" : "?";
}

unsigned long lr_file_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long)st.st_ino;
}

int lr_server_waiters(unsigned long ino)
{
	char *out = NULL;
	int n;

	if (lr_server("locks", &out) != 0) {
		free(out);
		return -1;
	}
	n = lr_locks_count(out, ino, true);
	free(out);
	return n;
}

static bool has_waiter(void *arg)
{
	return lr_server_waiters(*(unsigned long *)arg) > 0;
}

static bool no_waiter(void *arg)
{
	return lr_server_waiters(*(unsigned long *)arg) == 0;
}

bool lr_server_waiter_wait(unsigned long ino, bool present, double timeout_s)
{
	return lr_wait_until(present ? has_waiter : no_waiter, &ino, timeout_s);
}

long lr_server_nlm_timeout(void)
{
	long v;

	return lr_server_sysctl("fs.nfs.nlm_timeout", &v) ? -1 : v;
}

char *lr_server_release(void)
{
	char *out = NULL;

	if (lr_server("uname", &out) != 0 || !out || !*out) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\r\n")] = '\0';
	return out;
}

int lr_out_of_grace(const char *path2, double *took)
{
	double t0 = lr_now();
	int fd, rc;

	fd = open(path2, O_RDWR);
	if (fd < 0)
		return -errno;
	rc = lr_setlk(fd, F_SETLK, F_WRLCK, LR_PROBE_OFFSET, 1);
	if (!rc)
		rc = lr_setlk(fd, F_SETLK, F_UNLCK, LR_PROBE_OFFSET, 1);
	close(fd);
	*took = lr_now() - t0;
	return rc;
}
