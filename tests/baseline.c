// SPDX-License-Identifier: GPL-2.0
/*
 * baseline: NFSv3 byte-range locks through lockd with nothing impaired, on the client
 * guest, against the server guest (docs/internals.md). Every test also asserts that
 * neither guest's kernel log shows an oops, WARN, BUG, hung task or lockd error from its
 * start to its end (FIXTURE_TEARDOWN).
 *
 * Two facts of the Linux NFS client shape these tests (fs/nfs/file.c, fs/lockd/):
 *
 *  - The client keeps every lock the server granted in its own VFS lock list, with the
 *    real pid of the holder, and consults that list first: do_getlk() calls
 *    posix_test_lock() before asking the server, and nlmclnt_lock() does a local
 *    FL_ACCESS check (do_vfs_lock) before sending LOCK. So a conflict between two
 *    processes using the same mount is decided on the client: F_GETLK reports the
 *    holder's real pid, F_SETLK fails with EAGAIN, F_SETLKW sleeps in the VFS, with no
 *    NLM request at all.
 *  - To make the server decide (NLM TEST/LOCK answered DENIED or BLOCKED, a GRANTED
 *    callback, a CANCEL), the processes use two mounts of the same export: the
 *    customer's /mnt and a second one with nosharecache on /mnt2 (lr_mount2()). They
 *    have separate inodes, hence separate local lock lists, but the same server address
 *    and protocol, hence the same NLM host, lockd connection and svid space. Through
 *    the server, F_GETLK reports the holder as the negated NLM svid (nlmclnt_test():
 *    fl_pid = -svid, "remote locks report a negative pid"); the svid is lockd's own
 *    per-lock-owner number (nlm_alloc_pid), not the holder's pid.
 *
 * "Blocked" is observed, never assumed after a sleep: a child is blocked in F_SETLKW when
 * /proc/<pid>/stat says S (interruptible sleep) while /proc/<pid>/syscall says
 * fcntl(fd, F_SETLKW, ...): the NLM client's synchronous RPC waits are TASK_KILLABLE (D),
 * so S means it waits for a GRANTED callback in nlmclnt_wait() (the server answered
 * BLOCKED) or, on one mount, for the local lock. /proc/<pid>/wchan would name the
 * function but needs KALLSYMS, which the tinyconfig-based guest kernels lack. The one
 * other interruptible sleep in fcntl on NFS, the client's wait out of the server's grace
 * period, is ruled out by the fixture (server_out_of_grace()). When the
 * server's agent offers "locks" (its /proc/locks), the tests also see the blocked NLM
 * request on the server as a "->" waiter line, and its disappearance after CANCEL.
 */
#include "lib/harness.h"
#include "lib/known_bugs.h"
#include "lib/lr.h"
#include "lib/phase.h"
#include "lib/ops.h"
#include "lib/timing.h"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>

/*
 * The client's fallback for lost GRANTED callbacks: nlmclnt_lock() waits in
 * nlmclnt_wait() at most NLMCLNT_POLL_TIMEOUT, then re-sends LOCK
 * (fs/lockd/clntproc.c: #define NLMCLNT_POLL_TIMEOUT (30*HZ); the same in 4.19).
 */
#ifndef LR_NLMCLNT_POLL_TIMEOUT_S
#define LR_NLMCLNT_POLL_TIMEOUT_S	30
#endif

/*
 * A bound on steps that complete at once when nothing is impaired (a child reporting,
 * a process being reaped). It only stops a hung test from hanging the case; the
 * measured windows below come from the kernel's own parameters.
 */
#define LR_SAFETY_S	60

/* per-test bound of the harness (it kills the test after it): a hang guard, see above */
#define LR_TEST_TIMEOUT	(2 * LR_SAFETY_S)

FIXTURE(baseline) {
	struct lr_dmesg_mark mark;
	char path[256];		/* the test's file through /mnt */
	char path2[256];	/* the same file through /mnt2 */
	int fd;			/* open on path, by the test process */
	long nlm_timeout;	/* client: /proc/sys/fs/nfs/nlm_timeout */
};

