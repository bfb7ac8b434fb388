/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timing_kernel.h: the kernel's constants the timing model mirrors, private to its three
 * files (params.c, timing.c, expect.c).
 *
 * Contract: one symbol each, its comment naming the kernel symbol and the file it lives
 * in. "both" means 4.19 (read from 4.19.y trees) and mainline (read from 7.3) agree;
 * where they differ the rule is switched on lr_rules().
 */
#ifndef LR_TIMING_KERNEL_H
#define LR_TIMING_KERNEL_H

#define MSEC_PER_SEC	1000L

/* fs/lockd/host.c nlm_bind_host() (both): to_initval = to_increment = nlm_timeout*HZ */
#define NLM_TO_MAXVAL_MULT	6	/* .to_maxval = increment * 6UL */
#define NLM_TO_RETRIES		5	/* .to_retries = 5U */
/* include/linux/lockd/lockd.h LOCKD_DFLT_TIMEO (both): default nlm_timeout, s */
#define LOCKD_DFLT_TIMEO	10
/* fs/lockd/svc.c nlm_timeout_min / nlm_timeout_max (both): sysctl and module range, s */
#define NLM_TIMEOUT_MIN		3
#define NLM_TIMEOUT_MAX		20

/* net/sunrpc/xprtsock.c xs_tcp_default_timeout (both): the TCP transport's own
 * timeout; lockd does not pass its timeparms to the transport, so keepalive and
 * TCP_USER_TIMEOUT come from here (xs_tcp_set_socket_timeouts) */
#define XS_TCP_DEFAULT_INITVAL	(60 * MSEC_PER_SEC)	/* .to_initval = 60 * HZ */
#define XS_TCP_DEFAULT_MAXVAL	(60 * MSEC_PER_SEC)	/* .to_maxval = 60 * HZ */
#define XS_TCP_DEFAULT_RETRIES	2			/* .to_retries = 2 */
/* net/sunrpc/xprtsock.c (both) */
#define XS_BIND_TO		(60 * MSEC_PER_SEC)	/* XS_BIND_TO: rpcbind wait of the caller */
#define XS_TCP_INIT_REEST_TO	(3 * MSEC_PER_SEC)	/* XS_TCP_INIT_REEST_TO: first reconnect delay */
#define XS_IDLE_DISC_TO		(300 * MSEC_PER_SEC)	/* XS_IDLE_DISC_TO: idle close (the seed's FIN) */

/* net/sunrpc/clnt.c call_connect_status()/call_status() (both): rpc_delay(task, 3*HZ)
 * after a connection error (EHOSTUNREACH, ECONNRESET, ...) before the timeout check */
#define RPC_CONN_ERR_DELAY	(3 * MSEC_PER_SEC)

/* include/net/tcp.h (both) */
#define TCP_TIMEOUT_INIT	(1 * MSEC_PER_SEC)	/* TCP_TIMEOUT_INIT: first SYN RTO */
#define TCP_TIMEOUT_MIN_JIFFIES	2L			/* TCP_TIMEOUT_MIN = 2U */
#define TCP_RTO_MIN		200L			/* TCP_RTO_MIN = HZ / 5 */
#define TCP_RTO_MAX		(120 * MSEC_PER_SEC)	/* TCP_RTO_MAX (TCP_RTO_MAX_SEC) */
#define TCP_SYN_RETRIES		6			/* TCP_SYN_RETRIES */
#define TCP_RETR2		15			/* TCP_RETR2 */
#define TCP_FIN_TIMEOUT		60			/* TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN, s */
/* net/ipv4/tcp_ipv4.c tcp_sk_init() (mainline only): sysctl_tcp_syn_linear_timeouts = 4 */
#define TCP_SYN_LINEAR_TIMEOUTS	4
/* net/ipv4/tcp_ipv4.c tcp_sk_init() (both): sysctl_tcp_early_retrans = 3 (TLP on) */
#define TCP_EARLY_RETRANS	3
/* net/ipv4/tcp_timer.c tcp_orphan_retries() (both): 0 means 8 while the RTO is alive */
#define TCP_ORPHAN_RETRIES_ALIVE	8

/* kernel/time/timer.c (both, since 4.8): calc_index() rounds every expiry up to the
 * granularity of its wheel level, LVL_GRAN(n) = 1 << (n * LVL_CLK_SHIFT) jiffies, for
 * deltas from LVL_START(n) = (LVL_SIZE - 1) << ((n - 1) * LVL_CLK_SHIFT) on */
#define LVL_CLK_SHIFT		3
#define LVL_BITS		6
#define LVL_SIZE		(1L << LVL_BITS)
#define LVL_DEPTH		9
/* Kconfig default HZ_250 (kernel/Kconfig.hz); kernel-patches/config.fragment keeps it */
#define LR_DEFAULT_HZ		250

#endif /* LR_TIMING_KERNEL_H */
