// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c: libFuzzer target of lr_explain's readers (make -C tests fuzz; make fuzz).
 *
 * The input is a customer's file: each reader gets all of it (the log parser, and the
 * pcap or text capture parser its first bytes call for), then the classifier runs on a
 * log and a capture cut at the first NUL (log before, capture after) so the clock
 * alignment and the episode search see hostile pairs too. Any crash, leak, undefined
 * behaviour or input slower than -timeout is a finding: it is kept under
 * tests/explain/regress/ and tests/unit/explain.sh replays it through lr_explain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "explain.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* the report goes to stdout: keep it out of the fuzzer's way */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

static void parse_cap(struct ex_cap *c, const char *d, size_t n)
{
	int kind = ex_cap_sniff(d, n);

	if (kind > 0)
		ex_pcap_parse(c, d, n);
	else if (kind == 0)
		ex_text_parse(c, d, n);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *d = (const char *)data, *nul = memchr(d, 0, size);
	struct ex_opts o = { .nlm_timeout = 3, .nlm_timeout_given = 1 };
	struct ex_log lg = { 0 };
	struct ex_cap c = { 0 };

	/* every reader on the whole input */
	ex_log_parse(&lg, d, size, 0);
	parse_cap(&c, d, size);
	ex_explain(&lg, &c, &o);
	ex_log_free(&lg);
	ex_cap_free(&c);
	/* a log and a capture */
	if (nul) {
		memset(&lg, 0, sizeof(lg));
		memset(&c, 0, sizeof(c));
		ex_log_parse(&lg, d, nul - d, 0);
		parse_cap(&c, nul + 1, size - (nul - d) - 1);
		ex_explain(&lg, &c, &o);
		ex_log_free(&lg);
		ex_cap_free(&c);
	}
	fflush(stdout);
	return 0;
}
