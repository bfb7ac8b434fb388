// SPDX-License-Identifier: GPL-2.0
/* lr_test: the pure parsers of lib/: agent replies, the kernel log, /proc/<pid>. */
#include "harness.h"
#include "lr.h"

TEST(agent_reply)
{
	char a[] = "pong server 12.5\nlr-status 0\n";
	char b[] = "lr-ctl: unknown command 'locks'\nusage\nlr-status 2\n";
	char c[] = "lr-status 3";
	char d[] = "output but the agent died\n";
	char e[] = "lr-status 2x\n";
	char f[] = "";

	EXPECT_EQ(0, lr_agent_parse_reply(a, strlen(a)));
	EXPECT_STREQ("pong server 12.5\n", a);
	EXPECT_EQ(2, lr_agent_parse_reply(b, strlen(b)));
	EXPECT_STREQ("lr-ctl: unknown command 'locks'\nusage\n", b);
	EXPECT_EQ(3, lr_agent_parse_reply(c, strlen(c)));
	EXPECT_STREQ("", c);
	EXPECT_EQ(-1, lr_agent_parse_reply(d, strlen(d)));
	EXPECT_EQ(-1, lr_agent_parse_reply(e, strlen(e)));
	EXPECT_EQ(-1, lr_agent_parse_reply(f, 0));
}

TEST(kmsg_record)
{
	unsigned long long seq, ts;
	const char *text;

	ASSERT_EQ(0, lr_kmsg_parse("4,812,140403783,-;lockd: server 192.168.53.40 not "
				   "responding, still trying\n", &seq, &ts, &text));
	EXPECT_EQ(812, seq);
	EXPECT_EQ(140403783ULL, ts);
	EXPECT_EQ(0, strncmp(text, "lockd: server", 13));
	/* 4.19 records carry the same four fields; newer ones add ",caller=T12" */
	ASSERT_EQ(0, lr_kmsg_parse("6,3,0,-,caller=T1;Linux version\n", &seq, &ts, &text));
	EXPECT_STREQ("Linux version\n", text);
	EXPECT_EQ(-1, lr_kmsg_parse("garbage", &seq, &ts, &text));
	EXPECT_EQ(-1, lr_kmsg_parse("6,3,0,-", &seq, &ts, &text));
}

