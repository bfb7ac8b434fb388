// SPDX-License-Identifier: GPL-2.0
/*
 * lr-agent: the guests' management agent (docs/internals.md, "The agent protocol").
 *
 *   lr-agent [-t secs] [-x prog] ip[:port]         serve (default port 7000, prog /sbin/lr-ctl)
 *   lr-agent -c host[:port] [-t secs] word...      send one request, print the reply,
 *                                                  exit with the remote status
 *
 * One request per connection: one line of words separated by spaces. The server runs
 * "prog word..." (no shell) with stdout and stderr on the socket, then sends
 * "lr-status <exit code>\n". A command that runs longer than the limit (-t, 120 s) is
 * killed with its whole process group and reports status 124, so nothing can wedge the
 * agent. The client side is tests/lib/agent.c, the tests' own client: one copy of the
 * protocol's reading end. Built static for the guests (rootfs/build.sh) and for the host
 * as build/host/lr_agent (tests/Makefile; vm/net.sh's net_agent).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lr.h"

#define AGENT_LINE_MAX	4096
#define AGENT_ARGS_MAX	64

static int timeout_s = 120;
static const char *prog = "/sbin/lr-ctl";

static void die(const char *what)
{
	fprintf(stderr, "lr-agent: %s: %s\n", what, strerror(errno));
	exit(255);
}

/* One request line: up to '\n', EOF or the size limit (SO_RCVTIMEO bounds the wait). */
static int read_line(int fd, char *buf, size_t size)
{
	struct timeval tv = { .tv_sec = 10 };
	size_t len = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (len < size - 1 && !memchr(buf, '\n', len)) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static volatile sig_atomic_t expired;

static void on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

/* One connection: run the command, relay its output, send the status. */
static void serve_one(int fd)
{
	char line[AGENT_LINE_MAX], msg[128], *argv[AGENT_ARGS_MAX + 2], *w;
	struct sigaction sa = { .sa_handler = on_alarm };
	int argc = 0, status, code;
	pid_t pid;

	if (read_line(fd, line, sizeof(line)))
		exit(1);
	argv[argc++] = (char *)prog;
	for (w = strtok(line, " \t"); w && argc <= AGENT_ARGS_MAX; w = strtok(NULL, " \t"))
		argv[argc++] = w;
	argv[argc] = NULL;

	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* own process group, so a timeout kills everything the command started */
		setpgid(0, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		fd = open("/dev/null", O_RDONLY);	/* no console input for commands */
		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
		execv(prog, argv);
		fprintf(stderr, "lr-agent: exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	sigaction(SIGALRM, &sa, NULL);
	alarm(timeout_s);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid");
		if (expired) {
			kill(-pid, SIGKILL);
			expired = 0;
		}
	}
	alarm(0);
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	else
		code = WTERMSIG(status) == SIGKILL ? 124 : 128 + WTERMSIG(status);
	if (code == 124 && WIFSIGNALED(status)) {
		snprintf(msg, sizeof(msg), "lr-agent: killed after %d s\n", timeout_s);
		lr_write_all(fd, msg, strlen(msg));
	}
	snprintf(msg, sizeof(msg), "lr-status %d\n", code);
	lr_write_all(fd, msg, strlen(msg));
	/*
	 * Wait for the peer to close before exiting: then it has everything, even when the
	 * command was poweroff and lr-ctl reboots the moment this process is gone.
	 */
	shutdown(fd, SHUT_WR);
	while (read(fd, msg, sizeof(msg)) > 0)	/* bounded by SO_RCVTIMEO */
		;
	exit(0);
}

static int serve(const char *addr)
{
	struct sigaction sa = { .sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT };
	struct sockaddr_in sin;
	int lfd, fd, one = 1;

	if (lr_agent_addr(addr, &sin)) {
		fprintf(stderr, "lr-agent: bad address '%s'\n", addr);
		return 2;
	}
	sigaction(SIGCHLD, &sa, NULL);	/* children are reaped by the kernel */
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 16))
		die(addr);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		switch (fork()) {
		case -1:
			break;
		case 0:
			close(lfd);
			sa.sa_handler = SIG_DFL;
			sa.sa_flags = 0;
			sigaction(SIGCHLD, &sa, NULL);	/* the child waits for its command */
			serve_one(fd);
		}
		close(fd);
	}
}

/* Client: send the words as one line, print the reply minus its status line. */
static int client(const char *addr, int argc, char **argv)
{
	char req[AGENT_LINE_MAX] = "", *out;
	int i, code;

	for (i = 0; i < argc; i++) {
		if (strlen(req) + strlen(argv[i]) + 2 >= sizeof(req))
			return 2;
		strcat(req, argv[i]);
		strcat(req, i + 1 < argc ? " " : "");
	}
	/* the server's limit, plus the way there and back */
	code = lr_agent(addr, req, &out, timeout_s + 10);
	if (code < 0) {
		fprintf(stderr, "lr-agent: %s: %s\n", addr,
			errno == EPROTO ? "no status in the reply" : strerror(errno));
		return errno == EINVAL ? 2 : 255;
	}
	fputs(out, stdout);
	free(out);
	return code;
}

int main(int argc, char **argv)
{
	const char *remote = NULL;
	int c;

	while ((c = getopt(argc, argv, "+c:t:x:h")) != -1) {
		switch (c) {
		case 'c':
			remote = optarg;
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		case 'x':
			prog = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: lr-agent [-t secs] [-x prog] ip[:port]\n"
				"       lr-agent -c host[:port] [-t secs] word...\n");
			return 2;
		}
	}
	if (timeout_s <= 0)
		timeout_s = 120;
	if (remote)
		return optind < argc ? client(remote, argc - optind, argv + optind) : 2;
	if (optind + 1 != argc) {
		fprintf(stderr, "lr-agent: serve needs one ip[:port]\n");
		return 2;
	}
	return serve(argv[optind]);
}
