// SPDX-License-Identifier: GPL-2.0
/* files.c: reading a results tree and writing into it (files.h). */
#include "files.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lr_subdirs(const char *dir, char **names, int max)
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

void lr_kv(const char *path, const char *key, char *buf, size_t size)
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

char *lr_slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[65536];

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *nb = realloc(buf, len + n + 1);

		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

FILE *lr_atomic_open(const char *path, char *tmp, size_t size)
{
	snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());
	return fopen(tmp, "we");
}

int lr_atomic_close(FILE *f, const char *tmp, const char *path, bool ok)
{
	ok = !ferror(f) && ok;
	if (fclose(f))
		ok = false;
	if (ok && !rename(tmp, path))
		return 0;
	unlink(tmp);
	return -1;
}
