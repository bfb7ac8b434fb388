// SPDX-License-Identifier: GPL-2.0
/*
 * lr.c: the guest-side helper library of lockd-repro's tests. See lr.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lr.h"

/* ---- environment ---- */

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

const char *lr_mnt(void) { return env_or("LR_MNT", LR_MNT_DEFAULT); }
const char *lr_server_ip(void) { return env_or("LR_SERVER", LR_SERVER_DEFAULT); }
const char *lr_mserver(void) { return env_or("LR_MSERVER", LR_MSERVER_DEFAULT); }
const char *lr_client_ip(void) { return env_or("LR_CLIENT", LR_CLIENT_DEFAULT); }

double lr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool lr_wait_until(bool (*cond)(void *arg), void *arg, double timeout_s)
{
	double end = lr_now() + timeout_s;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (;;) {
		if (cond(arg))
			return true;
		if (lr_now() >= end)
			return false;
		nanosleep(&tick, NULL);	/* the polling interval, not a synchronisation */
	}
}

int lr_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- agent ---- */

int lr_agent_parse_reply(char *reply, size_t len)
{
	char *last, *end;
	long st;

	/* the last line, ignoring one trailing newline */
	while (len && reply[len - 1] == '\n')
		len--;
	reply[len] = '\0';
	last = strrchr(reply, '\n');
	last = last ? last + 1 : reply;
	if (strncmp(last, "lr-status ", 10))
		return -1;
	errno = 0;
	st = strtol(last + 10, &end, 10);
	if (errno || end == last + 10 || *end || st < 0 || st > 255)
		return -1;
	*last = '\0';
	return (int)st;
}

int lr_agent(const char *ip, const char *cmd, char **out, int timeout_s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(LR_AGENT_PORT) };
	double end = lr_now() + timeout_s;
	size_t len = 0, cap = 65536;
	char *buf = NULL, *line = NULL, host[64], *colon;
	int fd = -1, st = -1, err = 0, flags;
	struct pollfd pfd;

	if (out)
		*out = NULL;
	snprintf(host, sizeof(host), "%s", ip);
	colon = strchr(host, ':');
	if (colon) {
		*colon = '\0';
		sin.sin_port = htons(atoi(colon + 1));
	}
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* a non-blocking connect, so an absent agent costs the deadline, not TCP's minutes */
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS)
		goto fail;
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, timeout_s * 1000) != 1) {
		errno = ETIMEDOUT;
		goto fail;
	}
	socklen_t sl = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0 || err) {
		errno = err ? err : errno;
		goto fail;
	}
	fcntl(fd, F_SETFL, flags);
	if (asprintf(&line, "%s\n", cmd) < 0)
		goto fail;
	if (lr_write_all(fd, line, strlen(line)) < 0)
		goto fail;
	buf = malloc(cap);
	if (!buf)
		goto fail;
	for (;;) {
		int left = (int)((end - lr_now()) * 1000);
		ssize_t n;

		if (left <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n ? errno : ETIMEDOUT;
			goto fail;
		}
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += n;
	}
	st = lr_agent_parse_reply(buf, len);
	if (st < 0) {
		errno = EPROTO;
		goto fail;
	}
	close(fd);
	free(line);
	if (out)
		*out = buf;
	else
		free(buf);
	return st;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(line);
	free(buf);
	errno = err;
	return -1;
}

int lr_server(const char *cmd, char **out)
{
	return lr_agent(lr_mserver(), cmd, out, 60);
}

char *lr_server_dmesg(void)
{
	char *out;

	if (lr_server("dmesg", &out) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- kernel log ---- */

int lr_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int lr_kmsg_parse(const char *rec, unsigned long long *seq, unsigned long long *ts_us,
		  const char **text)
{
	unsigned long long s, t;
	unsigned int prio;
	const char *semi;

	if (sscanf(rec, "%u,%llu,%llu,", &prio, &s, &t) != 3)
		return -1;
	semi = strchr(rec, ';');
	if (!semi)
		return -1;
	if (seq)
		*seq = s;
	if (ts_us)
		*ts_us = t;
	if (text)
		*text = semi + 1;
	return 0;
}

int lr_kmsg_read(int fd, char *line, size_t size, unsigned long long *ts_us)
{
	char rec[8192];
	const char *text;
	ssize_t n;
	size_t l;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)	/* overwritten in the ring: go on */
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		rec[n] = '\0';
		if (lr_kmsg_parse(rec, NULL, ts_us, &text) < 0)
			continue;
		/* the text ends at the first newline; continuation lines (" KEY=val") follow */
		l = strcspn(text, "\n");
		if (l >= size)
			l = size - 1;
		memcpy(line, text, l);
		line[l] = '\0';
		return 1;
	}
}

