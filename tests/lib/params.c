// SPDX-License-Identifier: GPL-2.0
/*
 * params.c: the timing model's inputs: the kernel's defaults and the guest's /proc
 * values (timing.h, docs/timing-model.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "timing.h"
#include "timing_kernel.h"

/*
 * The kernel defaults for @major.@minor.  tcp_syn_linear_timeouts exists in 7.3 and
 * not in 4.19; for the kernels in between read it in the guest.
 */
void lr_timing_defaults(struct lr_params *p, unsigned int major, unsigned int minor)
{
	memset(p, 0, sizeof(*p));
	p->kver_major = major;
	p->kver_minor = minor;
	p->nlm_timeout = LOCKD_DFLT_TIMEO;
	p->tcp_syn_retries = TCP_SYN_RETRIES;
	p->tcp_syn_linear_timeouts = major >= 7 ? TCP_SYN_LINEAR_TIMEOUTS : 0;
	p->tcp_retries2 = TCP_RETR2;
	p->tcp_orphan_retries = 0;
	p->tcp_fin_timeout = TCP_FIN_TIMEOUT;
	p->tcp_early_retrans = TCP_EARLY_RETRANS;
	p->tcp_rto_min_ms = TCP_RTO_MIN;
	p->tcp_rto_max_ms = TCP_RTO_MAX;
	p->hz = LR_DEFAULT_HZ;
}

/* Read one unsigned from procroot/rel; -ENOENT is returned as is (optional files). */
static int read_uint(const char *procroot, const char *rel, unsigned long *v)
{
	char path[4096], buf[64], *end;
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s", procroot, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	errno = 0;
	*v = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	return 0;
}

static int read_opt(const char *procroot, const char *rel, unsigned int *dst,
		    unsigned long dflt)
{
	unsigned long v;
	int err = read_uint(procroot, rel, &v);

	if (err == -ENOENT)
		v = dflt;
	else if (err)
		return err;
	if (v > 0xffffffffUL)
		return -ERANGE;
	*dst = v;
	return 0;
}

static int read_req(const char *procroot, const char *rel, unsigned int *dst)
{
	unsigned long v;
	int err = read_uint(procroot, rel, &v);

	if (err)
		return err;
	if (v > 0xffffffffUL)
		return -ERANGE;
	*dst = v;
	return 0;
}

/*
 * Fill @p from a /proc tree (procroot "/proc" in the guest, a temp dir in tests).
 * Returns 0, or a negative errno: -ENOENT for a missing required file, -EINVAL for
 * an unparsable one, -ERANGE for nlm_timeout outside [3, 20].
 */
int lr_timing_read_params(struct lr_params *p, const char *procroot)
{
	char path[4096], buf[128];
	unsigned long us;
	FILE *f;
	int err, n;

	lr_timing_defaults(p, 0, 0);

	n = snprintf(path, sizeof(path), "%s/sys/kernel/osrelease", procroot);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fgets(buf, sizeof(buf), f) ? sscanf(buf, "%u.%u", &p->kver_major,
						&p->kver_minor) : 0;
	fclose(f);
	if (n != 2)
		return -EINVAL;

	if ((err = read_req(procroot, "sys/fs/nfs/nlm_timeout", &p->nlm_timeout)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_syn_retries", &p->tcp_syn_retries)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_retries2", &p->tcp_retries2)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_orphan_retries",
			    &p->tcp_orphan_retries)) ||
	    (err = read_req(procroot, "sys/net/ipv4/tcp_fin_timeout", &p->tcp_fin_timeout)) ||
	    (err = read_opt(procroot, "sys/net/ipv4/tcp_early_retrans",
			    &p->tcp_early_retrans, TCP_EARLY_RETRANS)) ||
	    /* absent before the sysctl existed: 4.19 has linear SYN timeouts off */
	    (err = read_opt(procroot, "sys/net/ipv4/tcp_syn_linear_timeouts",
			    &p->tcp_syn_linear_timeouts, 0)) ||
	    (err = read_opt(procroot, "sys/net/ipv4/tcp_rto_max_ms",
			    &p->tcp_rto_max_ms, TCP_RTO_MAX)))
		return err;

	err = read_uint(procroot, "sys/net/ipv4/tcp_rto_min_us", &us);
	if (err == 0)
		p->tcp_rto_min_ms = (us + 999) / 1000;
	else if (err != -ENOENT)
		return err;

	if (p->nlm_timeout < NLM_TIMEOUT_MIN || p->nlm_timeout > NLM_TIMEOUT_MAX)
		return -ERANGE;
	return 0;
}

/*
 * 4.19 rules were read in 4.19.304, mainline rules in 7.3.4, and 5.10.223 has the
 * mainline ones (rq_minortimeo, xprt_init_majortimeo(), rpcb_create() with the caller's
 * cl_timeout). 4.19.304 has no rq_minortimeo. Where in 5.0..5.9 it arrived ("SUNRPC:
 * Don't update timeout value on connection reset", reported as tagged for stable 5.9)
 * was not read in a tree: those kernels get no rules, and no windows.
 */
enum lr_rules lr_rules(const struct lr_params *p)
{
	if (p->kver_major < 5)
		return LR_RULES_4_19;
	if (p->kver_major == 5 && p->kver_minor < 10)
		return LR_RULES_UNKNOWN;
	return LR_RULES_MAINLINE;
}
