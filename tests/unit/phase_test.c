// SPDX-License-Identifier: GPL-2.0
/* phase_test: lib/phase.c writes the lines the runner reads while a case runs (vm/run.sh
 * progress() and time_breakdown(): "<t> <kind> <due> <text>", whitespace-split) */
#include "harness.h"	/* first: the kselftest harness defines _GNU_SOURCE */
#include "phase.h"

#include <stdlib.h>
#include <unistd.h>

/* one line as the runner splits it; 0, or -1 when it is not "<t> phase|scenario <due> <text>" */
static int split(const char *line, double *t, char *kind, double *due, char *text, size_t size)
{
	char d[32];
	int off = 0;

	if (sscanf(line, "%lf %15s %31s %n", t, kind, d, &off) != 3 || !off ||
	    (strcmp(kind, "phase") && strcmp(kind, "scenario")))
		return -1;
	*due = strcmp(d, "-") ? strtod(d, NULL) : -1;
	snprintf(text, size, "%s", line + off);
	text[strcspn(text, "\n")] = '\0';
	return 0;
}

/* what lr_phase() writes reads back; one line each; the scenario's marks once each */
TEST(write_read)
{
	char dir[] = "/tmp/phase_test.XXXXXX", path[64], line[256], kind[16], text[128];
	double t, due, t_prev = 0;
	int n = 0, nscen = 0;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	setenv("LR_OUT", dir, 1);
	lr_phase(3, "first\tline\nwith breaks");
	lr_phase_scenario(true);
	lr_phase_scenario(true);
	lr_phase(-1, "second");
	lr_phase_scenario(false);
	lr_phase_scenario(false);
	snprintf(path, sizeof(path), "%s/phases", dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		ASSERT_EQ(0, split(line, &t, kind, &due, text, sizeof(text))) TH_LOG("%s", line);
		EXPECT_LE(t_prev, t);
		t_prev = t;
		if (n == 0) {
			EXPECT_STREQ("phase", kind);
			EXPECT_STREQ("first line with breaks", text);
			EXPECT_EQ(3, (long)due);
		}
		if (n == 1 || n == 3) {
			EXPECT_STREQ("scenario", kind);
			EXPECT_GT(0, due);
			EXPECT_STREQ(n == 1 ? "start" : "end", text);
		}
		if (n == 2)
			EXPECT_GT(0, due);
		nscen += !strcmp(kind, "scenario");
		n++;
	}
	fclose(f);
	EXPECT_EQ(4, n);
	EXPECT_EQ(2, nscen);
	unlink(path);
	rmdir(dir);
}

/* no $LR_OUT (a host tool, a unit test): nothing written, no crash */
TEST(no_out_dir)
{
	unsetenv("LR_OUT");
	lr_phase(1, "nowhere");
	lr_phase_scenario(true);
}

TEST_HARNESS_MAIN
