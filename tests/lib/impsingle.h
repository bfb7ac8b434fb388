/* SPDX-License-Identifier: GPL-2.0 */
/*
 * impsingle.h: one operation under an impairment, the flow svc_sleep.c and link_down.c
 * run for each of LOCK, SETLK, TEST and UNLOCK. Static functions on the harness's
 * _metadata, like imptest.h.
 *
 * Contract: imp_single() is the generic flow (fresh connection, impairment on, the
 * operation, "still trying", impairment off, "OK", the result, the lock state); what a
 * scenario checks differently is its own, in its test file, through the fixture's
 * hooks (f->hooks, set in FIXTURE_SETUP before imp_setup()).
 *
 * The operations are the fixture's variants: the harness runs the test `single` once per
 * variant, <fixture>.<op>.single in KTAP. A scenario's file says
 *	IMP_SINGLE_FIXTURE(x, LR_X, &x_hooks);
 *	IMP_OP_VARIANT(x, lock, IMP_SETLKW, true, NULL);	(and one per operation)
 * The case <group>/<op> runs the variant <op> (rootfs/init passes it as -v and -t: the
 * harness takes the first that matches). v.test, the variant's name, is the test's name
 * in timings.json (the report's request per test, tests/host/lib/report.c).
 */
#ifndef LR_IMPSINGLE_H
#define LR_IMPSINGLE_H

#include "imptest.h"

/* a scenario's own steps, called once a stalled operation has returned */
struct imp_hooks {
	/* what the client's state is just before a stalled operation's impairment is
	 * lifted (link-down: the ARP entry for the server) */
	void (*before_off)(struct imp_fix *f);
	/* the window of "OK" when it depends on what was measured (link-down: the next
	 * SYN after the link came up); e->ok is the model's */
	void (*ok_window)(struct imp_fix *f, struct lr_expect *e, const struct lr_op_result *r,
			  double t_off, double ts_ok, struct __test_metadata *_metadata);
	/* the request's transmissions while the impairment was on and after it */
	void (*sends)(struct imp_fix *f, const struct lr_expect *e, enum imp_op k,
		      const struct lr_op_result *r, double t_off,
		      struct __test_metadata *_metadata);
};

/* one operation under a scenario: stalls, the impairment holds it (else it must
 * complete at once, and why_not says why) */
struct imp_variant {
	const char *test;
	enum imp_op op;
	bool stalls;
	const char *why_not;
};

/* imp_single: the variant's operation under the impairment */
static inline void imp_single(struct imp_fix *f, const struct imp_variant *v,
			      struct __test_metadata *_metadata)
{
	enum imp_op k = v->op;
	bool stalls = v->stalls;
	const char *why_not = v->why_not;
	struct lr_imp *m = &f->m;
	struct imp_run u = { .go = -1 };
	struct lr_expect e;
	double t_on, t_off, t_go, ts_try = -1, ts_ok = -1, until;
	struct imp_run h = { .go = -1 };
	int n;

	imp_expect(f, 1, NULL, &e, _metadata);
	imp_prepare(f, k, &u, f->path, IMP_START, &h, _metadata);
	imp_fresh(f, _metadata);
	ASSERT_EQ(0, lr_lockd_conns(m)) TH_LOG("the lockd connection is still up");
	ASSERT_EQ(0, lr_imp_on(m, &t_on)) TH_LOG("impairment on: agent %s", lr_mserver());
	t_go = lr_now();
	imp_start(&u, _metadata);
	TH_LOG("%s under %s, started %.2f s after the impairment", imp_opname(k),
	       lr_scenario_name(m->sc), t_go - t_on);
	if (stalls)
		lr_phase(e.trying.expect / 1e3, "%s under %s: waiting for 'still trying'",
			 imp_opname(k), lr_scenario_name(m->sc));
	else
		lr_phase(m->p.nlm_timeout, "%s under %s: not stalled, waiting for its result",
			 imp_opname(k), lr_scenario_name(m->sc));

