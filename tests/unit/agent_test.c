// SPDX-License-Identifier: GPL-2.0
/*
 * agent_test: lr_agent() (lib/agent.c) against a fake agent on 127.0.0.1, speaking the
 * protocol of docs/internals.md: one request line, the output, "lr-status N", close.
 * And lr_kmsg_wait() on a stand-in for /dev/kmsg.
 */
#include "harness.h"
#include "lr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* serve one connection: read a line, check it, send reply, close; exit 0 if it matched */
static pid_t fake_agent(const char *want, const char *reply, size_t rlen, int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	char line[256];
	size_t l = 0;
	int s, c, ok;
	pid_t pid;

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 1) < 0)
		return -1;
	getsockname(s, (struct sockaddr *)&sin, &sl);
	*port = ntohs(sin.sin_port);
	pid = fork();
	if (pid) {
		close(s);
		return pid;
	}
	c = accept(s, NULL, NULL);
	while (l < sizeof(line) - 1 && read(c, line + l, 1) == 1 && line[l] != '\n')
		l++;
	line[l] = '\0';
	ok = !strcmp(line, want);
	if (rlen)
		lr_write_all(c, reply, rlen);
	close(c);
	_exit(ok ? 0 : 1);
}

static int run_agent(const char *cmd, const char *reply, char **out, int timeout)
{
	char addr[32];
	int port, st, ret;
	pid_t pid;

	pid = fake_agent(cmd, reply, strlen(reply), &port);
	if (pid < 0)
		return -100;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	ret = lr_agent(addr, cmd, out, timeout);
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -101;	/* the request line was not what we sent */
	return ret;
}

TEST(status_and_output)
{
	char *out = NULL;

	ASSERT_EQ(0, run_agent("sysctl fs.nfs.nlm_timeout", "10\nlr-status 0\n", &out, 5));
	EXPECT_STREQ("10\n", out);
	free(out);
	ASSERT_EQ(2, run_agent("locks", "lr-ctl: unknown command 'locks'\nlr-status 2\n", &out, 5));
	EXPECT_STREQ("lr-ctl: unknown command 'locks'\n", out);
	free(out);
}

TEST(large_reply)
{
	size_t n = 300000, i;
	char *reply = malloc(n + 32), *out = NULL;

	ASSERT_NE(NULL, reply);
	for (i = 0; i < n; i++)
		reply[i] = i % 64 == 63 ? '\n' : 'a' + i % 26;
	strcpy(reply + n, "\nlr-status 1\n");
	ASSERT_EQ(1, run_agent("dmesg", reply, &out, 5));
	ASSERT_NE(NULL, out);
	EXPECT_EQ(n + 1, strlen(out));
	free(out);
	free(reply);
}

TEST(no_status_line)
{
	char *out = (char *)1;

	EXPECT_EQ(-1, run_agent("ping", "pong but the agent died\n", &out, 5));
	EXPECT_EQ(EPROTO, errno);
	EXPECT_NULL(out);
}

TEST(nobody_listening)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	char addr[32];
	int s;

	/* a port that was free a moment ago: connection refused, at once */
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	s = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sin, sizeof(sin)));
	getsockname(s, (struct sockaddr *)&sin, &sl);
	close(s);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	EXPECT_EQ(-1, lr_agent(addr, "ping", NULL, 5));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(-1, lr_agent("not-an-ip", "ping", NULL, 5));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * /dev/kmsg hands out one record per read() and EAGAIN when none is left (O_NONBLOCK);
 * a SOCK_SEQPACKET pair behaves the same, so lr_kmsg_wait() can be tested without
 * writing into this host's kernel log (and without its devkmsg rate limit).
 */
TEST(kmsg_wait_finds_record)
{
	static const char *const recs[] = {
		"6,100,5140900,-;lr: case baseline start 5.16\n",
		"4,101,69745721,-;RPC:    49 call_status (status -110)\n",
		"4,102,140403783,-,caller=T9;lockd: server 192.168.53.40 not responding, "
		"still trying\n SUBSYSTEM=lockd\n",
		"6,103,150000000,-;after\n",
	};
	static const char ok[] = "4,104,160000000,-;lockd: server 192.168.53.40 OK\n";
	unsigned long long ts = 0;
	char line[256];
	int sv[2];
	size_t i;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv));
	for (i = 0; i < ARRAY_SIZE(recs); i++)
		ASSERT_LT(0, write(sv[1], recs[i], strlen(recs[i])));
	ASSERT_EQ(1, lr_kmsg_wait(sv[0], "not responding, still trying$", lr_now() + 5, &ts,
				  line, sizeof(line)));
	EXPECT_EQ(140403783ULL, ts);
	EXPECT_STREQ("lockd: server 192.168.53.40 not responding, still trying", line);
	/* the next record is the one after the match */
	ASSERT_EQ(1, lr_kmsg_read(sv[0], line, sizeof(line), &ts));
	EXPECT_STREQ("after", line);
	/* nothing more: the deadline ends the wait (0), without a match */
	EXPECT_EQ(0, lr_kmsg_wait(sv[0], "OK$", lr_now() + 0.2, &ts, line, sizeof(line)));
	/* a record arriving while we wait is seen */
	ASSERT_LT(0, write(sv[1], ok, strlen(ok)));
	EXPECT_EQ(1, lr_kmsg_wait(sv[0], "OK$", lr_now() + 5, &ts, line, sizeof(line)));
	EXPECT_EQ(160000000ULL, ts);
	close(sv[0]);
	close(sv[1]);
}

TEST_HARNESS_MAIN
