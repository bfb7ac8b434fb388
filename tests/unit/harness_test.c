// SPDX-License-Identifier: GPL-2.0
/*
 * harness_test: lib/harness.h's pidfd_open fallback. `make -C tests unit` runs this binary
 * twice: as is (pidfd_open real on the host) and with LR_FORCE_NO_PIDFD=1, where every
 * test of this file -- and the harness's own wait for it -- goes through the emulation
 * that 4.19 guests use.
 */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <time.h>

/* a child that exits when we close its pipe; so its lifetime is ours to decide */
static pid_t child_waiting_on(int *wfd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(7);
	}
	close(p[0]);
	*wfd = p[1];
	return pid;
}

static int poll_once(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms);
}

TEST(emulated_pidfd_follows_child)
{
	int wfd, fd, st;
	pid_t pid;

	setenv("LR_FORCE_NO_PIDFD", "1", 1);
	pid = child_waiting_on(&wfd);
	ASSERT_LT(0, pid);
	fd = syscall(__NR_pidfd_open, pid, 0);
	ASSERT_LE(0, fd) TH_LOG("emulated pidfd_open: %s", strerror(errno));
	/* alive: not readable (a zero timeout: we test the state, we do not wait for it) */
	EXPECT_EQ(0, poll_once(fd, 0));
	close(wfd);
	/* exited: readable; generous bound, returns as soon as the child is gone */
	EXPECT_EQ(1, poll_once(fd, 10000));
	/* WNOWAIT: the status is still there for the harness's waitpid */
	ASSERT_EQ(pid, waitpid(pid, &st, WNOHANG));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(7, WEXITSTATUS(st));
	close(fd);
}

TEST(emulated_pidfd_after_harness_closed_it)
{
	int wfd, fd, st;
	pid_t pid;

	/* the harness closes the pidfd after a timeout, before the child dies: no SIGPIPE */
	setenv("LR_FORCE_NO_PIDFD", "1", 1);
	pid = child_waiting_on(&wfd);
	ASSERT_LT(0, pid);
	fd = syscall(__NR_pidfd_open, pid, 0);
	ASSERT_LE(0, fd);
	close(fd);
	close(wfd);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(7, WEXITSTATUS(st));
}

TEST(real_pidfd_unless_forced)
{
	int wfd, fd, st;
	pid_t pid;

	unsetenv("LR_FORCE_NO_PIDFD");
	pid = child_waiting_on(&wfd);
	ASSERT_LT(0, pid);
	fd = syscall(__NR_pidfd_open, pid, 0);
	if (fd < 0 && errno == ENOSYS)
		SKIP(close(wfd); waitpid(pid, &st, 0); return, "no pidfd_open on this kernel");
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, poll_once(fd, 0));
	close(wfd);
	EXPECT_EQ(1, poll_once(fd, 10000));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	close(fd);
}

TEST(other_syscalls_pass_through)
{
	EXPECT_EQ(getpid(), syscall(__NR_getpid));
	EXPECT_EQ(-1, syscall(__NR_close, -1));
	EXPECT_EQ(EBADF, errno);
}

/*
 * The harness's timeout path through whichever pidfd is in use: a test that hangs is
 * killed after its timeout and reported, and the run goes on. Expected to fail (XFAIL).
 */
FIXTURE(hang) {};
FIXTURE_VARIANT(hang) {};
FIXTURE_VARIANT_ADD(hang, forever) {};
FIXTURE_SETUP(hang) {}
FIXTURE_TEARDOWN(hang) {}

TEST_F_TIMEOUT(hang, is_killed_after_timeout, 1)
{
	for (;;)
		pause();	/* never wakes: the harness must end it */
}
XFAIL_ADD(hang, forever, is_killed_after_timeout);

TEST_F_SIGNAL(hang, signal_status_reaches_harness, SIGUSR1)
{
	kill(getpid(), SIGUSR1);
}

/* LR_TEST_TIMEOUT caps every test's harness timeout, never raises one */
TEST(timeouts_capped_by_the_case)
{
	int mine = _metadata->timeout;

	EXPECT_EQ(TEST_TIMEOUT_DEFAULT, mine);
	setenv("LR_TEST_TIMEOUT", "5", 1);
	lr_cap_timeouts();
	EXPECT_EQ(5, _metadata->timeout);
	setenv("LR_TEST_TIMEOUT", "10000", 1);
	lr_cap_timeouts();
	EXPECT_EQ(5, _metadata->timeout);
	unsetenv("LR_TEST_TIMEOUT");
}

TEST_HARNESS_MAIN
