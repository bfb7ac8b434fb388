/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mount.h: the customer's NFS mount: its options as /proc/mounts shows them, and a
 * second mount of the same export.
 *
 * Contract: LR_CUSTOMER_OPTS is the customer's option string, defined once in
 * rootfs/mount-opts: tests/Makefile passes it with -D, rootfs/init mounts with it.
 * lr_mount_opts() reads an entry of /proc/mounts; lr_mountopts_compare() (pure) says
 * which wanted options the kernel does not echo as wanted; lr_mount2() mounts the export
 * again with nosharecache.
 * Users: baseline.c (the options check), ops.c and the tests that lock through two mounts.
 */
#ifndef LR_MOUNT_H
#define LR_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * lr_mount2(): mount the server's export again on LR_MNT2_DEFAULT with the customer's
 * options plus nosharecache (once; later calls find it mounted). A second superblock has
 * its own inodes, so a lock taken through one mount is not in the other's local lock
 * list: a conflict between them is decided by the server (NLM), not by the client's
 * VFS. Same server address and protocol, so the same NLM host and lockd connection.
 * 0, or -1 with a message in err.
 */
int lr_mount2(char *err, size_t size);

/*
 * lr_test_files(name, path, path2, size, err, esize): a test's file seen through both
 * mounts: lr_mount2(), then /mnt/lr-<name>-<pid> created (lr_testfile()) into path and
 * its name under LR_MNT2_DEFAULT into path2 (both size bytes). The file's descriptor,
 * or -1 with a one-line reason in err.
 */
int lr_test_files(const char *name, char *path, char *path2, size_t size, char *err,
		  size_t esize);

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

#endif /* LR_MOUNT_H */
