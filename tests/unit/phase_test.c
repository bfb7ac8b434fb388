// SPDX-License-Identifier: GPL-2.0
/* phase_test: lib/phase.c, the lines the runner reads while a case runs */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "phase.h"

TEST(parse)
{
	char kind[16], text[128];
	double t, due;

	ASSERT_EQ(0, lr_phase_parse("12.500 phase 18.0 lock under svc-sleep: waiting\n", &t,
				    kind, sizeof(kind), &due, text, sizeof(text)));
	EXPECT_EQ(12500, (long)(t * 1000));
	EXPECT_STREQ("phase", kind);
	EXPECT_EQ(18, (long)due);
	EXPECT_STREQ("lock under svc-sleep: waiting", text);
	ASSERT_EQ(0, lr_phase_parse("13.000 scenario - start", &t, kind, sizeof(kind), &due,
				    text, sizeof(text)));
	EXPECT_STREQ("scenario", kind);
	EXPECT_GT(0, due);
	EXPECT_STREQ("start", text);
	EXPECT_EQ(-1, lr_phase_parse("garbage", &t, kind, sizeof(kind), &due, text,
				     sizeof(text)));
	EXPECT_EQ(-1, lr_phase_parse("1.0 other - x", &t, kind, sizeof(kind), &due, text,
				     sizeof(text)));
}

/* what lr_phase() writes reads back; one line each; the scenario's marks once each */
TEST(write_read)
{
	char dir[] = "/tmp/phase_test.XXXXXX", path[64], line[256], kind[16], text[128];
	double t, due;
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
		ASSERT_EQ(0, lr_phase_parse(line, &t, kind, sizeof(kind), &due, text,
					    sizeof(text)));
		if (n == 0) {
			EXPECT_STREQ("first line with breaks", text);
			EXPECT_EQ(3, (long)due);
		}
		nscen += !strcmp(kind, "scenario");
		n++;
	}
	fclose(f);
	EXPECT_EQ(4, n);
	EXPECT_EQ(2, nscen);
	unlink(path);
	rmdir(dir);
}

TEST_HARNESS_MAIN
