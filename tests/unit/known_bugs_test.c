// SPDX-License-Identifier: GPL-2.0
/* known_bugs_test: version parsing and range lookup of lib/known_bugs.c */
#include "harness.h"
#include "known_bugs.h"

TEST(kver_parse)
{
	EXPECT_EQ(LR_KVER(7, 3, 4), lr_kver_parse("7.3.4"));
	EXPECT_EQ(LR_KVER(4, 19, 255), lr_kver_parse("4.19.325"));	/* sublevel saturates */
	EXPECT_EQ(LR_KVER(6, 12, 0), lr_kver_parse("6.12-rc1"));
	EXPECT_EQ(LR_KVER(6, 1, 176), lr_kver_parse("6.1.176-lr"));
	EXPECT_EQ(0, lr_kver_parse("garbage"));
}

TEST(testlock_type_range)
{
	/* 5.10.223 passes the request itself to vfs_test_lock(): not affected */
	EXPECT_EQ(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(5, 10, 223)));
	EXPECT_EQ(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(4, 19, 255)));
	/* the sources read with the conflock code */
	EXPECT_NE(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 1, 176)));
	EXPECT_NE(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 1, 160)));
	EXPECT_EQ(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 1, 159)));
	EXPECT_NE(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 12, 117)));
	EXPECT_EQ(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 12, 63)));
	EXPECT_EQ(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 6, 100)));	/* not read */
	EXPECT_NE(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(6, 19, 0)));
	EXPECT_NE(NULL, lr_known_bug_at("nlmsvc_testlock-type", LR_KVER(7, 3, 4)));
	EXPECT_EQ(NULL, lr_known_bug_at("no-such-bug", LR_KVER(7, 3, 4)));
	EXPECT_EQ(NULL, lr_known_bug_at("nlmsvc_testlock-type", 0));
}

TEST(grant_retry_unlock_range)
{
	EXPECT_EQ(NULL, lr_known_bug_at("grant-retry-unlock", LR_KVER(4, 19, 255)));
	EXPECT_EQ(NULL, lr_known_bug_at("grant-retry-unlock", LR_KVER(6, 1, 176)));
	EXPECT_NE(NULL, lr_known_bug_at("grant-retry-unlock", LR_KVER(6, 12, 117)));
	EXPECT_NE(NULL, lr_known_bug_at("grant-retry-unlock", LR_KVER(7, 3, 4)));
}

TEST(grant_repoll_blocked_range)
{
	EXPECT_EQ(NULL, lr_known_bug_at("grant-repoll-blocked", LR_KVER(4, 19, 255)));
	EXPECT_EQ(NULL, lr_known_bug_at("grant-repoll-blocked", LR_KVER(6, 12, 117)));
	EXPECT_NE(NULL, lr_known_bug_at("grant-repoll-blocked", LR_KVER(7, 2, 13)));
	EXPECT_NE(NULL, lr_known_bug_at("grant-repoll-blocked", LR_KVER(7, 3, 4)));
}

TEST_HARNESS_MAIN
