// SPDX-License-Identifier: GPL-2.0
/* neigh.c: the guest's neighbour entry for an address (rtnetlink), see neigh.h */
#include "neigh.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int lr_parse_neigh(const void *buf, size_t len, in_addr_t addr, int *state, int *ifindex)
{
	const struct nlmsghdr *h;
	int left = len > 65536 ? 65536 : (int)len;

	for (h = buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		const struct ndmsg *nd = NLMSG_DATA(h);
		const struct rtattr *a;
		int alen;

		if (h->nlmsg_type == NLMSG_DONE)
			return 2;
		if (h->nlmsg_type == NLMSG_ERROR)
			return -1;
		if (h->nlmsg_type != RTM_NEWNEIGH || h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)))
			continue;
		if (nd->ndm_family != AF_INET)
			continue;
		alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
		for (a = (const struct rtattr *)((const char *)nd + NLMSG_ALIGN(sizeof(*nd)));
		     RTA_OK(a, alen); a = RTA_NEXT(a, alen))
			if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == sizeof(addr) &&
			    !memcmp(RTA_DATA(a), &addr, sizeof(addr))) {
				*state = nd->ndm_state;
				*ifindex = nd->ndm_ifindex;
				return 1;
			}
	}
	return left ? -1 : 0;
}

int lr_neigh_state(const char *ip, int *state, char *dev, size_t size)
{
	struct {
		struct nlmsghdr nlh;
		struct ndmsg nd;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.nd = { .ndm_family = AF_INET },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384], name[IF_NAMESIZE];
	struct in_addr want;
	int fd, r = 0, ifindex, err;
	ssize_t n;

	if (!inet_aton(ip, &want)) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	while (r == 0) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			goto fail;
		r = lr_parse_neigh(buf, (size_t)n, want.s_addr, state, &ifindex);
	}
	close(fd);
	if (r == 1) {
		snprintf(dev, size, "%s", if_indextoname((unsigned int)ifindex, name) ?: "?");
		return 0;
	}
	errno = r == 2 ? ENOENT : EPROTO;
	return -1;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

const char *lr_nud_name(int state)
{
	static const struct { int nud; const char *name; } n[] = {
		{ NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" },
		{ NUD_STALE, "STALE" }, { NUD_DELAY, "DELAY" }, { NUD_PROBE, "PROBE" },
		{ NUD_FAILED, "FAILED" }, { NUD_NOARP, "NOARP" }, { NUD_PERMANENT, "PERMANENT" },
	};
	size_t i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (state & n[i].nud)
			return n[i].name;
	return "NONE";
}
