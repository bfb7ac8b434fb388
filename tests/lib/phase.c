// SPDX-License-Identifier: GPL-2.0
/* phase.c: the test's phases for the runner (phase.h) */
#include "phase.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lr.h"

static bool scenario_started;

/*
 * One write() of one line with O_APPEND: the harness forks each test, and a line
 * must never interleave with another process's. Best effort: a test without a
 * writable $LR_OUT (a unit test on the host) just says nothing.
 */
static void phase_line(const char *kind, double due_s, const char *text)
{
	const char *dir = getenv("LR_OUT");
	char path[512], line[512], due[32];
	int fd, n;

	if (!dir || !*dir)
		return;
	snprintf(path, sizeof(path), "%s/phases", dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (due_s < 0)
		snprintf(due, sizeof(due), "-");
	else
		snprintf(due, sizeof(due), "%.1f", due_s);
	n = snprintf(line, sizeof(line), "%.3f %s %s %s\n", lr_now(), kind, due, text);
	if (n >= (int)sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(fd, line, n) < 0)
		;	/* nothing to do: progress is advisory */
	close(fd);
}

void lr_phase(double due_s, const char *fmt, ...)
{
	char text[400], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (p = text; *p; p++)		/* one line */
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	phase_line("phase", due_s, text);
}

void lr_phase_scenario(bool start)
{
	if (start && scenario_started)
		return;
	if (!start && !scenario_started)
		return;
	scenario_started = start;
	phase_line("scenario", -1, start ? "start" : "end");
}
