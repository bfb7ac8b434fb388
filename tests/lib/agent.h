/* SPDX-License-Identifier: GPL-2.0 */
/*
 * agent.h: the one client of the lr-agent protocol (docs/internals.md, "The agent protocol").
 *
 * Contract: one request per TCP connection to a guest's lr-agent: the words as one line
 * "cmd\n" in, the command's output and a last line "lr-status <code>" back, then EOF.
 * In: an address ip[:port] (port 7000 unless given), the command, a deadline. Out: the
 * remote exit status and the output without its status line.
 * Users: the tests (lr_server() drives the server's impairments and reads its dmesg),
 * rootfs/agent.c's client mode (lr-agent -c, in the guests), and the host's build of it,
 * build/host/lr_agent (vm/net.sh net_agent).
 */
#ifndef LR_AGENT_H
#define LR_AGENT_H

#include <netinet/in.h>
#include <stddef.h>

#define LR_AGENT_PORT		7000

/* lr_agent_addr(arg, sin): "ip[:port]" -> sin (port LR_AGENT_PORT unless given). 0, or -1
 * (EINVAL): only numeric IPv4 addresses. */
int lr_agent_addr(const char *arg, struct sockaddr_in *sin);
/*
 * lr_agent(ip, cmd, &out, timeout_s): send "cmd\n" to ip[:port] (default port 7000), read
 * the reply until EOF and return the remote exit status from the last "lr-status N" line (>= 0). *out gets
 * the reply without that line (malloc'd, NUL-terminated; may be NULL). -1 and errno on a
 * transport error or a reply without a status line (EPROTO), or timeout (ETIMEDOUT).
 */
int lr_agent(const char *ip, const char *cmd, char **out, int timeout_s);
int lr_server(const char *cmd, char **out);	/* lr_agent(lr_mserver(), cmd, out, 60) */
char *lr_server_dmesg(void);			/* NULL on failure */
/* the server's sysctl name (net.ipv4.tcp_synack_retries, or a /proc/sys path) in *v
 * (decimal, or 0x... hex); set it to v. 0, or -1 when the agent or lr-ctl failed */
int lr_server_sysctl(const char *name, long *v);
int lr_server_sysctl_set(const char *name, long v);
/* the server's nlm_debug |= bits, *old = the value before; 0, or -1. _restore puts
 * *old back unless it is < 0 (untouched), then sets it to -1 */
#define SRV_NLM_DEBUG	"/proc/sys/sunrpc/nlm_debug"
int lr_server_nlm_debug_or(long bits, long *old);
void lr_server_nlm_debug_restore(long *old);
/* pure: split a reply into body and status; -1 if it has no final "lr-status N" line */
int lr_agent_parse_reply(char *reply, size_t len);

#endif /* LR_AGENT_H */
