// SPDX-License-Identifier: GPL-2.0
/*
 * proc_test: lr_blocked_in_fcntl() and the child helpers of lib/proc.c and lib/locks.c on this host, with a
 * real POSIX lock conflict on a local file: the same detector the guest tests use to
 * know a waiter really sleeps in F_SETLKW.
 */
#include "harness.h"
#include "lr.h"

struct waiter {
	char path[64];
};

static void waiter_fn(int wfd, void *arg)
{
	struct waiter *w = arg;
	int fd = open(w->path, O_RDWR), rc;

	rc = fd < 0 ? -errno : lr_setlk(fd, F_SETLKW, F_WRLCK, 0, 100);
	lr_write_all(wfd, &rc, sizeof(rc));
}

static bool blocked(void *arg)
{
	return lr_blocked_in_fcntl(*(pid_t *)arg, F_SETLKW);
}

TEST(waiter_seen_blocked_then_granted)
{
	struct waiter w;
	struct lr_child c;
	int fd, rc, st;

	snprintf(w.path, sizeof(w.path), "/tmp/lr-proc-test-%d", getpid());
	fd = open(w.path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lr_setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	ASSERT_EQ(0, lr_spawn(&c, waiter_fn, &w));
	EXPECT_TRUE(lr_wait_until(blocked, &c.pid, 10));
	EXPECT_EQ('S', lr_proc_state(c.pid));
	/* not in F_SETLK (another cmd) */
	EXPECT_FALSE(lr_blocked_in_fcntl(c.pid, F_SETLK));
	ASSERT_EQ(0, lr_setlk(fd, F_SETLK, F_UNLCK, 0, 100));
	ASSERT_EQ(0, lr_child_read(&c, &rc, sizeof(rc), 10));
	EXPECT_EQ(0, rc);
	EXPECT_EQ(0, lr_child_reap(&c, &st, 10));
	EXPECT_TRUE(WIFEXITED(st));
	close(fd);
	unlink(w.path);
}

static void sleeper_fn(int wfd, void *arg)
{
	(void)wfd;
	(void)arg;
	/* sleeps ('S') in pause(), not in fcntl: must not count as blocked; ends by SIGKILL */
	for (;;)
		pause();
}

TEST(other_sleep_is_not_blocked)
{
	struct lr_child c;
	int st;

	ASSERT_EQ(0, lr_spawn(&c, sleeper_fn, NULL));
	EXPECT_FALSE(lr_wait_until(blocked, &c.pid, 0.3));
	kill(c.pid, SIGKILL);
	EXPECT_EQ(0, lr_child_reap(&c, &st, 10));
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_FALSE(lr_blocked_in_fcntl(c.pid, F_SETLKW));	/* gone */
}

TEST(reap_deadline_kills)
{
	struct lr_child c;
	int st;

	ASSERT_EQ(0, lr_spawn(&c, sleeper_fn, NULL));
	EXPECT_EQ(-1, lr_child_reap(&c, &st, 0.2));
	EXPECT_EQ(ETIMEDOUT, errno);
}

TEST_HARNESS_MAIN
