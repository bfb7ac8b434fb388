/* SPDX-License-Identifier: GPL-2.0 */
/*
 * neigh.h: the guest's neighbour (ARP) entry for an address, as the kernel keeps it.
 *
 * Contract: lr_neigh_state() dumps the IPv4 neighbour table over rtnetlink (RTM_GETNEIGH,
 * what "ip neigh" shows) and returns the entry's NUD_* state and device; /proc/net/arp
 * tells only resolved or not, and an INCOMPLETE entry (a resolution under way, packets
 * queued behind it) from a FAILED one (the queue dropped) is what matters to a SYN.
 * lr_parse_neigh() is the pure part.
 * Users: link_down.c (the window of the first packets after the server's link is back).
 */
#ifndef LR_NEIGH_H
#define LR_NEIGH_H

#include <stddef.h>
#include <linux/neighbour.h>	/* NUD_* */
#include <net/if.h>		/* IF_NAMESIZE */
#include <netinet/in.h>

/*
 * pure: one recv()'d buffer of an RTM_GETNEIGH dump: the entry for addr (network order),
 * its ndm_state and ndm_ifindex. 1 found, 0 not in this buffer, 2 the dump ended
 * (NLMSG_DONE) without it, -1 an error message or a malformed buffer.
 */
int lr_parse_neigh(const void *buf, size_t len, in_addr_t addr, int *state, int *ifindex);
/* the entry for ip: 0 with its state and device name, -1 with errno (ENOENT: none) */
int lr_neigh_state(const char *ip, int *state, char *dev, size_t size);
/* NUD_INCOMPLETE -> "INCOMPLETE", as ip-neighbour(8) names them; "NONE" for 0 */
const char *lr_nud_name(int state);

#endif /* LR_NEIGH_H */