TEST(dmesg_bad_lines)
{
	static const struct { const char *line, *label; } cases[] = {
		{ "lockd: server 192.168.53.40 not responding, still trying", "not responding" },
		{ "lockd: server 11.73.24.85 not responding, timed out", "not responding" },
		{ "nfs: server 192.168.53.40 not responding, still trying", "not responding" },
		{ "lockd: server 192.168.53.40 OK", "server OK" },
		{ "[ 1203.461] lockd: server 192.168.53.40 OK", "server OK" },
		{ "[    2.000001] lockd: cannot monitor 192.168.53.40", "lockd error" },
		{ "lockd: cannot monitor 192.168.53.40", "lockd error" },
		{ "lockd: unexpected server status 5", "lockd error" },
		{ "lockd: grant for unknown block", "lockd error" },
		{ "lockd: weird return -5 for CANCEL call", "lockd error" },
		{ "lockd_up: create service failed", "lockd error" },
		{ "lockd: VFS is out of sync with lock manager!", "lockd error" },
		{ "BUG: kernel NULL pointer dereference, address: 0000000000000000", "oops" },
		{ "Oops: 0002 [#1] PREEMPT SMP", "oops" },
		{ "WARNING: CPU: 0 PID: 1 at fs/locks.c:123 locks_free_lock+0x1/0x2", "warn" },
		{ "INFO: task nfs-lock:92 blocked for more than 120 seconds.", "hung task" },
		{ "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!", "oops" },
		/* harmless */
		{ "NFSD: starting 90-second grace period (net f0000000)", NULL },
		{ "lockd: nlmsvc_lock(00:1f/1234, ty=1, pi=7, 0-99, bl=1)", NULL },
		{ "lockd: server 192.168.53.40 is OK to talk to", NULL },
		{ "svc: lockd: port 4045", NULL },
		{ "Warning: unable to open an initial console.", NULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = lr_dmesg_bad(cases[i].line);

		if (!cases[i].label) {
			EXPECT_NULL(got) TH_LOG("'%s' flagged as %s", cases[i].line, got);
		} else if (!got) {
			EXPECT_NE(NULL, got) TH_LOG("'%s' not flagged", cases[i].line);
		} else {
			EXPECT_STREQ(cases[i].label, got);
		}
	}
}

TEST(dmesg_timestamps)
{
	EXPECT_EQ(49.631584, lr_dmesg_ts("[   49.631584] RPC:    49 call_transmit (status 0)"));
	EXPECT_EQ(9697905.032077, lr_dmesg_ts("[9697905.032077] lockd: server X"));
	EXPECT_EQ(-1, lr_dmesg_ts("no timestamp"));
	EXPECT_EQ(-1, lr_dmesg_ts("[ abc] x"));
	EXPECT_EQ(-1, lr_dmesg_ts("[ 12.5 x"));
	EXPECT_EQ(140.4, lr_dmesg_last_ts("[ 1.0] a\n  continuation\n[ 140.4] b\ntail\n"));
	EXPECT_EQ(0, lr_dmesg_last_ts(""));
}

TEST(proc_stat_state)
{
	EXPECT_EQ('S', lr_parse_stat_state("123 (baseline) S 1 123 1 0 -1 4194560 ..."));
	/* comm with spaces and parentheses: the last ')' ends it */
	EXPECT_EQ('D', lr_parse_stat_state("9 (a) b) c) D 1 9"));
	EXPECT_EQ(0, lr_parse_stat_state("9 (x"));
	EXPECT_EQ(0, lr_parse_stat_state(""));
}

TEST(proc_stat_ticks)
{
	struct lr_tickmark a = { 100.0, 5000 }, b = { 160.0, 10400 };

	/* 4.19 and mainline: "cpu" then two spaces; guest/guest_nice are not summed
	 * (already in user) */
	EXPECT_EQ(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8,
		  lr_parse_proc_stat_ticks("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\n"));
	EXPECT_EQ(15, lr_parse_proc_stat_ticks("intr 1\ncpu 1 2 3 4 5 0 0 0\n"));
	EXPECT_EQ(-1, lr_parse_proc_stat_ticks("cpu0 1 2 3 4 5 6 7 8\n"));
	EXPECT_EQ(-1, lr_parse_proc_stat_ticks("cpu  1 2 3\n"));
	EXPECT_EQ(-1, lr_parse_proc_stat_ticks(""));
	/* USER_HZ 100: 5400 cs in 60 s = 0.9 tick-seconds per second */
	ASSERT_EQ(100, sysconf(_SC_CLK_TCK));
	EXPECT_EQ(0.9, lr_tick_rate(&a, &b));
	EXPECT_EQ(-1, lr_tick_rate(&b, &a));
	b.t = 100.5;
	EXPECT_EQ(-1, lr_tick_rate(&a, &b));	/* too short to say */
}

TEST(proc_syscall)
{
	unsigned long args[6];
	long nr;

	ASSERT_EQ(0, lr_parse_syscall("72 0x3 0x7 0x7ffc1c2d3e40 0x0 0x0 0x0 0x7ffc1c2d3e00 "
				      "0x4a5b6c\n", &nr, args));
	EXPECT_EQ(72, nr);
	EXPECT_EQ(3, args[0]);
	EXPECT_EQ(F_SETLKW, (int)args[1]);
	EXPECT_EQ(0x7ffc1c2d3e40UL, args[2]);
	EXPECT_EQ(-1, lr_parse_syscall("running\n", &nr, args));
	EXPECT_EQ(-1, lr_parse_syscall("-1 0x7ffc1c2d3e00 0x4a5b6c\n", &nr, args));
	EXPECT_EQ(-1, lr_parse_syscall("72 0x3\n", &nr, args));
}

TEST(proc_locks)
{
	/* a server's /proc/locks: lockd holds 0-99 on inode 21, two NLM requests wait */
	static const char text[] =
		"1: POSIX  ADVISORY  WRITE 312 00:1c:21 0 99\n"
		"1: -> POSIX  ADVISORY  WRITE 312 00:1c:21 0 99\n"
		"1: -> POSIX  ADVISORY  READ 312 00:1c:21 50 149\n"
		"2: POSIX  ADVISORY  READ 312 00:1c:210 0 EOF\n"
		"3: FLOCK  ADVISORY  WRITE 77 fd:01:21 0 EOF\n"
		"4: OFDLCK ADVISORY  READ -1 00:1c:7 0 0";
	EXPECT_EQ(2, lr_locks_count(text, 21, false));	/* 00:1c:21 and fd:01:21 */
	EXPECT_EQ(2, lr_locks_count(text, 21, true));
	EXPECT_EQ(1, lr_locks_count(text, 210, false));
	EXPECT_EQ(0, lr_locks_count(text, 210, true));
	EXPECT_EQ(1, lr_locks_count(text, 7, false));
	EXPECT_EQ(0, lr_locks_count(text, 99, false));
	EXPECT_EQ(0, lr_locks_count("", 21, true));
}

TEST_HARNESS_MAIN
