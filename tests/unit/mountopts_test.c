// SPDX-License-Identifier: GPL-2.0
/* mountopts_test: the pure mount-option helpers of lib/mount.c. */
#include "harness.h"
#include "lr.h"

/* what a 7.3 client shows for the customer's mount (a real /proc/mounts line) */
#define SHOWN_73 "rw,relatime,vers=3,rsize=262144,wsize=262144,namlen=255,hard,proto=tcp," \
	"timeo=600,retrans=2,sec=sys,mountaddr=192.168.53.40,mountvers=3,mountport=20048," \
	"mountproto=tcp,local_lock=none,addr=192.168.53.40"

TEST(customer_options_echoed)
{
	struct lr_optcmp r;

	EXPECT_EQ(0, lr_mountopts_compare(LR_CUSTOMER_OPTS, SHOWN_73, &r));
	EXPECT_EQ(0, r.nmissing);
	EXPECT_EQ(0, r.nmismatch);
	EXPECT_EQ(1, r.nuser);
	EXPECT_STREQ("_netdev", r.user);
	EXPECT_EQ(3, r.nextra);
	EXPECT_STREQ("mountaddr=192.168.53.40,mountport=20048,addr=192.168.53.40", r.extra);
}

TEST(value_mismatch_and_missing)
{
	struct lr_optcmp r;

	/* the server capped rsize; hard became soft; local_lock absent */
	EXPECT_EQ(3, lr_mountopts_compare("rsize=262144,hard,local_lock=none,timeo=600",
					  "rw,rsize=65536,soft,timeo=600", &r));
	EXPECT_EQ(2, r.nmissing);
	EXPECT_STREQ("hard,local_lock=none", r.missing);
	EXPECT_EQ(1, r.nmismatch);
	EXPECT_STREQ("rsize=262144(65536)", r.mismatch);
	EXPECT_STREQ("rw,soft", r.extra);
}

TEST(prefix_is_not_a_match)
{
	struct lr_optcmp r;

	/* "port" must not be found inside "mountport=..." nor "vers" in "mountvers=3" */
	EXPECT_EQ(2, lr_mountopts_compare("port=2049,vers=3", "mountport=2049,mountvers=3", &r));
	EXPECT_EQ(2, r.nmissing);
	/* a flag wanted without value, shown with one, is a mismatch */
	EXPECT_EQ(1, lr_mountopts_compare("sec", "sec=sys", &r));
	EXPECT_EQ(1, r.nmismatch);
}

TEST(userspace_options)
{
	EXPECT_TRUE(lr_mountopt_userspace("_netdev"));
	EXPECT_TRUE(lr_mountopt_userspace("noauto"));
	EXPECT_TRUE(lr_mountopt_userspace("x-systemd.automount"));
	EXPECT_TRUE(lr_mountopt_userspace("comment=foo"));
	EXPECT_FALSE(lr_mountopt_userspace("hard"));
	EXPECT_FALSE(lr_mountopt_userspace("rw"));
	EXPECT_FALSE(lr_mountopt_userspace("users_x"));
}

TEST(proc_mounts_find)
{
	static const char text[] =
		"rootfs / rootfs rw 0 0\n"
		"192.168.53.40:/export /mnt nfs rw,vers=3,hard 0 0\n"
		"other /mnt\\040x tmpfs rw 0 0\n"
		"192.168.53.40:/export /mnt nfs ro,vers=3,soft 0 0\n"
		"x /mnt2 nfs rw,nosharecache 0 0";	/* no final newline */
	char fs[16], o[256];

	/* the last entry at a mount point is the visible one */
	ASSERT_EQ(0, lr_proc_mounts_find(text, "/mnt", fs, sizeof(fs), o, sizeof(o)));
	EXPECT_STREQ("nfs", fs);
	EXPECT_STREQ("ro,vers=3,soft", o);
	ASSERT_EQ(0, lr_proc_mounts_find(text, "/mnt x", fs, sizeof(fs), o, sizeof(o)));
	EXPECT_STREQ("tmpfs", fs);
	ASSERT_EQ(0, lr_proc_mounts_find(text, "/mnt2", fs, sizeof(fs), o, sizeof(o)));
	EXPECT_STREQ("rw,nosharecache", o);
	EXPECT_EQ(-1, lr_proc_mounts_find(text, "/mn", fs, sizeof(fs), o, sizeof(o)));
	EXPECT_EQ(-1, lr_proc_mounts_find("", "/mnt", fs, sizeof(fs), o, sizeof(o)));
}

TEST_HARNESS_MAIN
