// SPDX-License-Identifier: GPL-2.0
/*
 * lr_report RUN_DIR: the seed's three questions answered per kernel, in markdown on
 * stdout, from RUN_DIR/<kernel>/<case>/{result,timings.json} (vm/run.sh appends it to
 * summary.md). The parsing and the writing are lib/report.c's; this walks the files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "report.h"

#define MAX_TESTS	256

int main(int argc, char **argv)
{
	static struct lr_rep_test t[MAX_TESTS];
	char *kern[64], *cases[256], path[4096], err[512];
	int nk, nc, i, j, n, m;

	if (argc != 2) {
		fprintf(stderr, "usage: lr_report RUN_DIR\n");
		return 2;
	}
	nk = lr_subdirs(argv[1], kern, 64);
	for (i = 0; i < nk; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], kern[i]);
		nc = lr_subdirs(path, cases, 256);
		for (j = 0, n = 0; j < nc; j++) {
			char verdict[16], cname[64];

			snprintf(path, sizeof(path), "%s/%s/%s/result", argv[1], kern[i], cases[j]);
			lr_kv(path, "verdict", verdict, sizeof(verdict));
			lr_kv(path, "case", cname, sizeof(cname));
			snprintf(path, sizeof(path), "%s/%s/%s/timings.json", argv[1], kern[i],
				 cases[j]);
			m = access(path, R_OK) ? 0 :
			    lr_rep_load(path, &t[n], MAX_TESTS - n, err, sizeof(err));
			if (m < 0)
				fprintf(stderr, "lr_report: %s\n", err);
			for (; m > 0; m--, n++) {
				snprintf(t[n].kdir, sizeof(t[n].kdir), "%s", kern[i]);
				snprintf(t[n].casename, sizeof(t[n].casename), "%s", cname);
				snprintf(t[n].verdict, sizeof(t[n].verdict), "%s", verdict);
			}
			free(cases[j]);
		}
		lr_rep_answers(stdout, t, n);
		free(kern[i]);
	}
	return 0;
}
