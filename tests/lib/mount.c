// SPDX-License-Identifier: GPL-2.0
/*
 * mount.c: the customer's mount: its options in /proc/mounts, a second mount. See mount.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lr.h"

int lr_mount2(char *err, size_t size)
{
	char fstype[32], opts[1024], src[128], o[1024], out[512];
	const char *mnt2 = LR_MNT2_DEFAULT;
	int p[2], st;
	ssize_t n;
	size_t l = 0;
	pid_t pid;

	err[0] = '\0';
	if (lr_mount_opts(mnt2, fstype, sizeof(fstype), opts, sizeof(opts)) == 0 &&
	    !strcmp(fstype, "nfs"))
		return 0;
	if (mkdir(mnt2, 0755) < 0 && errno != EEXIST) {
		snprintf(err, size, "mkdir %s: %s", mnt2, strerror(errno));
		return -1;
	}
	snprintf(src, sizeof(src), "%s:%s", lr_server_ip(), LR_EXPORT);
	snprintf(o, sizeof(o), "%s,nosharecache", LR_CUSTOMER_OPTS);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execlp("mount", "mount", "-t", "nfs", "-o", o, src, mnt2, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (n = read(p[0], out + l, sizeof(out) - 1 - l)) > 0)
		l += n;
	out[l] = '\0';
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(err, size, "mount -t nfs -o %s %s %s failed: %s", o, src, mnt2, out);
		return -1;
	}
	return 0;
}


/* /proc/mounts escapes ' ', '\t', '\n', '\\' as \ooo (fs/proc_namespace.c mangle()) */
static void unmangle(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

int lr_proc_mounts_find(const char *text, const char *mnt, char *fstype, size_t fsize,
			char *opts, size_t size)
{
	char line[4096], dev[1024], dir[1024], type[64], o[2048];
	const char *p = text;
	int found = -1;

	while (lr_next_line(&p, line, sizeof(line))) {
		if (sscanf(line, "%1023s %1023s %63s %2047s", dev, dir, type, o) != 4)
			continue;
		unmangle(dir);
		/* the last entry wins: it is the one on top */
		if (!strcmp(dir, mnt)) {
			snprintf(fstype, fsize, "%s", type);
			snprintf(opts, size, "%s", o);
			found = 0;
		}
	}
	return found;
}

int lr_mount_opts(const char *mnt, char *fstype, size_t fsize, char *opts, size_t size)
{
	static char text[65536];
	size_t l = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/mounts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, text + l, sizeof(text) - 1 - l)) > 0)
		l += n;
	close(fd);
	text[l] = '\0';
	return lr_proc_mounts_find(text, mnt, fstype, fsize, opts, size);
}

bool lr_mountopt_userspace(const char *opt)
{
	static const char *const names[] = {
		"_netdev", "auto", "noauto", "nofail", "user", "nouser", "users", "owner",
		"group", "defaults", "comment", "bg", "fg", "retry", "x-systemd", NULL,
	};
	size_t l = strcspn(opt, "=");
	int i;

	if (!strncmp(opt, "x-", 2))	/* fstab's x-* are for userspace by definition */
		return true;
	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == l && !strncmp(opt, names[i], l))
			return true;
	return false;
}

/* find option "name" (up to '=' or end) in a comma list; its full text in *opt */
/* next_opt(&p, buf, size): the next item of a comma-separated list into buf; 0 at its end.
 * Empty items and items too long for buf are passed over. */
static int next_opt(const char **p, char *buf, size_t size)
{
	while (**p) {
		const char *start = *p, *c = strchr(start, ',');
		size_t l = c ? (size_t)(c - start) : strlen(start);

		*p = start + l + (c ? 1 : 0);
		if (l && l < size) {
			snprintf(buf, size, "%.*s", (int)l, start);
			return 1;
		}
	}
	return 0;
}

/* find_opt(list, name, nlen, opt, size): the item of list named name (nlen bytes) */
static bool find_opt(const char *list, const char *name, size_t nlen, char *opt, size_t size)
{
	const char *p = list;

	while (next_opt(&p, opt, size))
		if (strcspn(opt, "=") == nlen && !strncmp(opt, name, nlen))
			return true;
	return false;
}

static void add_item(char *buf, size_t size, int *count, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l && l + 1 < size)
		strcat(buf, ",");
	l = strlen(buf);
	va_start(ap, fmt);
	if (l + 1 < size)
		vsnprintf(buf + l, size - l, fmt, ap);
	va_end(ap);
	(*count)++;
}

int lr_mountopts_compare(const char *want, const char *have, struct lr_optcmp *r)
{
	char w[1024], h[1024], found[256];
	const char *p;
	size_t nlen;

	memset(r, 0, sizeof(*r));
	for (p = want; next_opt(&p, w, sizeof(w));) {
		nlen = strcspn(w, "=");
		if (lr_mountopt_userspace(w)) {
			add_item(r->user, sizeof(r->user), &r->nuser, "%s", w);
			continue;
		}
		if (!find_opt(have, w, nlen, found, sizeof(found)))
			add_item(r->missing, sizeof(r->missing), &r->nmissing, "%s", w);
		else if (strcmp(found, w))
			add_item(r->mismatch, sizeof(r->mismatch), &r->nmismatch, "%s(%s)",
				 w, found[nlen] == '=' ? found + nlen + 1 : "");
	}
	for (p = have; next_opt(&p, h, sizeof(h));) {
		nlen = strcspn(h, "=");
		if (!find_opt(want, h, nlen, found, sizeof(found)))
			add_item(r->extra, sizeof(r->extra), &r->nextra, "%s", h);
	}
	return r->nmissing + r->nmismatch;
}

int lr_test_files(const char *name, char *path, char *path2, size_t size, char *err,
		  size_t esize)
{
	int fd;

	if (lr_mount2(err, esize))
		return -1;
	fd = lr_testfile(path, size, lr_mnt(), name);
	if (fd < 0) {
		snprintf(err, esize, "create %s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path2, size, "%s/%s", LR_MNT2_DEFAULT, strrchr(path, '/') + 1);
	return fd;
}
