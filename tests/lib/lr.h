/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lr.h: the guest-side helper library of lockd-repro's tests (docs/internals.md), and
 * the one header a test includes for all of it.
 *
 * Contract of lr.c, the common ground every other file uses: the guests' addresses
 * (rootfs/init exports LR_MNT, LR_SERVER, LR_MSERVER, LR_CLIENT; defaults below), the
 * clock /dev/kmsg follows (lr_now), a polling wait with a deadline (lr_wait_until, the C
 * twin of selftests' slowwait: nothing here sleeps to synchronise), an ERE match, a
 * write that finishes. One job per file beside it, each header saying its contract:
 *
 *   agent.h    one request to a guest's lr-agent (TCP 7000, management network)
 *   kmsg.h     this guest's kernel log from /dev/kmsg, with kernel timestamps
 *   dmesg.h    no oops / WARN / BUG / hung task / lockd error in either guest's log
 *   proc.h     /proc/sys values, the tick rate, a child's /proc/<pid>/stat and syscall
 *   locks.h    fcntl wrappers, children that report through a pipe, /proc/locks
 *   mount.h    the customer's mount options against /proc/mounts, a second mount
 *
 * Functions marked "pure" touch no files, sockets or processes; their host unit tests
 * are in tests/unit/.
 */
#ifndef LR_H
#define LR_H

#include <stdbool.h>
#include <stddef.h>

#define LR_MNT_DEFAULT		"/mnt"		/* the customer's mount (rootfs/init) */
#define LR_MNT2_DEFAULT		"/mnt2"		/* a second, nosharecache mount of the export */
#define LR_SERVER_DEFAULT	"192.168.53.40"	/* data path */
#define LR_MSERVER_DEFAULT	"192.168.99.40"	/* management path: the server's agent */
#define LR_CLIENT_DEFAULT	"192.168.53.214"	/* data path */
#define LR_EXPORT		"/export"

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

/* lr_write_all(fd, buf, len): write all of buf, again after EINTR or a short write. 0 or -1 */
int lr_write_all(int fd, const void *buf, size_t len);

/*
 * pure: lr_next_line(&p, line, size): the next line of the text at p into line, p moved
 * past it; lines too long for line are passed over. false at the end of the text.
 */
bool lr_next_line(const char **p, char *line, size_t size);

#include "agent.h"
#include "kmsg.h"
#include "dmesg.h"
#include "proc.h"
#include "locks.h"
#include "mount.h"

#endif /* LR_H */