int lr_kmsg_wait(int fd, const char *ere, double deadline, unsigned long long *ts_us,
		 char *line, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	regex_t re;
	int r;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB)) {
		errno = EINVAL;
		return -1;
	}
	for (;;) {
		r = lr_kmsg_read(fd, line, size, ts_us);
		if (r < 0)
			break;
		if (r == 1) {
			if (!regexec(&re, line, 0, NULL, 0))
				break;
			continue;
		}
		int left = (int)((deadline - lr_now()) * 1000);

		if (left <= 0) {
			r = 0;
			break;
		}
		poll(&pfd, 1, left);
	}
	regfree(&re);
	return r;
}

/* ---- dmesg health ---- */

/*
 * What "the kernel is unhappy" means for us. Labels are short so a KTAP diagnostic says
 * which rule fired. The lockd strings are its error printks (fs/lockd/) and the
 * sunrpc major-timeout messages (net/sunrpc/clnt.c: "<prog>: server X not responding,
 * still trying|timed out", then "<prog>: server X OK"). Plain "lockd:" is not enough:
 * lr.debug=1 makes lockd print hundreds of harmless dprintk lines.
 */
static const struct {
	const char *label, *ere;
} lr_bad[] = {
	{ "oops",	"Oops|general protection fault|kernel BUG|BUG:|Kernel panic" },
	{ "warn",	"WARNING:|------------\\[ cut here \\]------------" },
	{ "hung task",	"blocked for more than [0-9]+ seconds|INFO: task .* blocked|hung_task" },
	{ "lockup",	"soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO:" },
	{ "not responding", "server .* not responding" },
	{ "server OK",	"^(lockd|nfs|statd|rpcbind|portmap): server [^ ]+ OK$" },
	{ "lockd error", "lockd(_up)?: (cannot|couldn't|failed|unable|unexpected|unhandled|"
			 "weird|rejected|attempt|unlock failure|grant for unknown|"
			 "notification for unknown|create service failed)" },
	{ "lockd error", "VFS is out of sync with lock manager" },
};

/* a dmesg line's text after its "[   12.345678] " stamp */
static const char *after_stamp(const char *line)
{
	const char *p = strchr(line, ']');

	return p ? p + 1 + (p[1] == ' ') : line;
}

const char *lr_dmesg_bad(const char *line)
{
	static regex_t re[sizeof(lr_bad) / sizeof(lr_bad[0])];
	static int ready;
	size_t i;

	if (!ready) {
		for (i = 0; i < sizeof(lr_bad) / sizeof(lr_bad[0]); i++)
			if (regcomp(&re[i], lr_bad[i].ere, REG_EXTENDED | REG_NOSUB))
				abort();	/* a broken table is a bug; the unit test sees it */
		ready = 1;
	}
	/* dmesg text (the server's, through the agent) starts with "[   12.345678] " */
	if (lr_dmesg_ts(line) >= 0)
		line = after_stamp(line);
	for (i = 0; i < sizeof(lr_bad) / sizeof(lr_bad[0]); i++)
		if (!regexec(&re[i], line, 0, NULL, 0))
			return lr_bad[i].label;
	return NULL;
}

double lr_dmesg_ts(const char *line)
{
	char *end;
	double t;

	if (line[0] != '[')
		return -1;
	line++;
	while (*line == ' ')
		line++;
	if (!isdigit((unsigned char)*line))
		return -1;
	t = strtod(line, &end);
	if (*end != ']')
		return -1;
	return t;
}

double lr_dmesg_last_ts(const char *text)
{
	const char *p = text;
	double t, last = 0;

	while (p && *p) {
		t = lr_dmesg_ts(p);
		if (t >= 0)
			last = t;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return last;
}

int lr_dmesg_mark(struct lr_dmesg_mark *m)
{
	char *d;

	m->kmsg_fd = lr_kmsg_open();
	m->client_allow = m->server_allow = NULL;
	d = lr_server_dmesg();
	m->server_ok = d != NULL;
	m->server_ts = d ? lr_dmesg_last_ts(d) : 0;
	free(d);
	return m->kmsg_fd < 0 || !m->server_ok ? -1 : 0;
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t l = strlen(buf);
	va_list ap;

	if (l + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + l, size - l, fmt, ap);
	va_end(ap);
}

bool lr_re_match(const char *ere, const char *line)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&re, line, 0, NULL, 0);
	regfree(&re);
	return ok;
}

