/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h: kselftest_harness.h as lockd-repro's tests use it. Include this, never the
 * kernel's header directly. It is included from the unpacked kernel source (tests/Makefile
 * passes -I$(KHDR)); the repository never carries a copy.
 *
 * What it adds, and why:
 *
 * 1. A pidfd_open fallback. The harness waits for each test child with
 *    poll(pidfd_open(pid)) so that it can time the test out (__wait_for_test()).
 *    pidfd_open is Linux 5.3+; our tests must also run on the 4.19 client, where it
 *    fails with ENOSYS and the harness would fail every test ("unable to open pidfd").
 *    We therefore define a `syscall` macro (after <unistd.h> has declared the real one)
 *    that routes every syscall() in the harness through lr_syscall(). For
 *    __NR_pidfd_open failing with ENOSYS, lr_syscall() returns instead the read end of a
 *    pipe whose write end a detached helper thread closes once the child has exited
 *    (waitid(P_PID, pid, WEXITED | WNOWAIT): it waits without reaping, so the harness's
 *    own waitpid() still collects the status). poll() then reports POLLHUP exactly when
 *    a pidfd would report POLLIN, so the harness's poll + timeout + waitpid logic runs
 *    unchanged. Closing (never writing) the write end means no SIGPIPE if the harness has
 *    already closed the read end after a timeout.
 *    LR_FORCE_NO_PIDFD=1 in the environment forces the fallback on any kernel, so the
 *    host unit tests exercise it (tests/unit/harness_test.c, run both ways by
 *    `make -C tests unit`).
 *
 * 2. TH_LOG to stdout, line buffered, so diagnostics land in the KTAP stream
 *    (/lr/out/ktap) as "# ..." lines in order with the results, and a test child's
 *    _exit() cannot lose buffered lines.
 */
#ifndef LR_HARNESS_H
#define LR_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434	/* the same number on every architecture */
#endif

#define TH_LOG_STREAM stdout

static void __attribute__((constructor)) lr_harness_stdout_lines(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline int lr_force_no_pidfd(void)
{
	const char *e = getenv("LR_FORCE_NO_PIDFD");

	return e && *e && strcmp(e, "0");
}

struct lr_pidfd_waiter {
	pid_t pid;
	int wfd;
};

static void *lr_pidfd_waiter_fn(void *p)
{
	struct lr_pidfd_waiter w = *(struct lr_pidfd_waiter *)p;
	siginfo_t si;

	free(p);
	/* Returns on exit (child kept as a zombie), or ECHILD once it has been reaped. */
	while (waitid(P_PID, w.pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
		;
	close(w.wfd);
	return NULL;
}

/* A pipe read end that polls readable (POLLHUP) once @pid has exited; -1 on error. */
static inline int lr_pidfd_emulate(pid_t pid)
{
	struct lr_pidfd_waiter *w;
	pthread_attr_t attr;
	pthread_t th;
	int p[2], err;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	w = malloc(sizeof(*w));
	if (!w)
		goto fail;
	w->pid = pid;
	w->wfd = p[1];
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, lr_pidfd_waiter_fn, w);
	pthread_attr_destroy(&attr);
	if (err) {
		free(w);
		errno = err;
		goto fail;
	}
	return p[0];
fail:
	err = errno;
	close(p[0]);
	close(p[1]);
	errno = err;
	return -1;
}

static inline long lr_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;

	if (nr != __NR_pidfd_open)
		return (syscall)(nr, a1, a2, a3, a4, a5, a6);
	if (lr_force_no_pidfd()) {
		errno = ENOSYS;
		ret = -1;
	} else {
		ret = (syscall)(nr, a1, a2, a3, a4, a5, a6);
	}
	if (ret == -1 && errno == ENOSYS)
		return lr_pidfd_emulate((pid_t)a1);
	return ret;
}

#define LR_SYSCALL7(nr, a1, a2, a3, a4, a5, a6, ...) \
	lr_syscall((long)(nr), (long)(a1), (long)(a2), (long)(a3), \
		   (long)(a4), (long)(a5), (long)(a6))
#define syscall(...) LR_SYSCALL7(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

#include "kselftest_harness.h"

/*
 * A test's harness timeout never outlasts its case: /init passes the case's own bound
 * (vm/cases.list, less the time the guest needs to save its evidence) as
 * LR_TEST_TIMEOUT. A hung test then ends "not ok ... timeout" while the guest is alive,
 * so the case keeps a KTAP line, the teardown's absence is visible and both kernel logs
 * are saved; otherwise the runner would kill the VM first and keep neither.
 */
static inline void lr_cap_timeouts(void)
{
	const char *e = getenv("LR_TEST_TIMEOUT");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	int cap = e ? atoi(e) : 0;

	if (cap <= 0)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			if (t->timeout > cap)
				t->timeout = cap;
}

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		lr_cap_timeouts();					\
		return test_harness_run(argc, argv);			\
	}

#endif /* LR_HARNESS_H */
