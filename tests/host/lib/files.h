/* SPDX-License-Identifier: GPL-2.0 */
/*
 * files.h: what the host tools (tests/host/) read of a results tree, in one place: the
 * sorted subdirectories of a dir, a key=value of a case's result file, a file into
 * memory, and writing a file atomically (a temporary beside it, then rename: nothing
 * half-written in results/).
 */
#ifndef LR_FILES_H
#define LR_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* the sorted subdirectory names of dir (no dot entries), malloc'd; their number */
int lr_subdirs(const char *dir, char **names, int max);
/* "key=value" from a key=value file (a case's result); "" when absent */
void lr_kv(const char *path, const char *key, char *buf, size_t size);
/* the whole file, NUL-terminated, malloc'd; NULL when unreadable */
char *lr_slurp(const char *path);
/* a stream to write path's contents into; lr_atomic_close() renames it into place */
FILE *lr_atomic_open(const char *path, char *tmp, size_t size);
/* close f; on ok and no write error rename tmp to path, else remove tmp. 0 or -1 */
int lr_atomic_close(FILE *f, const char *tmp, const char *path, bool ok);

#endif /* LR_FILES_H */
