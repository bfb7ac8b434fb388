// SPDX-License-Identifier: GPL-2.0
/* known_bugs.c: the table of kernel bugs the suite reproduces (known_bugs.h). */
#include "known_bugs.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

static const struct lr_known_bug lr_known_bugs[] = {
	/*
	 * nlmsvc_testlock() tests a conflock that locks_init_lock() zeroed and that gets
	 * the range, owner and file of the request but not its type: F_RDLCK is 0, so an
	 * NLM TEST for a write lock is evaluated as a read test and a held read lock is
	 * reported free. Read in Debian's sources: 5.10.223 passes lock->fl itself (not
	 * affected); 6.1.176, 6.12.117, 7.2.13 and 7.3.4 carry the conflock code
	 * (fs/lockd/svclock.c, "vfs_test_lock only uses start, end, and owner"). 6.1.y got
	 * it as a stable backport; the first affected 6.1.y was not established, so the
	 * range starts at 6.1.0.
	 */
	{ "nlmsvc_testlock-type", LR_KVER(6, 1, 0), 0,
	  "server's nlmsvc_testlock() drops the lock type: a write TEST is a read test" },
};

unsigned int lr_kver_parse(const char *release)
{
	unsigned int a, b, c = 0;

	if (sscanf(release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return LR_KVER(a, b, c);
}

const struct lr_known_bug *lr_known_bug_at(const char *id, unsigned int kver)
{
	size_t i;

	for (i = 0; i < sizeof(lr_known_bugs) / sizeof(lr_known_bugs[0]); i++) {
		const struct lr_known_bug *b = &lr_known_bugs[i];

		if (strcmp(b->id, id) || !kver)
			continue;
		if (kver >= b->from && (!b->until || kver < b->until))
			return b;
	}
	return NULL;
}

const struct lr_known_bug *lr_known_bug(const char *id)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	return lr_known_bug_at(id, lr_kver_parse(u.release));
}