FIXTURE_SETUP(baseline)
{
	char err[512];
	double took;
	int rc;

	self->fd = -1;
	lr_phase(-1, "%s: setting up (second mount, out of grace)", _metadata->name);
	ASSERT_EQ(0, lr_dmesg_mark(&self->mark))
		TH_LOG("cannot mark the kernel logs (client /dev/kmsg, server agent %s): %s",
		       lr_mserver(), strerror(errno));
	self->fd = lr_test_files(_metadata->name, self->path, self->path2, sizeof(self->path),
				 err, sizeof(err));
	ASSERT_LE(0, self->fd) TH_LOG("%s", err);
	ASSERT_EQ(0, lr_read_long("/proc/sys/fs/nfs/nlm_timeout", &self->nlm_timeout))
		TH_LOG("/proc/sys/fs/nfs/nlm_timeout: %s", strerror(errno));
	ASSERT_EQ(0, rc = lr_out_of_grace(self->path2, &took))
		TH_LOG("probe lock through %s: %s", self->path2, strerror(-rc));
	if (took > 1)
		TH_LOG("server grace period: the probe lock took %.1f s", took);
	/* no impairment: the test's own calls are the scenario */
	lr_phase_scenario(true);
	lr_phase(-1, "%s: locking through both mounts", _metadata->name);
}

FIXTURE_TEARDOWN(baseline)
{
	char report[4096];
	int bad;

	lr_phase_scenario(false);
	lr_phase(-1, "%s: teardown (kernel logs)", _metadata->name);
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
	bad = lr_dmesg_check(&self->mark, report, sizeof(report));
	if (bad)
		TH_LOG("kernel logs since the test started:\n%s", report);
	EXPECT_EQ(0, bad);
}

static bool child_blocked(void *arg)
{
	return lr_blocked_in_fcntl(*(pid_t *)arg, F_SETLKW);
}


/*
 * The first retransmission of a lockd RPC comes to.initval after the call
 * (fs/lockd/host.c nlm_bind_host(): to_initval = nlm_timeout * HZ; lib/timing.c
 * lr_nlm_rpc_timeout()). A reply before it answers the first transmission. In seconds.
 */
static double nlm_first_retransmit_s(long nlm_timeout)
{
	struct lr_params p = { .nlm_timeout = (unsigned int)nlm_timeout };
	struct lr_rpc_timeout to;

	lr_nlm_rpc_timeout(&p, &to);
	return to.initval / 1000.0;
}

/* ---- the customer's mount options, as the kernel echoes them ---- */

TEST_F_TIMEOUT(baseline, mount_options, LR_TEST_TIMEOUT)
{
	char fstype[32], opts[1024];
	struct lr_optcmp r;
	int bad;

	ASSERT_EQ(0, lr_mount_opts(lr_mnt(), fstype, sizeof(fstype), opts, sizeof(opts)))
		TH_LOG("%s is not in /proc/mounts", lr_mnt());
	ASSERT_STREQ("nfs", fstype);
	TH_LOG("/proc/mounts %s: %s", lr_mnt(), opts);
	bad = lr_mountopts_compare(LR_CUSTOMER_OPTS, opts, &r);
	TH_LOG("not echoed by the kernel (userspace-only, mount(8)/fstab): %s",
	       r.nuser ? r.user : "none");
	TH_LOG("rw and relatime are VFS mount flags (MS_RDONLY clear, MS_RELATIME), shown "
	       "first by show_vfsmnt(), not NFS options");
	TH_LOG("echoed by the kernel beyond the customer's list: %s",
	       r.nextra ? r.extra : "none");
	if (r.nmissing)
		TH_LOG("customer options missing: %s", r.missing);
	if (r.nmismatch)
		TH_LOG("customer options with another value (kernel's in parentheses): %s",
		       r.mismatch);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(1, r.nuser) TH_LOG("expected exactly _netdev to be userspace-only");
}

