// SPDX-License-Identifier: GPL-2.0
/*
 * agent.c: the one client of the lr-agent protocol. See agent.h.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lr.h"

/* Only inet_pton: the guests' binaries are static, without NSS. */
int lr_agent_addr(const char *arg, struct sockaddr_in *sin)
{
	char host[64], *colon;

	snprintf(host, sizeof(host), "%s", arg);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(LR_AGENT_PORT);
	colon = strchr(host, ':');
	if (colon) {
		*colon = '\0';
		sin->sin_port = htons(atoi(colon + 1));
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

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
	struct sockaddr_in sin;
	double end = lr_now() + timeout_s;
	size_t len = 0, cap = 65536;
	char *buf = NULL, *line = NULL;
	int fd = -1, st = -1, err = 0, flags;
	struct pollfd pfd;

	if (out)
		*out = NULL;
	if (lr_agent_addr(ip, &sin))
		return -1;
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

int lr_server_sysctl(const char *name, long *v)
{
	char cmd[160], *out = NULL;
	int rc;

	snprintf(cmd, sizeof(cmd), "sysctl %s", name);
	rc = lr_server(cmd, &out) == 0 && out && sscanf(out, "%li", v) == 1 ? 0 : -1;
	free(out);
	return rc;
}

int lr_server_sysctl_set(const char *name, long v)
{
	char cmd[160], *out = NULL;
	int rc;

	snprintf(cmd, sizeof(cmd), "sysctl %s %ld", name, v);
	rc = lr_server(cmd, &out) ? -1 : 0;
	free(out);
	return rc;
}

int lr_server_nlm_debug_or(long bits, long *old)
{
	long v;

	if (lr_server_sysctl(SRV_NLM_DEBUG, &v) || v < 0)
		return -1;
	*old = v;
	return lr_server_sysctl_set(SRV_NLM_DEBUG, v | bits);
}

void lr_server_nlm_debug_restore(long *old)
{
	if (*old < 0)
		return;
	lr_server_sysctl_set(SRV_NLM_DEBUG, *old);
	*old = -1;
}
