// SPDX-License-Identifier: GPL-2.0
/* known_bugs.c: the table of kernel bugs the suite reproduces (known_bugs.h). */
#include "known_bugs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lr.h"
#include "ops.h"

#define LR_TESTLOCK_WHY \
	"server's nlmsvc_testlock() drops the lock type: a write TEST is a read test"

static const struct lr_known_bug lr_known_bugs[] = {
	/*
	 * nlmsvc_testlock() tests a conflock that locks_init_lock() zeroed and that gets
	 * the range, owner and file of the request but not its type: F_RDLCK is 0, so an
	 * NLM TEST for a write lock is evaluated as a read test and a held read lock is
	 * reported free. From NeilBrown's "lockd: fix vfs_test_lock() calls" (posted
	 * 2025-11-19). Read in Debian's sources: 5.10.223 passes lock->fl itself (not
	 * affected); 6.1.176, 6.12.117, 7.2.13 and 7.3.4 carry the conflock code
	 * (fs/lockd/svclock.c, "vfs_test_lock only uses start, end, and owner"). Debian's
	 * changelogs date the stable backports: 6.1.160 and 6.12.64. Mainline: from 6.19,
	 * the release after the posting (not read in a 6.19 tree). Other stable lines
	 * (6.6.y, 6.18.y...) are not in the table: a failure there is reported as unknown.
	 */
	{ "nlmsvc_testlock-type", LR_KVER(6, 1, 160), LR_KVER(6, 2, 0), LR_TESTLOCK_WHY, true },
	{ "nlmsvc_testlock-type", LR_KVER(6, 12, 64), LR_KVER(6, 13, 0), LR_TESTLOCK_WHY, true },
	{ "nlmsvc_testlock-type", LR_KVER(6, 19, 0), 0, LR_TESTLOCK_WHY, true },
	/*
	 * A lost GRANTED_RES loses the lock on the server. The server re-sends GRANTED_MSG
	 * 60 s after an answered one that got no GRANTED_RES (nlmsvc_grant_callback());
	 * the client's waiter already holds the lock, so nlmclnt_grant() finds no blocked
	 * request and answers nlm_lck_denied; since "lockd: server should unlock lock if
	 * client rejects the grant" (Jeff Layton, posted 2023-03-03) nlmsvc_grant_reply()
	 * then unlocks it on the server, while the client keeps it in its VFS list: another
	 * client can take the range. Read: 4.19.304 and 6.1.176 only unlink the block;
	 * 6.12.117, 7.2.13, 7.3.4 unlock. The first release with it is taken as 6.4 (the
	 * merge window after the posting), not read in a 6.2..6.11 tree.
	 */
	/*
	 * The waiter's fallback for a lost GRANTED_MSG is its own re-sent LOCK every
	 * NLMCLNT_POLL_TIMEOUT (fs/lockd/clntproc.c). nlmsvc_lock() answers a LOCK for a
	 * block still queued "nlm_lck_blocked without calling vfs_lock_file() again" when
	 * the file's lock op is asynchronous. 6.12.117 asks exportfs_lock_op_is_async()
	 * (tmpfs, ext4, xfs: no); 7.2.13 and 7.3.4 ask locks_can_async_lock(), which is true
	 * for every filesystem without ->lock (tmpfs, ext4, xfs...). A block whose lock was
	 * granted but whose GRANTED_MSG cannot be delivered then keeps the waiter blocked,
	 * re-poll after re-poll, while the server holds the lock for it. First release taken
	 * as 6.13 (after 6.12.117), not read in a 6.13..7.1 tree.
	 */
	{ "grant-repoll-blocked", LR_KVER(6, 13, 0), 0,
	  "a re-sent LOCK of a granted block whose GRANTED_MSG is undelivered is answered "
	  "BLOCKED (nlmsvc_lock(): locks_can_async_lock()): the waiter's poll never gets it",
	  true },
	{ "grant-retry-unlock", LR_KVER(6, 4, 0), 0,
	  "after a lost GRANTED_RES the client denies the server's GRANTED retry for a lock "
	  "it holds (nlmclnt_grant) and the server unlocks it (nlmsvc_grant_reply)", true },
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
	const struct lr_known_bug *b = NULL;
	struct utsname u;
	char *rel;
	unsigned int kver;
	size_t i;

	for (i = 0; i < sizeof(lr_known_bugs) / sizeof(lr_known_bugs[0]) && !b; i++)
		if (!strcmp(lr_known_bugs[i].id, id))
			b = &lr_known_bugs[i];
	if (!b)
		return NULL;
	if (b->server) {
		/* no answer: no entry, so a bug seen fails as unknown (fail-closed) */
		rel = lr_server_release();
		kver = rel ? lr_kver_parse(rel) : 0;
		free(rel);
	} else {
		kver = uname(&u) ? 0 : lr_kver_parse(u.release);
	}
	return lr_known_bug_at(id, kver);
}