/* ---- the seed's nfs-lock.c flow ---- */

TEST_F_TIMEOUT(baseline, seed_flow, LR_TEST_TIMEOUT)
{
	struct lr_op_result r;
	struct flock fl;
	pid_t me = getpid();

	/* nfs-lock.c: test the initial state: nothing locked */
	ASSERT_EQ(0, lr_getlk(self->fd, F_WRLCK, 0, 100, &fl));
	EXPECT_EQ(F_UNLCK, fl.l_type) TH_LOG("free range reported as %s", lr_ltype(fl.l_type));

	/* write lock bytes 0-99, blocking */
	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLKW, F_WRLCK, 0, 100));

	/* a second process on the same mount: answered from the client's lock list */
	ASSERT_EQ(0, lr_run_op(self->path, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	ASSERT_EQ(0, r.rc);
	EXPECT_EQ(F_WRLCK, r.fl.l_type);
	EXPECT_EQ(0, r.fl.l_start);
	EXPECT_EQ(100, r.fl.l_len);
	EXPECT_EQ(me, r.fl.l_pid)
		TH_LOG("same mount: l_pid %d, holder %d", r.fl.l_pid, me);
	TH_LOG("same mount: F_GETLK sees %s %jd+%jd pid %d (the holder, from the client's "
	       "own lock list)", lr_ltype(r.fl.l_type), (intmax_t)r.fl.l_start,
	       (intmax_t)r.fl.l_len, r.fl.l_pid);

	/* a process on the second mount: NLM TEST, answered by the server */
	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	ASSERT_EQ(0, r.rc);
	EXPECT_EQ(F_WRLCK, r.fl.l_type);
	EXPECT_EQ(0, r.fl.l_start);
	EXPECT_EQ(100, r.fl.l_len);
	EXPECT_GE(0, r.fl.l_pid) TH_LOG("a remote holder is reported as -svid (svids start at 0)");
	TH_LOG("through the server (NLM TEST): %s %jd+%jd l_pid %d = -svid",
	       lr_ltype(r.fl.l_type), (intmax_t)r.fl.l_start, (intmax_t)r.fl.l_len,
	       r.fl.l_pid);

	/* unlock; both views must be free again */
	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLK, F_UNLCK, 0, 100));
	ASSERT_EQ(0, lr_run_op(self->path, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(F_UNLCK, r.fl.l_type);
	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(F_UNLCK, r.fl.l_type) TH_LOG("server still reports %s", lr_ltype(r.fl.l_type));

	/* read lock bytes 50-149 */
	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLKW, F_RDLCK, 50, 100));

	/* a write lock test from others reports the read lock */
	ASSERT_EQ(0, lr_run_op(self->path, F_GETLK, F_WRLCK, 0, 200, &r, LR_SAFETY_S));
	ASSERT_EQ(0, r.rc);
	EXPECT_EQ(F_RDLCK, r.fl.l_type);
	EXPECT_EQ(50, r.fl.l_start);
	EXPECT_EQ(100, r.fl.l_len);
	EXPECT_EQ(me, r.fl.l_pid);
	/* (the same question through the server: test nlm_test_read_lock) */

	/* unlock */
	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLK, F_UNLCK, 50, 100));
	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_WRLCK, 0, 200, &r, LR_SAFETY_S));
	EXPECT_EQ(F_UNLCK, r.fl.l_type) TH_LOG("server still reports %s", lr_ltype(r.fl.l_type));
}

/*
 * The seed flow's last question, "does a write lock conflict with the read lock held on
 * 50-149", asked of the server (NLM TEST from the other mount) rather than answered by
 * the client's own lock list. A server that evaluates the TEST as a read-lock test
 * answers "free" here: nlmsvc_testlock() must carry the requested type into
 * vfs_test_lock(), since posix_test_lock() decides conflicts by type. (Seen failing on
 * 7.3.4: nlmsvc_testlock() fills its conflock with locks_init_lock() and copies range
 * and owner but not the type, so every TEST is a read test, F_RDLCK being 0; the 6.12.117
 * and 6.1.176 Debian sources have the same code, 4.19's passes lock->fl itself.)
 */
