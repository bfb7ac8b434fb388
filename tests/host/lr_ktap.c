// SPDX-License-Identifier: GPL-2.0
/*
 * lr_ktap [FILE|-]: read a KTAP/TAP stream (default stdin) with lib/ktap.c and print its
 * counts on one line,
 *
 *     pass=N fail=N skip=N xfail=N xpass=N error=N plan=N results=N complete=0|1 docs=N
 *
 * (every result, nested ones too; plan and results: the top-level ones, summed over the
 * stream's documents; docs 0: the stream has no TAP at all), and, unless the stream is ok,
 * a second line "why: <the first failure, XPASS or error; why it is incomplete>".
 * Exit 0: complete, no fail, no xpass, no error (the rules: lib/ktap.h); 1 otherwise;
 * 2 the file cannot be read (the counts line is still printed: complete=0, one error).
 * vm/run.sh (the case verdict) and scripts/check.sh (make check) read it through
 * scripts/lib.sh lr_ktap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "-";
	char out[256], why[2 * LR_KTAP_WHY + 8], *line = NULL;
	struct lr_ktap k;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1])) {
		fprintf(stderr, "usage: lr_ktap [FILE|-]\n");
		return 2;
	}
	lr_ktap_init(&k);
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f) {
		err = errno;
		lr_ktap_end(&k);
		k.error = 1;
		lr_ktap_format(&k, out, sizeof(out));
		printf("%s\nwhy: cannot read %s: %s\n", out, path, strerror(err));
		return 2;
	}
	while ((n = getline(&line, &cap, f)) > 0)
		lr_ktap_line(&k, line);	/* a NUL inside a line ends it there */
	free(line);
	err = ferror(f) ? errno : 0;
	if (f != stdin)
		fclose(f);
	lr_ktap_end(&k);
	if (err)
		k.complete = false, k.error++;
	lr_ktap_format(&k, out, sizeof(out));
	printf("%s\n", out);
	if (err) {
		printf("why: cannot read %s: %s\n", path, strerror(err));
		return 2;
	}
	if (lr_ktap_ok(&k))
		return 0;
	printf("why: %s\n", lr_ktap_why(&k, why, sizeof(why)));
	return 1;
}
