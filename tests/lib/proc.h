/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc.h: numbers the guest kernel shows in /proc.
 *
 * Contract: a /proc/sys value; the guest's tick rate against CLOCK_MONOTONIC (from
 * /proc/stat's cpu times); a child's scheduler state and current syscall, to tell that it
 * sleeps in fcntl() waiting for a lock. Parsers marked "pure" read only their argument.
 * Users: ops.c and imptest.h (blocked waiters), impair.c (tick rate), the fixtures.
 */
#ifndef LR_PROC_H
#define LR_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/* lr_read_text(path, buf, size): the file's start (size - 1 bytes at most), NUL-ended. 0 or -1 */
int lr_read_text(const char *path, char *buf, size_t size);
int lr_read_long(const char *path, long *val);	/* 0 or -1 (errno) */

/*
 * The guest's tick against its clock. Kernel timers count jiffies; a periodic tick that
 * loses interrupts (TCG: a vCPU thread scheduled late coalesces them) makes every timer
 * fire late in real time. Each tick accounts TICK_NSEC to one of /proc/stat's cpu times
 * (CONFIG_TICK_CPU_ACCOUNTING with a periodic tick, both kernels), so their sum counts
 * the ticks the guest took.
 */
struct lr_tickmark {
	double t;			/* lr_now() */
	long long cs;			/* /proc/stat cpu times summed, in USER_HZ units */
};
/* pure: the sum of the first 8 fields of the "cpu " line (user .. steal), -1 if none */
long long lr_parse_proc_stat_ticks(const char *text);
int lr_tick_mark(struct lr_tickmark *m);	/* 0 or -1 (errno) */
/* tick-seconds per second of CLOCK_MONOTONIC from a to b; -1 if unknown (< 1 s apart) */
double lr_tick_rate(const struct lr_tickmark *a, const struct lr_tickmark *b);
/* pure: state letter from a /proc/<pid>/stat line ("12 (a b) S 1 ..."), 0 if malformed */
char lr_parse_stat_state(const char *stat);
/* pure: /proc/<pid>/syscall "72 0x3 0x7 ..." -> nr, args[6]; -1 if running/malformed */
int lr_parse_syscall(const char *text, long *nr, unsigned long args[6]);
char lr_proc_state(pid_t pid);			/* 0 if unreadable */
/*
 * lr_blocked_in_fcntl(pid, cmd): the task sleeps interruptibly ('S') inside
 * fcntl(fd, cmd, ...). On NFS that means it waits for a lock: the NLM client's
 * synchronous RPC waits are TASK_KILLABLE ('D'), its wait for a GRANTED callback
 * (nlmclnt_wait) and the VFS wait for a local lock are interruptible ('S').
 */
bool lr_blocked_in_fcntl(pid_t pid, int cmd);

#endif /* LR_PROC_H */