TEST_F_TIMEOUT(baseline, nlm_test_read_lock, LR_TEST_TIMEOUT)
{
	struct lr_op_result r;
	bool bug;

	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLKW, F_RDLCK, 50, 100));

	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_WRLCK, 0, 200, &r, LR_SAFETY_S));
	ASSERT_EQ(0, r.rc);
	TH_LOG("NLM TEST write 0+200 against read 50+100: %s %jd+%jd l_pid %d",
	       lr_ltype(r.fl.l_type), (intmax_t)r.fl.l_start, (intmax_t)r.fl.l_len, r.fl.l_pid);
	/* "free" is the known server bug (lib/known_bugs.c); any other wrong answer fails */
	bug = r.fl.l_type == F_UNLCK;
	if (!bug) {
		EXPECT_EQ(F_RDLCK, r.fl.l_type);
		EXPECT_EQ(50, r.fl.l_start);
		EXPECT_EQ(100, r.fl.l_len);
		EXPECT_GT(0, r.fl.l_pid);
	}

	/* the server does hold the read lock: a write LOCK is refused */
	ASSERT_EQ(0, lr_run_op(self->path2, F_SETLK, F_WRLCK, 0, 200, &r, LR_SAFETY_S));
	EXPECT_EQ(-EAGAIN, r.rc) TH_LOG("NLM LOCK write: %s", strerror(-r.rc));

	/* and a read lock TEST does not conflict with a read lock */
	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_RDLCK, 0, 200, &r, LR_SAFETY_S));
	EXPECT_EQ(F_UNLCK, r.fl.l_type);

	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLK, F_UNLCK, 50, 100));
	LR_XFAIL_IF_KNOWN("nlmsvc_testlock-type", bug);
}

/* ---- a blocked F_SETLKW is granted by the server's GRANTED callback ---- */

/*
 * Windows. The waiter W calls F_SETLKW at t_call; the server answers BLOCKED and W
 * sleeps in nlmclnt_wait(). The holder unlocks at t_unlock (UNLOCK answered). Then:
 *  - callback: the server's lockd grants the blocked lock and calls GRANTED_MSG back to
 *    the client at once; one RPC over the unimpaired data path, answered on its
 *    first transmission unless something is lost, and the first retransmission of
 *    a lockd RPC comes nlm_timeout seconds later (fs/lockd/host.c nlm_bind_host():
 *    to_initval = nlm_timeout * HZ). So W must return within the server's nlm_timeout
 *    of t_unlock.
 *  - poll: without a callback W would re-send LOCK only NLMCLNT_POLL_TIMEOUT after it
 *    started waiting, i.e. not before t_call + 30 s.
 * The test requires t_unlock + nlm_timeout < t_call + NLMCLNT_POLL_TIMEOUT, so the two
 * windows cannot overlap and a grant inside the first one can only be the callback.
 */