int lr_dmesg_check(struct lr_dmesg_mark *m, char *report, size_t size)
{
	char line[1024], *d, *p, *nl;
	const char *why;
	int bad = 0, err = 0, r;

	report[0] = '\0';
	if (m->kmsg_fd < 0) {
		appendf(report, size, "client: /dev/kmsg could not be read\n");
		err = 1;
	} else {
		while ((r = lr_kmsg_read(m->kmsg_fd, line, sizeof(line), NULL)) == 1) {
			why = lr_dmesg_bad(line);
			if (why && m->client_allow && lr_re_match(m->client_allow, line))
				why = NULL;
			if (why) {
				appendf(report, size, "client: [%s] %s\n", why, line);
				bad++;
			}
		}
		if (r < 0) {
			appendf(report, size, "client: /dev/kmsg read error: %s\n", strerror(errno));
			err = 1;
		}
		close(m->kmsg_fd);
		m->kmsg_fd = -1;
	}
	d = m->server_ok ? lr_server_dmesg() : NULL;
	if (!d) {
		appendf(report, size, "server: dmesg could not be read through the agent\n");
		err = 1;
	}
	for (p = d; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		/* strictly after the mark: the line at the mark was there before the test */
		if (lr_dmesg_ts(p) <= m->server_ts)
			continue;
		why = lr_dmesg_bad(p);
		if (why && m->server_allow && lr_re_match(m->server_allow, after_stamp(p)))
			why = NULL;
		if (why) {
			appendf(report, size, "server: [%s] %s\n", why, p);
			bad++;
		}
	}
	free(d);
	return err ? -1 : bad;
}

int lr_server_lines(double after, const char *ere, double *ts, char (*text)[LR_LINE_MAX],
		    int max)
{
	char *d = lr_server_dmesg(), *p, *nl;
	int n = 0;

	if (!d)
		return -1;
	for (p = d; *p && n < max; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (lr_dmesg_ts(p) <= after || !lr_re_match(ere, after_stamp(p)))
			continue;
		ts[n] = lr_dmesg_ts(p);
		if (text)
			snprintf(text[n], LR_LINE_MAX, "%s", after_stamp(p));
		n++;
	}
	free(d);
	return n;
}

/* ---- /proc ---- */

int lr_read_long(const char *path, long *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

long long lr_parse_proc_stat_ticks(const char *text)
{
	const char *p = text;
	long long sum = 0, v;
	int i, n;

	while (p && strncmp(p, "cpu ", 4)) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return -1;
	for (p += 4, i = 0; i < 8; i++, p += n) {
		if (sscanf(p, " %lld%n", &v, &n) != 1 || v < 0)
			return -1;
		sum += v;
	}
	return sum;
}

double lr_tick_rate(const struct lr_tickmark *a, const struct lr_tickmark *b)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (a->cs < 0 || b->cs < a->cs || b->t - a->t < 1 || hz <= 0)
		return -1;
	return (double)(b->cs - a->cs) / hz / (b->t - a->t);
}

static int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

int lr_tick_mark(struct lr_tickmark *m)
{
	char buf[4096];		/* the cpu line comes first */
	int rc = read_text("/proc/stat", buf, sizeof(buf));

	m->t = lr_now();
	m->cs = rc < 0 ? -1 : lr_parse_proc_stat_ticks(buf);
	if (rc == 0 && m->cs < 0)
		errno = EINVAL;
	return m->cs < 0 ? -1 : 0;
}

char lr_parse_stat_state(const char *stat)
{
	const char *p = strrchr(stat, ')');	/* comm may contain spaces and ')' */

	if (!p || p[1] != ' ' || !isalpha((unsigned char)p[2]))
		return 0;
	return p[2];
}

int lr_parse_syscall(const char *text, long *nr, unsigned long args[6])
{
	char *end;
	int i;

	/* "running" or a negative number (not in a syscall) have no arguments */
	errno = 0;
	*nr = strtol(text, &end, 10);
	if (errno || end == text || *nr < 0)
		return -1;
	for (i = 0; i < 6; i++) {
		text = end;
		args[i] = strtoul(text, &end, 16);
		if (end == text)
			return -1;
	}
	return 0;
}

char lr_proc_state(pid_t pid)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return 0;
	return lr_parse_stat_state(buf);
}