	if (!stalls) {
		/* it must not wait for the impairment: done before lockd's first retransmission */
		until = t_go + m->p.nlm_timeout;
		ASSERT_EQ(0, lr_child_read(&u.c, &u.r, sizeof(u.r), IMP_SAFETY_S));
		lr_imp_drain(m);
		f->t_ref = u.r.t_call;
		TH_LOG("not stalled: returned after %.3f s; %s", u.r.t_ret - u.r.t_call, why_not);
		EXPECT_LT(u.r.t_ret, until)
			TH_LOG("took longer than nlm_timeout: it waited for a retransmission");
		lr_imp_moment(m, "result", "the fcntl() call", -1, 0, 0, u.r.t_ret - u.r.t_call,
			      why_not);
		/* no "still trying" check here: it would follow from the one above (a
		 * request answered before its first retransmission has no major timeout) */
		ASSERT_EQ(0, lr_imp_off(m, &t_off));
	} else {
		until = t_go + e.trying.hi / 1e3 + IMP_LATE_S;
		ts_try = imp_wait_line(f, lr_imp_re_trying(m), t_go, until);
		if (f->hooks && f->hooks->before_off)
			f->hooks->before_off(f);
		ASSERT_EQ(0, lr_imp_off(m, &t_off));
		lr_phase(e.ok.hi / 1e3, "impairment off: waiting for the result and 'OK'");
		ASSERT_EQ(0, lr_child_read(&u.c, &u.r, sizeof(u.r),
					   e.ok.hi / 1e3 + IMP_LATE_S))
			TH_LOG("%s did not return after the impairment ended", imp_opname(k));
		ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_off, t_off + e.ok.hi / 1e3 + IMP_LATE_S);
		lr_imp_drain(m);
		f->t_ref = u.r.t_call;
		imp_check(f, "still trying", &e.trying, ts_try < 0 ? -1 : ts_try - u.r.t_call,
			  _metadata);
		if (f->hooks && f->hooks->ok_window) {
			f->hooks->ok_window(f, &e, &u.r, t_off, ts_ok, _metadata);
			imp_check(f, "OK", &e.ok, ts_ok < 0 ? -1 : ts_ok - t_off, _metadata);
			imp_check(f, "fcntl() returned", &e.ok, u.r.t_ret - t_off, _metadata);
		} else {
			imp_check_off(f, "OK", &e.ok, t_off, ts_ok < 0 ? -1 : ts_ok - t_off,
				      _metadata);
			imp_check_off(f, "fcntl() returned", &e.ok, t_off, u.r.t_ret - t_off,
				      _metadata);
		}
		n = lr_imp_count(m, lr_imp_re_trying(m), t_go, NULL);
		EXPECT_EQ(1, n) TH_LOG("%d 'still trying' lines for one request", n);
		if (f->hooks && f->hooks->sends)
			f->hooks->sends(f, &e, k, &u.r, t_off, _metadata);
	}
	imp_no_timed_out(f, t_go, _metadata);
	imp_final_state(f, k, &u.r, _metadata);
	imp_end(&u);
	imp_end(&h);
}

/* the fixture fx of scenario sc (hooks hk) and its test `single`, one run per variant */
#define IMP_SINGLE_FIXTURE(fx, sc, hk)						\
	FIXTURE(fx) {								\
		struct imp_fix f;						\
	};									\
	FIXTURE_VARIANT(fx) {							\
		struct imp_variant v;						\
	};									\
	FIXTURE_SETUP(fx)							\
	{									\
		self->f.name = variant->v.test;					\
		self->f.hooks = hk;						\
		imp_setup(&self->f, sc, _metadata);				\
	}									\
	FIXTURE_TEARDOWN(fx)							\
	{									\
		imp_teardown(&self->f, _metadata);				\
	}									\
	TEST_F_TIMEOUT(fx, single, IMP_TEST_TIMEOUT)				\
	{									\
		imp_single(&self->f, &variant->v, _metadata);			\
	}

/* the variant op of fixture fx: operation k, stalls or not (why_not) */
#define IMP_OP_VARIANT(fx, op, k, stalls, why_not)				\
	FIXTURE_VARIANT_ADD(fx, op) { .v = { #op, k, stalls, why_not } }

#endif /* LR_IMPSINGLE_H */