TEST_F_TIMEOUT(baseline, grant_after_unlock, 2 * LR_NLMCLNT_POLL_TIMEOUT_S + LR_SAFETY_S)
{
	struct lr_op op = { .cmd = F_SETLKW, .type = F_WRLCK, .start = 0, .len = 100 };
	struct lr_op_result r, t;
	struct lr_child w;
	int fd2, go[2], st;
	double t_blocked, t_unlock0, t_unlock;
	unsigned long ino;
	struct timespec res;
	long srv_timeout;
	double cb_win;

	srv_timeout = lr_server_nlm_timeout();
	ASSERT_LT(0, srv_timeout) TH_LOG("server fs.nfs.nlm_timeout unreadable");
	cb_win = nlm_first_retransmit_s(srv_timeout);

	/* the holder: this process, through /mnt2 */
	fd2 = open(self->path2, O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, lr_setlk(fd2, F_SETLKW, F_WRLCK, 0, 100));

	/* the waiter: a child through /mnt, kept alive holding the lock until go closes */
	ASSERT_EQ(0, pipe(go));
	snprintf(op.path, sizeof(op.path), "%s", self->path);
	op.go_fd = go[0];
	op.go_wfd = go[1];
	ASSERT_EQ(0, lr_spawn(&w, lr_op_child, &op));
	close(go[0]);

	ASSERT_TRUE(lr_wait_until(child_blocked, &w.pid, LR_SAFETY_S))
		TH_LOG("waiter %d never blocked in fcntl(F_SETLKW) (state %c)", w.pid,
		       lr_proc_state(w.pid));
	t_blocked = lr_now();
	ino = lr_file_ino(self->fd);
	/* lr-ctl always has "locks": an agent that does not answer is an error */
	ASSERT_LE(0, lr_server_waiters(ino)) TH_LOG("the server's agent did not answer 'locks'");
	EXPECT_TRUE(lr_server_waiter_wait(ino, true, LR_SAFETY_S))
		TH_LOG("no blocked request on inode %lu in the server's /proc/locks", ino);
	TH_LOG("server /proc/locks: the NLM LOCK waits as a blocked request on inode %lu", ino);

	t_unlock0 = lr_now();
	ASSERT_EQ(0, lr_setlk(fd2, F_SETLK, F_UNLCK, 0, 100));
	t_unlock = lr_now();

	ASSERT_EQ(0, lr_child_read(&w, &r, sizeof(r), 2 * LR_NLMCLNT_POLL_TIMEOUT_S))
		TH_LOG("waiter never returned from F_SETLKW");
	ASSERT_EQ(0, r.rc) TH_LOG("F_SETLKW: %s", strerror(-r.rc));
	TH_LOG("F_SETLKW at 0; blocked seen at %.3f s; unlock %.3f..%.3f s; granted at %.3f s "
	       "(%.3f s after the unlock; callback window %.0f s = the server's first lockd "
	       "retransmission, nlm_timeout %ld; client poll at >= %d s)",
	       t_blocked - r.t_call, t_unlock0 - r.t_call, t_unlock - r.t_call,
	       r.t_ret - r.t_call, r.t_ret - t_unlock, cb_win, srv_timeout,
	       LR_NLMCLNT_POLL_TIMEOUT_S);
	clock_getres(CLOCK_MONOTONIC, &res);
	TH_LOG("CLOCK_MONOTONIC resolution %.6f s", res.tv_sec + res.tv_nsec / 1e9);
	ASSERT_LT(t_unlock - r.t_call + cb_win, LR_NLMCLNT_POLL_TIMEOUT_S)
		TH_LOG("setup too slow: the callback and poll windows overlap");
	/* (before the client's poll, too: that follows from this and the ASSERT above) */
	EXPECT_LT(r.t_ret - t_unlock, cb_win)
		TH_LOG("grant %.3f s after the unlock: not the GRANTED callback",
		       r.t_ret - t_unlock);

	/* the server really gave it to the waiter: the holder's mount now conflicts */
	EXPECT_EQ(-EAGAIN, lr_setlk(fd2, F_SETLK, F_WRLCK, 0, 100));
	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_WRLCK, 0, 100, &t, LR_SAFETY_S));
	EXPECT_EQ(F_WRLCK, t.fl.l_type);

	close(go[1]);
	EXPECT_EQ(0, lr_child_reap(&w, &st, LR_SAFETY_S));
	close(fd2);
}

/* ---- F_SETLK on a held range fails with EAGAIN at once ---- */

/*
 * "At once": within the client's nlm_timeout, the earliest moment lockd would
 * retransmit a lost request (nlm_bind_host(): to_initval = nlm_timeout * HZ); a reply
 * before it came on the first transmission. Same mount: decided locally, no RPC.
 */
