// SPDX-License-Identifier: GPL-2.0
/* neigh_test: lib/neigh.c's reading of an RTM_GETNEIGH dump (lr_parse_neigh) */
#include "harness.h"
#include "neigh.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* a dump as the kernel sends it: per entry an ndmsg, then NDA_DST (and NDA_LLADDR) */
struct entry {
	struct nlmsghdr h;
	struct ndmsg nd;
	struct rtattr dst;
	in_addr_t addr;
	struct rtattr ll;
	unsigned char mac[8];	/* 6 + padding to 4 */
};

static void entry(struct entry *e, int type, int family, const char *ip, int state, int ifx)
{
	memset(e, 0, sizeof(*e));
	e->h.nlmsg_len = sizeof(*e);
	e->h.nlmsg_type = type;
	e->nd.ndm_family = family;
	e->nd.ndm_state = state;
	e->nd.ndm_ifindex = ifx;
	e->dst.rta_len = RTA_LENGTH(sizeof(in_addr_t));
	e->dst.rta_type = NDA_DST;
	e->addr = inet_addr(ip);
	e->ll.rta_len = RTA_LENGTH(6);
	e->ll.rta_type = NDA_LLADDR;
}

TEST(dump)
{
	struct {
		struct entry e[3];
		struct nlmsghdr done;
		int done_err;
	} b;
	int st = -1, ifx = -1;

	entry(&b.e[0], RTM_NEWNEIGH, AF_INET, "192.168.99.1", NUD_REACHABLE, 3);
	entry(&b.e[1], RTM_NEWNEIGH, AF_INET, "192.168.53.40", NUD_INCOMPLETE, 2);
	/* another family's entry, its address bytes the same: not it */
	entry(&b.e[2], RTM_NEWNEIGH, AF_BRIDGE, "192.168.53.41", NUD_FAILED, 2);
	memset(&b.done, 0, sizeof(b.done) + sizeof(int));
	b.done.nlmsg_len = sizeof(b.done) + sizeof(int);
	b.done.nlmsg_type = NLMSG_DONE;

	ASSERT_EQ(1, lr_parse_neigh(&b, sizeof(b), inet_addr("192.168.53.40"), &st, &ifx));
	EXPECT_EQ(NUD_INCOMPLETE, st);
	EXPECT_EQ(2, ifx);
	ASSERT_EQ(1, lr_parse_neigh(&b, sizeof(b), inet_addr("192.168.99.1"), &st, &ifx));
	EXPECT_EQ(NUD_REACHABLE, st);
	EXPECT_EQ(2, lr_parse_neigh(&b, sizeof(b), inet_addr("192.168.53.41"), &st, &ifx));
	/* a buffer without the end: the dump goes on */
	EXPECT_EQ(0, lr_parse_neigh(&b, sizeof(b.e), inet_addr("10.0.0.1"), &st, &ifx));
	/* cut inside a message: malformed */
	EXPECT_EQ(-1, lr_parse_neigh(&b, sizeof(b.e[0]) + 8, inet_addr("10.0.0.1"), &st, &ifx));
	b.e[0].h.nlmsg_type = NLMSG_ERROR;
	EXPECT_EQ(-1, lr_parse_neigh(&b, sizeof(b), inet_addr("192.168.53.40"), &st, &ifx));
}

TEST(names)
{
	EXPECT_STREQ("INCOMPLETE", lr_nud_name(NUD_INCOMPLETE));
	EXPECT_STREQ("FAILED", lr_nud_name(NUD_FAILED));
	EXPECT_STREQ("STALE", lr_nud_name(NUD_STALE));
	EXPECT_STREQ("NONE", lr_nud_name(0));
}

TEST_HARNESS_MAIN
