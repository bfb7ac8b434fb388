// SPDX-License-Identifier: GPL-2.0
/*
 * pcap.c: a capture file (pcap or pcapng, read by libpcap) to packets.
 *
 * libpcap reads the file format; what it hands over is frames, and this file takes the
 * headers off (Ethernet with VLAN tags, Linux cooked v1/v2 of `tcpdump -i any`, raw IP,
 * BSD loopback), then IPv4/IPv6, TCP/UDP/ICMP, and the first ONC RPC record of a TCP
 * segment (RFC 5531; the record marker of RFC 1831 section 10) far enough to name an NLM
 * call: XID, program 100021, procedure, LOCK's block flag; replies carry their XID and,
 * for NLM, the status. Every read is checked against the captured length: a short frame
 * is left undecoded, never read past.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "explain.h"

#define NLM_PROG	100021
#define NLMPROC_LOCK	2

static uint32_t be32(const uint8_t *d)
{
	return (uint32_t)d[0] << 24 | d[1] << 16 | d[2] << 8 | d[3];
}

static uint16_t be16(const uint8_t *d)
{
	return d[0] << 8 | d[1];
}

/* skip an XDR opaque<> at *off (4-byte length, data padded to 4); -1 when it does not fit */
static int skip_opaque(const uint8_t *d, size_t n, size_t *off, size_t max)
{
	uint32_t l;

	if (*off + 4 > n)
		return -1;
	l = be32(d + *off);
	if (l > max || *off + 4 + ((l + 3) & ~3u) > n)
		return -1;
	*off += 4 + ((l + 3) & ~3u);
	return 0;
}

void ex_rpc_decode(struct ex_pkt *p, const uint8_t *d, size_t n)
{
	size_t off = 8;
	uint32_t type;

	if (n < 8)
		return;
	type = be32(d + 4);
	if (type == 0) {
		/* call: rpcvers prog vers proc cred verf args */
		if (n < 24 || be32(d + 8) != 2)
			return;
		p->rpc = EX_RPC_CALL;
		p->xid = be32(d);
		p->nlm = be32(d + 12) == NLM_PROG;
		if (!p->nlm)
			return;
		p->proc = be32(d + 20);
		if (p->proc > 255)
			p->proc = -1;
		off = 24;
		if (off + 4 > n || skip_opaque(d, n, (off += 4, &off), 400) ||	/* cred */
		    off + 4 > n || skip_opaque(d, n, (off += 4, &off), 400))	/* verf */
			return;
		/* nlm4_lockargs: cookie, block, … (LOCK only) */
		if (p->proc == NLMPROC_LOCK && !skip_opaque(d, n, &off, 1024) && off + 4 <= n)
			p->block = be32(d + off) ? 1 : 0;
	} else if (type == 1) {
		/* reply: reply_stat verf accept_stat results */
		if (n < 12 || be32(d + 8) > 1)
			return;
		p->rpc = EX_RPC_REPLY;
		p->xid = be32(d);
		off = 12;
		if (be32(d + 8) != 0 || off + 4 > n || skip_opaque(d, n, (off += 4, &off), 400) ||
		    off + 4 > n || be32(d + off) != 0)
			return;
		off += 4;
		/* nlm4_res: cookie, stat (meaningful once the XID is matched to an NLM call) */
		if (!skip_opaque(d, n, &off, 1024) && off + 4 <= n && be32(d + off) < 16)
			p->stat = be32(d + off);
	}
}

/* IP and what it carries; 0 when @p holds a packet */
static int ip(struct ex_pkt *p, const uint8_t *d, size_t n)
{
	size_t hl, tl;
	uint8_t proto;
	const uint8_t *l4;
	size_t l4n;

	if (n < 1)
		return -1;
	if (d[0] >> 4 == 4) {
		if (n < 20 || (hl = (d[0] & 15) * 4) < 20 || hl > n)
			return -1;
		tl = be16(d + 2);
		if (tl < hl)
			return -1;
		if (tl < n)
			n = tl;		/* Ethernet padding */
		if (be16(d + 6) & 0x1fff)
			return -1;	/* a later fragment: no header */
		memset(p->src, 0, 10), memset(p->dst, 0, 10);
		p->src[10] = p->src[11] = p->dst[10] = p->dst[11] = 0xff;
		memcpy(p->src + 12, d + 12, 4);
		memcpy(p->dst + 12, d + 16, 4);
		proto = d[9];
		l4 = d + hl, l4n = n - hl;
	} else if (d[0] >> 4 == 6) {
		if (n < 40)
			return -1;
		memcpy(p->src, d + 8, 16);
		memcpy(p->dst, d + 24, 16);
		proto = d[6];		/* extension headers are not followed */
		l4 = d + 40, l4n = n - 40;
	} else {
		return -1;
	}
	p->proto = proto;
	if (proto == 6) {
		size_t doff;

		if (l4n < 20 || (doff = (l4[12] >> 4) * 4) < 20 || doff > l4n)
			return -1;
		p->sport = be16(l4), p->dport = be16(l4 + 2);
		p->flags = l4[13] & 0x1f;
		p->len = l4n - doff;
		/* one RPC record marker (last-fragment bit, length) then the message */
		if (p->len >= 12 && (l4[doff] & 0x80))
			ex_rpc_decode(p, l4 + doff + 4, p->len - 4);
	} else if (proto == 17) {
		if (l4n < 8)
			return -1;
		p->sport = be16(l4), p->dport = be16(l4 + 2);
		p->len = l4n - 8;
		ex_rpc_decode(p, l4 + 8, l4n - 8);
	} else if (proto == 1) {
		/* destination unreachable: the original header names the address */
		if (l4n >= 8 + 20 && l4[0] == 3 && (l4[8] >> 4) == 4) {
			p->unreach = 1;
			memset(p->dst, 0, 10);
			p->dst[10] = p->dst[11] = 0xff;
			memcpy(p->dst + 12, l4 + 8 + 16, 4);
		}
	} else if (proto != 58) {
		return -1;
	}
	return 0;
}