TEST_F_TIMEOUT(baseline, setlk_eagain, LR_TEST_TIMEOUT)
{
	struct lr_op_result r;

	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLKW, F_WRLCK, 0, 100));

	ASSERT_EQ(0, lr_run_op(self->path, F_SETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(-EAGAIN, r.rc) TH_LOG("same mount: %s", strerror(-r.rc));
	EXPECT_LT(r.t_ret - r.t_call, nlm_first_retransmit_s(self->nlm_timeout));
	TH_LOG("same mount (client's lock list): EAGAIN after %.3f s", r.t_ret - r.t_call);

	ASSERT_EQ(0, lr_run_op(self->path2, F_SETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(-EAGAIN, r.rc) TH_LOG("through the server: %s", strerror(-r.rc));
	EXPECT_LT(r.t_ret - r.t_call, nlm_first_retransmit_s(self->nlm_timeout));
	TH_LOG("through the server (NLM LOCK, DENIED): EAGAIN after %.3f s (window %.0f s = "
	       "the first lockd retransmission)", r.t_ret - r.t_call,
	       nlm_first_retransmit_s(self->nlm_timeout));

	/* a read lock conflicts with the write lock as well; a disjoint range does not */
	ASSERT_EQ(0, lr_run_op(self->path2, F_SETLK, F_RDLCK, 50, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(-EAGAIN, r.rc);
	ASSERT_EQ(0, lr_run_op(self->path2, F_SETLK, F_WRLCK, 100, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(0, r.rc) TH_LOG("disjoint range 100-199: %s", strerror(-r.rc));

	ASSERT_EQ(0, lr_setlk(self->fd, F_SETLK, F_UNLCK, 0, 0));
}

/* ---- a waiter killed in F_SETLKW: CANCEL, then a third process gets the lock ---- */

TEST_F_TIMEOUT(baseline, cancel_on_kill, LR_TEST_TIMEOUT)
{
	struct lr_op op = { .cmd = F_SETLKW, .type = F_WRLCK, .start = 0, .len = 100, .go_fd = -1,
			 .go_wfd = -1 };
	struct lr_op_result r;
	struct lr_child w;
	int fd2, st;
	unsigned long ino;
	double t_kill;

	fd2 = open(self->path2, O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, lr_setlk(fd2, F_SETLKW, F_WRLCK, 0, 100));

	snprintf(op.path, sizeof(op.path), "%s", self->path);
	ASSERT_EQ(0, lr_spawn(&w, lr_op_child, &op));
	ASSERT_TRUE(lr_wait_until(child_blocked, &w.pid, LR_SAFETY_S))
		TH_LOG("waiter %d never blocked in fcntl(F_SETLKW)", w.pid);
	ino = lr_file_ino(self->fd);
	ASSERT_LE(0, lr_server_waiters(ino)) TH_LOG("the server's agent did not answer 'locks'");
	EXPECT_TRUE(lr_server_waiter_wait(ino, true, LR_SAFETY_S))
		TH_LOG("no blocked request on inode %lu in the server's /proc/locks", ino);

	/* kill it in the middle of nlmclnt_wait(): nlmclnt_lock() sends CANCEL on its way out */
	ASSERT_EQ(0, kill(w.pid, SIGKILL));
	ASSERT_EQ(0, lr_child_reap(&w, &st, LR_SAFETY_S));
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* the server drops the request: one CANCEL, answered within nlm_timeout */
	t_kill = lr_now();
	EXPECT_TRUE(lr_server_waiter_wait(ino, false, nlm_first_retransmit_s(self->nlm_timeout)))
		TH_LOG("the server still has the killed waiter's request");
	TH_LOG("server /proc/locks: the blocked request was there and is gone %.3f s after the "
	       "waiter was reaped (window %.0f s = the first lockd retransmission of the CANCEL)",
	       lr_now() - t_kill, nlm_first_retransmit_s(self->nlm_timeout));

	/*
	 * The holder unlocks. Had the server kept the dead waiter's request, it would now
	 * grant the lock to that owner, and a third process could not take it.
	 */
	ASSERT_EQ(0, lr_setlk(fd2, F_SETLK, F_UNLCK, 0, 100));
	ASSERT_EQ(0, lr_run_op(self->path, F_SETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(0, r.rc) TH_LOG("third process: F_SETLK %s", strerror(-r.rc));
	ASSERT_EQ(0, lr_run_op(self->path2, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(F_UNLCK, r.fl.l_type)
		TH_LOG("the server still holds %s %jd+%jd for svid %d", lr_ltype(r.fl.l_type),
		       (intmax_t)r.fl.l_start, (intmax_t)r.fl.l_len, -r.fl.l_pid);
	close(fd2);
}

/* ---- close() releases the process's locks ---- */

struct closer {
	char path[256];
	int go_fd, go_wfd;
};

/* lock through one descriptor, report, close it when told, report, stay alive */
static void closer_child(int wfd, void *arg)
{
	struct closer *c = arg;
	int fd, rc;
	char x;

	close(c->go_wfd);
	fd = open(c->path, O_RDWR);
	rc = fd < 0 ? -errno : lr_setlk(fd, F_SETLKW, F_WRLCK, 0, 100);
	lr_write_all(wfd, &rc, sizeof(rc));
	if (read(c->go_fd, &x, 1) != 1)
		return;
	rc = close(fd) < 0 ? -errno : 0;
	lr_write_all(wfd, &rc, sizeof(rc));
	while (read(c->go_fd, &x, 1) < 0 && errno == EINTR)
		;
}

TEST_F_TIMEOUT(baseline, close_releases, LR_TEST_TIMEOUT)
{
	struct closer cl;
	struct lr_op_result r;
	struct lr_child c;
	int go[2], rc, fd2, st;

	ASSERT_EQ(0, pipe(go));
	snprintf(cl.path, sizeof(cl.path), "%s", self->path);
	cl.go_fd = go[0];
	cl.go_wfd = go[1];
	ASSERT_EQ(0, lr_spawn(&c, closer_child, &cl));
	close(go[0]);
	ASSERT_EQ(0, lr_child_read(&c, &rc, sizeof(rc), LR_SAFETY_S));
	ASSERT_EQ(0, rc);

	/* held: on the client and on the server */
	fd2 = open(self->path2, O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, lr_run_op(self->path, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(F_WRLCK, r.fl.l_type);
	EXPECT_EQ(c.pid, r.fl.l_pid);
	EXPECT_EQ(-EAGAIN, lr_setlk(fd2, F_SETLK, F_WRLCK, 0, 100));

	/* the holder closes its descriptor and lives on */
	ASSERT_EQ(1, write(go[1], "c", 1));
	ASSERT_EQ(0, lr_child_read(&c, &rc, sizeof(rc), LR_SAFETY_S));
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, kill(c.pid, 0));

	/* released: on the client, and on the server (close waits for the UNLOCK reply) */
	ASSERT_EQ(0, lr_run_op(self->path, F_GETLK, F_WRLCK, 0, 100, &r, LR_SAFETY_S));
	EXPECT_EQ(F_UNLCK, r.fl.l_type) TH_LOG("client still lists %s pid %d",
					      lr_ltype(r.fl.l_type), r.fl.l_pid);
	EXPECT_EQ(0, lr_setlk(fd2, F_SETLK, F_WRLCK, 0, 100))
		TH_LOG("server still holds the closed descriptor's lock");
	EXPECT_EQ(0, lr_setlk(fd2, F_SETLK, F_UNLCK, 0, 100));

	close(go[1]);
	EXPECT_EQ(0, lr_child_reap(&c, &st, LR_SAFETY_S));
	close(fd2);
}

TEST_HARNESS_MAIN
