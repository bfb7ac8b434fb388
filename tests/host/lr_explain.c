// SPDX-License-Identifier: GPL-2.0
/*
 * lr_explain: a customer's kernel log (and capture) in; the lockd failure it shows, the
 * request that printed each line, the model's figures and the case that reproduces it
 * out (tests/explain/, README "Explaining a customer's incident").
 *
 *   lr_explain --dmesg FILE [--dmesg-server FILE] [--pcap FILE] [--kernel 4.19|mainline|X.Y]
 *              [--nlm-timeout S] [--hz N] [--server IP]
 *   lr_explain --case RESULTS/<run>/<kernel>/<case>   (its dmesg.client, dmesg.server,
 *                                                      capture.pcap)
 * --pcap takes pcap, pcapng, `tcpdump -nn -tttt` text or Wireshark's packet list as text.
 * Exit 0 with a report; 2 with one line on stderr when an input cannot be read (missing,
 * empty, too large, truncated, of no known format) or the run takes longer than 120 s.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "explain.h"

#define WATCHDOG_S	120

static void usage(void)
{
	fprintf(stderr, "usage: lr_explain --dmesg FILE [--dmesg-server FILE] [--pcap FILE] "
		"[--kernel 4.19|mainline|X.Y] [--nlm-timeout S] [--hz N] [--server IP]\n"
		"       lr_explain --case RESULTS_CASE_DIR [same options]\n");
	exit(2);
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "lr_explain: %s: %s\n", what, why);
	exit(2);
}

static void watchdog(int sig)
{
	static const char m[] = "lr_explain: gave up after 120 s (input too large or hostile)\n";

	(void)sig;
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(2);
	_exit(2);
}

/* customers send logs and captures compressed: name it instead of "not a capture" */
static void not_compressed(const char *path, const char *b, size_t n)
{
	if (n >= 2 && (unsigned char)b[0] == 0x1f && (unsigned char)b[1] == 0x8b)
		die(path, "gzip-compressed: gunzip it first");
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		die(path, "zstd-compressed: unzstd it first");
	if (n >= 6 && !memcmp(b, "\xfd" "7zXZ", 5))
		die(path, "xz-compressed: unxz it first");
	if (n >= 4 && !memcmp(b, "PK\x03\x04", 4))
		die(path, "a zip archive: unpack it first");
}

/* the whole file, NUL-terminated, at most EX_MAX_INPUT bytes */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf;
	struct stat st;
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path, strerror(errno));
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode))
		die(path, "a directory");
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size > EX_MAX_INPUT) {
		char m[96];

		snprintf(m, sizeof(m), "%lld bytes: larger than the %u MiB this tool reads",
			 (long long)st.st_size, EX_MAX_INPUT >> 20);
		die(path, m);
	}
	buf = malloc(cap + 1);
	if (!buf)
		die(path, "out of memory");
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += r;
		if (n > EX_MAX_INPUT)
			die(path, "larger than the 256 MiB this tool reads");
		if (n == cap) {
			cap *= 2;
			if (!(buf = realloc(buf, cap + 1)))
				die(path, "out of memory");
		}
	}
	if (r < 0)
		die(path, strerror(errno));
	close(fd);
	if (!n)
		die(path, "empty");
	buf[n] = 0;
	*len = n;
	return buf;
}

static void read_log(struct ex_log *lg, const char *path, int server)
{
	size_t n;
	char *b = slurp(path, &n);

	not_compressed(path, b, n);
	if (ex_log_parse(lg, b, n, server))
		die(path, ex_err);
	free(b);
}

static void read_cap(struct ex_cap *c, const char *path)
{
	size_t n;
	char *b = slurp(path, &n);
	int kind = ex_cap_sniff(b, n), err;

	not_compressed(path, b, n);
	if (kind < 0)
		die(path, "neither pcap/pcapng nor text (no capture magic, control characters)");
	err = kind ? ex_pcap_parse(c, b, n) : ex_text_parse(c, b, n);
	if (err)
		die(path, ex_err);
	free(b);
}

static void kernel_opt(struct ex_opts *o, const char *s)
{
	unsigned int M, m;

	if (!strcmp(s, "mainline"))
		M = 7, m = 3;
	else if (sscanf(s, "%u.%u", &M, &m) != 2 || M < 2 || M > 99)
		die("--kernel", "give 4.19, mainline or X.Y");
	o->kver_major = M, o->kver_minor = m, o->kernel_given = 1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "dmesg", 1, 0, 'd' }, { "dmesg-server", 1, 0, 'D' }, { "pcap", 1, 0, 'p' },
		{ "kernel", 1, 0, 'k' }, { "nlm-timeout", 1, 0, 't' }, { "hz", 1, 0, 'z' },
		{ "server", 1, 0, 's' }, { "case", 1, 0, 'c' }, { 0 },
	};
	struct ex_opts o = { 0 };
	struct ex_log lg = { 0 };
	struct ex_cap c = { 0 };
	const char *dmesg = NULL, *sdmesg = NULL, *pcap = NULL, *cdir = NULL;
	char path[3][4096];
	int opt;

	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'd': dmesg = optarg; break;
		case 'D': sdmesg = optarg; break;
		case 'p': pcap = optarg; break;
		case 'k': if (*optarg) kernel_opt(&o, optarg); break;
		case 't':
			if (!*optarg)
				break;
			o.nlm_timeout = atoi(optarg), o.nlm_timeout_given = 1;
			if (o.nlm_timeout < 3 || o.nlm_timeout > 20)
				die("--nlm-timeout", "the kernel takes 3..20 s");
			break;
		case 'z':
			if (*optarg && ((o.hz = atoi(optarg)) < 24 || o.hz > 10000))
				die("--hz", "give CONFIG_HZ: 100, 250, 300, 1000");
			break;
		case 's': snprintf(o.server, sizeof(o.server), "%s", optarg); break;
		case 'c': cdir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (cdir) {
		snprintf(path[0], sizeof(path[0]), "%s/dmesg.client", cdir);
		snprintf(path[1], sizeof(path[1]), "%s/dmesg.server", cdir);
		snprintf(path[2], sizeof(path[2]), "%s/capture.pcap", cdir);
		dmesg = dmesg ? dmesg : path[0];
		if (!sdmesg && !access(path[1], R_OK))
			sdmesg = path[1];
		if (!pcap && !access(path[2], R_OK))
			pcap = path[2];
	}
	if (!dmesg)
		usage();
	read_log(&lg, dmesg, 0);
	if (sdmesg)
		read_log(&lg, sdmesg, 1);
	if (pcap)
		read_cap(&c, pcap);
	if (ex_explain(&lg, &c, &o) < 0)
		die("explain", "out of memory");
	ex_log_free(&lg);
	ex_cap_free(&c);
	return 0;
}
