/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lr.h: the guest-side helper library of lockd-repro's tests (docs/internals.md).
 *
 *   agent      one request to a guest's lr-agent (TCP 7000, management network)
 *   kmsg       this guest's kernel log from /dev/kmsg, with kernel timestamps
 *   dmesg      "no oops / WARN / BUG / hung task / lockd error since the test started",
 *              on both guests (lr_dmesg_mark() in FIXTURE_SETUP, lr_dmesg_check() in
 *              FIXTURE_TEARDOWN)
 *   proc       /proc/sys values, /proc/<pid>/stat and /proc/<pid>/syscall of a child
 *   locks      fcntl wrappers, children that report through a pipe
 *   mountopts  /proc/mounts options against the customer's options
 *
 * Functions marked "pure" touch no files, sockets or processes; their host unit tests
 * are in tests/unit/. Nothing here uses sleep() to synchronise: waits poll a condition
 * with a deadline (lr_wait_until, the C twin of selftests' slowwait).
 */
#ifndef LR_H
#define LR_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LR_MNT_DEFAULT		"/mnt"		/* the customer's mount (rootfs/init) */
#define LR_MNT2_DEFAULT		"/mnt2"		/* a second, nosharecache mount of the export */
#define LR_SERVER_DEFAULT	"192.168.53.40"	/* data path */
#define LR_MSERVER_DEFAULT	"192.168.99.40"	/* management path: the server's agent */
#define LR_CLIENT_DEFAULT	"192.168.53.214"	/* data path */
#define LR_EXPORT		"/export"
#define LR_AGENT_PORT		7000

/* The customer's mount options, verbatim (seed, /work/shared/docs/SCENARIOS.md). */
#define LR_CUSTOMER_OPTS \
	"rw,relatime,vers=3,rsize=262144,wsize=262144,namlen=255,hard,proto=tcp," \
	"timeo=600,retrans=2,sec=sys,mountvers=3,mountproto=tcp,local_lock=none,_netdev"

/* ---- environment (rootfs/init exports LR_MNT, LR_SERVER, LR_MSERVER) ---- */
const char *lr_mnt(void);
const char *lr_server_ip(void);
const char *lr_mserver(void);
const char *lr_client_ip(void);	/* the client's data-path address (LR_CLIENT) */

/* CLOCK_MONOTONIC in seconds: the clock /dev/kmsg timestamps follow (local_clock). */
double lr_now(void);

/* lr_re_match(ere, text): text matches the extended regex (false if ere is invalid) */
bool lr_re_match(const char *ere, const char *text);

/* lr_wait_until(cond, arg, timeout_s): poll cond every 10 ms; true once it holds. */
bool lr_wait_until(bool (*cond)(void *arg), void *arg, double timeout_s);

/* ---- agent ---- */
/*
 * lr_agent(ip, cmd, &out, timeout_s): send "cmd\n" to ip[:port] (default port 7000), read
 * the reply until EOF and return the remote exit status from the last "lr-status N" line (>= 0). *out gets
 * the reply without that line (malloc'd, NUL-terminated; may be NULL). -1 and errno on a
 * transport error or a reply without a status line (EPROTO), or timeout (ETIMEDOUT).
 */
int lr_agent(const char *ip, const char *cmd, char **out, int timeout_s);
int lr_server(const char *cmd, char **out);	/* lr_agent(lr_mserver(), cmd, out, 60) */
char *lr_server_dmesg(void);			/* NULL on failure */
/* pure: split a reply into body and status; -1 if it has no final "lr-status N" line */
int lr_agent_parse_reply(char *reply, size_t len);

/* ---- kernel log ---- */
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

/* ---- dmesg health ---- */
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

/* ---- /proc ---- */
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

/* ---- locks and children ---- */
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
int lr_write_all(int fd, const void *buf, size_t len);

/* ---- /proc/locks ---- */
/*
 * pure: lr_locks_count(text, ino, waiters): in a /proc/locks text, the number of granted
 * locks (waiters false) or blocked requests (" -> " lines, waiters true) on inode ino.
 */
int lr_locks_count(const char *text, unsigned long ino, bool waiters);

/* ---- the second mount ---- */
/*
 * lr_mount2(): mount the server's export again on LR_MNT2_DEFAULT with the customer's
 * options plus nosharecache (once; later calls find it mounted). A second superblock has
 * its own inodes, so a lock taken through one mount is not in the other's local lock
 * list: a conflict between them is decided by the server (NLM), not by the client's
 * VFS. Same server address and protocol, so the same NLM host and lockd connection.
 * 0, or -1 with a message in err.
 */
int lr_mount2(char *err, size_t size);

/* ---- mount options ---- */
/* lr_mount_opts(mnt, fstype, opts, size): the last /proc/mounts entry at mnt. 0 or -1. */
int lr_mount_opts(const char *mnt, char *fstype, size_t fsize, char *opts, size_t size);
/* pure: same, on the text of /proc/mounts */
int lr_proc_mounts_find(const char *text, const char *mnt, char *fstype, size_t fsize,
			char *opts, size_t size);
/* pure: an option the kernel never sees (mount(8)/fstab only): _netdev, noauto, x-... */
bool lr_mountopt_userspace(const char *opt);

struct lr_optcmp {
	int nmissing, nmismatch, nuser, nextra;
	char missing[512];	/* wanted, echoable, absent:          "name,name" */
	char mismatch[512];	/* wanted name present, other value:  "name=want(have)" */
	char user[256];		/* wanted, userspace-only, not echoed */
	char extra[512];	/* echoed by the kernel, not wanted   */
};
/*
 * pure: lr_mountopts_compare(want, have, r): compare a wanted option list with the one
 * /proc/mounts shows. Returns nmissing + nmismatch (0 = every echoable wanted option is
 * there with exactly the wanted value).
 */
int lr_mountopts_compare(const char *want, const char *have, struct lr_optcmp *r);

#endif /* LR_H */
