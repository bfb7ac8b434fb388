// SPDX-License-Identifier: GPL-2.0
/*
 * lr_report RUN_DIR: the seed's three questions answered per kernel, in markdown on
 * stdout, from RUN_DIR/<kernel>/<case>/{result,timings.json} (vm/run.sh appends it to
 * summary.md). The parsing and the writing are lib/report.c's; this walks the files.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define MAX_TESTS	256

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the sorted subdirectory names of dir (no dot entries); their number */
static int subdirs(const char *dir, char **names, int max)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (!dp)
		return 0;
	while ((d = readdir(dp)) && n < max)
		if (d->d_name[0] != '.' && d->d_type == DT_DIR)
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp);
	return n;
}

/* "key=value" from a result file */
static void kv(const char *path, const char *key, char *buf, size_t size)
{
	char line[1024];
	size_t l = strlen(key);
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, l) && line[l] == '=') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "%s", line + l + 1);
			break;
		}
	fclose(f);
}

int main(int argc, char **argv)
{
	static struct lr_rep_test t[MAX_TESTS];
	char *kern[64], *cases[256], path[4096], line[65536];
	int nk, nc, i, j, n;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: lr_report RUN_DIR\n");
		return 2;
	}
	nk = subdirs(argv[1], kern, 64);
	for (i = 0; i < nk; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], kern[i]);
		nc = subdirs(path, cases, 256);
		for (j = 0, n = 0; j < nc; j++) {
			char verdict[16], cname[64];

			snprintf(path, sizeof(path), "%s/%s/%s/result", argv[1], kern[i], cases[j]);
			kv(path, "verdict", verdict, sizeof(verdict));
			kv(path, "case", cname, sizeof(cname));
			snprintf(path, sizeof(path), "%s/%s/%s/timings.json", argv[1], kern[i],
				 cases[j]);
			f = fopen(path, "re");
			while (f && n < MAX_TESTS && fgets(line, sizeof(line), f)) {
				if (lr_rep_parse(line, &t[n]))
					continue;
				snprintf(t[n].kdir, sizeof(t[n].kdir), "%s", kern[i]);
				snprintf(t[n].casename, sizeof(t[n].casename), "%s", cname);
				snprintf(t[n].verdict, sizeof(t[n].verdict), "%s", verdict);
				n++;
			}
			if (f)
				fclose(f);
			free(cases[j]);
		}
		lr_rep_answers(stdout, t, n);
		free(kern[i]);
	}
	return 0;
}