static int arp(struct ex_pkt *p, const uint8_t *d, size_t n)
{
	/* Ethernet/IPv4 ARP: op at 6, sender IP at 14, target IP at 24 */
	if (n < 28 || be16(d) != 1 || be16(d + 2) != 0x0800 || d[4] != 6 || d[5] != 4)
		return -1;
	p->proto = 0;
	p->arp_req = be16(d + 6) == 1;
	memset(p->src, 0, 10), memset(p->dst, 0, 10);
	p->src[10] = p->src[11] = p->dst[10] = p->dst[11] = 0xff;
	memcpy(p->src + 12, d + 14, 4);
	memcpy(p->dst + 12, d + 24, 4);
	return 0;
}

static int frame(struct ex_pkt *p, int dlt, const uint8_t *d, size_t n)
{
	uint16_t type;
	size_t off;

	switch (dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return -1;
		off = 12;
		type = be16(d + off);
		while ((type == 0x8100 || type == 0x88a8) && off + 6 <= n) {
			off += 4;
			type = be16(d + off);
		}
		off += 2;
		break;
	case DLT_LINUX_SLL:
		if (n < 16)
			return -1;
		type = be16(d + 14), off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (n < 20)
			return -1;
		type = be16(d), off = 20;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return ip(p, d, n);
	case DLT_NULL:
		return n < 4 ? -1 : ip(p, d + 4, n - 4);
	default:
		return -1;
	}
	if (off > n)
		return -1;
	if (type == 0x0800 || type == 0x86dd)
		return ip(p, d + off, n - off);
	if (type == 0x0806)
		return arp(p, d + off, n - off);
	return -1;
}

int ex_cap_sniff(const char *buf, size_t len)
{
	static const uint8_t magics[][4] = {
		{ 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },	/* pcap us */
		{ 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },	/* pcap ns */
		{ 0x0a, 0x0d, 0x0d, 0x0a },				/* pcapng */
	};
	size_t i;

	if (len >= 4)
		for (i = 0; i < sizeof(magics) / 4; i++)
			if (!memcmp(buf, magics[i], 4))
				return 1;
	return ex_is_text(buf, len) ? 0 : -1;
}

int ex_pcap_parse(struct ex_cap *c, const char *buf, size_t len)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct pcap_pkthdr *h;
	const u_char *d;
	FILE *f;
	pcap_t *pc;
	int dlt, rc, err = 0;
	unsigned int frames = 0;

	c->have = 1;
	c->decoded = 1;
	c->format = len >= 4 && !memcmp(buf, "\x0a\x0d\x0d\x0a", 4) ? "pcapng" : "pcap";
	f = fmemopen((void *)buf, len, "r");
	if (!f) {
		snprintf(ex_err, sizeof(ex_err), "fmemopen: %s", strerror(errno));
		return -EINVAL;
	}
	pc = pcap_fopen_offline(f, errbuf);	/* closes f with the handle, or on failure */
	if (!pc) {
		snprintf(ex_err, sizeof(ex_err), "not a capture libpcap can read: %s", errbuf);
		return -EINVAL;
	}
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &d)) == 1) {
		struct ex_pkt p = { .proc = -1, .stat = -1, .block = 2 };

		frames++;
		p.t = h->ts.tv_sec + h->ts.tv_usec / 1e6;
		if (pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO)
			p.t = h->ts.tv_sec + h->ts.tv_usec / 1e9;
		if (frame(&p, dlt, d, h->caplen))
			continue;
		p.no = frames;
		if ((err = ex_cap_push(c, &p)))
			break;
	}
	if (!err && rc == PCAP_ERROR) {
		snprintf(ex_err, sizeof(ex_err), "%s truncated or damaged after frame %u: %s",
			 c->format, frames, pcap_geterr(pc));
		err = -EINVAL;
	} else if (!err && !frames) {
		snprintf(ex_err, sizeof(ex_err), "%s without a single frame", c->format);
		err = -EINVAL;
	} else if (!err && !c->n) {
		snprintf(ex_err, sizeof(ex_err), "%s of %u frames, none IPv4, IPv6 or ARP (link "
			 "type %s)", c->format, frames, pcap_datalink_val_to_name(dlt) ?
			 pcap_datalink_val_to_name(dlt) : "unknown");
		err = -EINVAL;
	}
	pcap_close(pc);
	return err;
}

void ex_cap_free(struct ex_cap *c)
{
	free(c->p);
	memset(c, 0, sizeof(*c));
}