bool lr_blocked_in_fcntl(pid_t pid, int cmd)
{
	char path[64], buf[512];
	unsigned long args[6];
	long nr;

	if (lr_proc_state(pid) != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	if (read_text(path, buf, sizeof(buf)) < 0 || lr_parse_syscall(buf, &nr, args) < 0)
		return false;
	if (nr != SYS_fcntl || args[1] != (unsigned long)cmd)
		return false;
	/* state again: still asleep after we read the syscall, not just passing through */
	return lr_proc_state(pid) == 'S';
}

/* ---- locks and children ---- */

int lr_setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl) < 0 ? -errno : 0;
}

int lr_getlk(int fd, short type, off_t start, off_t len, struct flock *out)
{
	*out = (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start,
			       .l_len = len };
	return fcntl(fd, F_GETLK, out) < 0 ? -errno : 0;
}

int lr_testfile(char *buf, size_t size, const char *dir, const char *name)
{
	static const char data[] = "something\n";	/* as the seed: echo something > file */
	int fd;

	snprintf(buf, size, "%s/lr-%s-%d", dir, name, getpid());
	fd = open(buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	if (lr_write_all(fd, data, sizeof(data) - 1) < 0 || fsync(fd) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int lr_spawn(struct lr_child *c, void (*fn)(int wfd, void *arg), void *arg)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	c->pid = fork();
	if (c->pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(p[0]);
		fn(p[1], arg);
		_exit(0);
	}
	close(p[1]);
	c->rfd = p[0];
	return 0;
}

int lr_child_read(struct lr_child *c, void *buf, size_t len, double timeout_s)
{
	double end = lr_now() + timeout_s;
	struct pollfd pfd = { .fd = c->rfd, .events = POLLIN };
	char *p = buf;
	ssize_t n;

	while (len) {
		int left = (int)((end - lr_now()) * 1000);

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&pfd, 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			continue;
		n = read(c->rfd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errno = n ? errno : EPIPE;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

#define LR_REAP_AFTER_KILL_S	5

int lr_child_reap(struct lr_child *c, int *status, double timeout_s)
{
	double end = lr_now() + timeout_s;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t r;

	if (c->pid <= 0)
		return 0;
	for (;;) {
		r = waitpid(c->pid, status, WNOHANG);
		if (r == c->pid || (r < 0 && errno != EINTR))
			break;
		if (lr_now() >= end) {
			/* bounded after the kill too: a child stuck in an uninterruptible
			 * wait (a kernel bug, e.g. the kill-uninterruptible mutant) never
			 * exits, and the test must still end with its assertion and its
			 * teardown; the orphan is left to init */
			kill(c->pid, SIGKILL);
			for (end = lr_now() + LR_REAP_AFTER_KILL_S; lr_now() < end;
			     nanosleep(&tick, NULL))
				if (waitpid(c->pid, status, WNOHANG) == c->pid)
					break;
			errno = ETIMEDOUT;
			r = -1;
			break;
		}
		nanosleep(&tick, NULL);
	}
	close(c->rfd);
	c->rfd = -1;
	c->pid = 0;
	return r < 0 ? -1 : 0;
}

/* ---- /proc/locks ---- */

int lr_locks_count(const char *text, unsigned long ino, bool waiters)
{
	const char *p = text, *nl;
	char line[512], *tok, *save, *c;
	int n = 0, waiter;
	size_t l;

	while (p && *p) {
		nl = strchr(p, '\n');
		l = nl ? (size_t)(nl - p) : strlen(p);
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			waiter = strstr(line, ": -> ") != NULL;
			for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
				/* MAJ:MIN:INODE, the only field with two colons */
				c = strrchr(tok, ':');
				if (!c || c == strchr(tok, ':'))
					continue;
				if (strtoul(c + 1, NULL, 10) == ino && waiter == waiters)
					n++;
				break;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	return n;
}

/* ---- the second mount ---- */

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

/* ---- mount options ---- */

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
	const char *p = text, *nl;
	size_t l;
	int found = -1;

	while (p && *p) {
		nl = strchr(p, '\n');
		l = nl ? (size_t)(nl - p) : strlen(p);
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			if (sscanf(line, "%1023s %1023s %63s %2047s", dev, dir, type, o) == 4) {
				unmangle(dir);
				/* the last entry wins: it is the one on top */
				if (!strcmp(dir, mnt)) {
					snprintf(fstype, fsize, "%s", type);
					snprintf(opts, size, "%s", o);
					found = 0;
				}
			}
		}
		p = nl ? nl + 1 : NULL;
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
