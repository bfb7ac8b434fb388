/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ops.h: one lock operation in a child process, and the server's view of the locks,
 * for every test group (baseline.c, svc_sleep.c, link_down.c).
 *
 * A child opens its own descriptor, so its locks have their own owner (the client's
 * lockd sends one svid per lock owner) and a lock it holds is seen by others as a
 * conflict. It reports through its pipe (struct lr_op_result) and, when asked, keeps
 * its lock until the parent closes the "go" pipe.
 */
#ifndef LR_OPS_H
#define LR_OPS_H

#include <fcntl.h>
#include <stdbool.h>
#include <sys/types.h>

#include "lr.h"

struct lr_op {
	char path[256];
	int cmd;		/* F_GETLK, F_SETLK, F_SETLKW */
	short type;		/* F_RDLCK, F_WRLCK, F_UNLCK */
	off_t start, len;
	/* >= 0: after reporting, wait for a byte ('u': then unlock start+len with F_SETLK
	 * and report again) or EOF (return, exit: the descriptor closes) on this pipe */
	int go_fd;
	int go_wfd;		/* its write end: the parent's, closed in the child */
	/* first take this lock (F_SETLKW) and report it as a result of its own */
	short pre_type;
	off_t pre_start, pre_len;
	/* report once the file is open (and the pre lock held), then wait for a byte on
	 * go_fd before the operation: an impairment test opens the file before it impairs
	 * the path, as the seed's program did (open() itself revalidates over NFS) */
	bool ready;
};

struct lr_op_result {
	double t_call, t_ret;	/* CLOCK_MONOTONIC around the fcntl */
	int rc;			/* 0 or -errno */
	struct flock fl;	/* F_GETLK's answer */
};

/* an op that takes no lock first and does not wait for the parent */
#define LR_OP(p, c, t, s, l) ((struct lr_op){ .cmd = (c), .type = (t), .start = (s), \
	.len = (l), .go_fd = -1, .go_wfd = -1 })

/* the child's body, for lr_spawn(&child, lr_op_child, &op) */
void lr_op_child(int wfd, void *arg);
/* run one operation in a new process, wait for its result and reap it; 0 or -1 */
int lr_run_op(const char *path, int cmd, short type, off_t start, off_t len,
	      struct lr_op_result *r, double timeout_s);
/* start op (path copied in) in a new process that waits on a "go" pipe; *go_wfd is
 * the parent's end. 0 or -1 (errno). */
int lr_start_op(struct lr_child *c, struct lr_op *op, const char *path, int *go_wfd);

const char *lr_ltype(short t);		/* pure: "F_RDLCK", "F_WRLCK", "F_UNLCK", "?" */
const char *lr_cmdname(int cmd);	/* pure: "F_GETLK", "F_SETLK", "F_SETLKW", "?" */
unsigned long lr_file_ino(int fd);	/* 0 on error */

/* the server's /proc/locks through its agent: blocked requests (" -> ") on inode ino,
 * -1 if the agent cannot answer */
int lr_server_waiters(unsigned long ino);
/* wait until the server's /proc/locks shows (present) or no longer shows a blocked
 * request on inode ino; false if it did not within timeout_s */
bool lr_server_waiter_wait(unsigned long ino, bool present, double timeout_s);
/* the server's fs.nfs.nlm_timeout through its agent; -1 if unreadable */
long lr_server_nlm_timeout(void);
/* the server's uname -r through its agent (a pair's server may run another kernel than
 * the client: vm/run.sh KERNELS=client/server), malloc'd, newline cut; NULL if no answer */
char *lr_server_release(void);

/*
 * lr_out_of_grace(path2, &took): take and drop a lock on a byte nobody else uses through
 * path2 (the second mount): once granted, the server's lockd grace period is over and
 * the NLM host's RPC client exists and is bound. 0 or -errno; *took = seconds it took.
 *
 * The server's lockd refuses new locks for its grace period after it starts
 * (nlm_grace_period rounded up to nlm_timeout, or 5 * nlm_timeout); the client then
 * sleeps NLMCLNT_GRACE_WAIT (5 s) interruptibly inside fcntl and retries
 * (nlm_wait_on_grace()). That sleep looks like a blocked lock from /proc and stretches
 * any timing, so tests take this lock first.
 */
#define LR_PROBE_OFFSET	(1 << 20)
int lr_out_of_grace(const char *path2, double *took);

#endif /* LR_OPS_H */
