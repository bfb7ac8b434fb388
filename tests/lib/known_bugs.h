/* SPDX-License-Identifier: GPL-2.0 */
/*
 * known_bugs.h: kernel bugs the suite has found and reproduces, by kernel version.
 *
 * A test that hits one reports it as XFAIL (kselftest's "expected failure": the line
 * reads "ok N name # XFAIL <bug>") only when (1) the bug's own check failed, (2) every
 * other assertion of the test held, and (3) the running kernel is in the bug's range.
 * Anywhere else the same check is an ordinary assertion: a kernel outside the range that
 * shows the bug FAILs, and a kernel inside it that no longer shows it is reported XPASS,
 * so the table gets corrected. The ranges list what was read in the sources, not hopes.
 */
#ifndef LR_KNOWN_BUGS_H
#define LR_KNOWN_BUGS_H

#include <stdbool.h>

struct lr_known_bug {
	const char *id;		/* what the test passes to lr_known_bug() */
	unsigned int from;	/* first affected version, LR_KVER(x, y, z) */
	unsigned int until;	/* first fixed version, 0 = not fixed in any tree read */
	const char *why;	/* one line: the bug and where it is */
	bool server;		/* the bug is in the server's kernel: keyed on the server's
				 * release (its agent's "uname"), not the client's */
};

#define LR_KVER(a, b, c)	(((a) << 16) | ((b) << 8) | ((c) > 255 ? 255 : (c)))

/* pure: "7.3.4-foo" -> LR_KVER(7, 3, 4); 0 if unparsable */
unsigned int lr_kver_parse(const char *release);
/* pure: the entry for id if kver is in its range, else NULL */
const struct lr_known_bug *lr_known_bug_at(const char *id, unsigned int kver);
/* the entry for id if the kernel it lives in (the client's uname -r, or the server's
 * through its agent for a server bug) is in its range, else NULL */
const struct lr_known_bug *lr_known_bug(const char *id);

/*
 * LR_XFAIL_IF_KNOWN(id, bug_seen): at the end of a test body. If bug_seen, the kernel is
 * in id's range and nothing else failed, end the test as XFAIL with the bug's reason.
 * If bug_seen outside the range, fail. If the kernel is in the range but the bug was not
 * seen, fail it ("XPASS" in the log): the table is out of date for this kernel (the
 * harness would count an XPASS as passed and exit 0).
 */
#define LR_XFAIL_IF_KNOWN(id, bug_seen) do {					\
	bool __seen = (bug_seen);	/* once: it may be a call */		\
	const struct lr_known_bug *__kb = lr_known_bug(id);			\
	if (__seen && !__kb) {							\
		TH_LOG("%s: not a known bug on this kernel", id);		\
		_metadata->exit_code = KSFT_FAIL;				\
	} else if (__kb && _metadata->exit_code == KSFT_PASS && __seen) {		\
		snprintf(_metadata->results->reason,				\
			 sizeof(_metadata->results->reason), "%s", __kb->why);	\
		_metadata->exit_code = KSFT_XFAIL;				\
	} else if (__kb && _metadata->exit_code == KSFT_PASS) {		\
		/* XPASS counts as passed in the harness (exit 0): fail it here */	\
		TH_LOG("XPASS: %s: not reproduced on this kernel, the table "	\
		       "(tests/lib/known_bugs.c) is out of date: %s", id, __kb->why);	\
		_metadata->exit_code = KSFT_FAIL;				\
	}									\
} while (0)

#endif /* LR_KNOWN_BUGS_H */
