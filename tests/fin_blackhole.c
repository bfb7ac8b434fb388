// SPDX-License-Identifier: GPL-2.0
/*
 * fin-blackhole (customer captures 0622 and 0825): the client's idle lockd connection is
 * closed by the client (FIN) and the path silently drops that connection from the FIN on,
 * while new SYNs still pass.
 *
 * Model of the path: a rule in the server's netfilter input hook drops every TCP segment
 * with FIN to lockd's port ("lr-ctl fin-blackhole on PORT"). After its FIN the client
 * sends nothing else on the old connection but FIN retransmissions, so that is "the old
 * flow from the FIN on"; a new connection's SYN and data pass. The bridge capture still
 * shows every FIN, as the customer's client-side captures do. What differs from the
 * customer's server: ours never saw the FIN, so it still holds the old connection when
 * the client reconnects from the same port, and answers the SYN with a challenge ACK
 * (RFC 5961) instead of a SYN-ACK; the client resets it and its next SYN gets through
 * (the case's timeline shows it). The customer's server answered the SYN at once: it had
 * forgotten the connection too.
 *
 * The client shuts the idle connection down after XS_IDLE_DISC_TO (5 min). The quick
 * profile shortens that wait to 30 s with the patch sets' idle knob
 * (kernel-patches/<line>/idle-knob.patch: sunrpc.lr_idle_disc_s, read when a transport
 * is set up; the client's init writes it before the mount creates lockd's); the
 * customer profile keeps the kernel's 5 minutes. The LOCK is issued as the customer's was: 85 s (0622) into
 * the FIN retransmissions under PROFILE=customer, 28 s (0825) under PROFILE=quick. Then:
 * no connect while the old socket is in FIN_WAIT1 (XPRT_CLOSING), "still trying" at the
 * LOCK's major timeout, the socket's death at FIN + TCP_USER_TIMEOUT (180 s), the new SYN
 * from the same reserved port (RPC_CLNT_CREATE_REUSEPORT on mainline, always on 4.19),
 * the LOCK, its reply, "OK". With PATCHSET=no-reuseport, the kernel (mainline without
 * RPC_CLNT_CREATE_REUSEPORT, 4.19 with its backported opt-out) lets go of the old
 * socket at once and the LOCK goes out from a new port: no stall.
 */
#include "lib/harness.h"
#include "lib/imptest.h"

FIXTURE(fin_blackhole) {
	struct imp_fix f;
	long idle_ms;		/* the idle close of lockd's transport */
};

#define IDLE_KNOB		"/sys/module/sunrpc/parameters/lr_idle_disc_s"

/*
 * The idle close lockd's transport got, in ms: the knob's value when set, else the
 * kernel's XS_IDLE_DISC_TO. The transport exists since the mount (nlmclnt_init() binds
 * the NLM host), so the client's init sets the knob before it: 30 s for this case in the
 * quick profile, never in the customer profile.
 */
static long idle_close_ms(bool customer, struct __test_metadata *_metadata)
{
	long v = 0;

	if (lr_read_long(IDLE_KNOB, &v))
		v = 0;		/* a patch set without the knob (verbatim) */
	EXPECT_TRUE(!customer || v == 0) TH_LOG("the customer profile runs the kernel's idle "
						"close, but %s is %ld", IDLE_KNOB, v);
	return v > 0 ? v * 1000 : lr_xs_idle_disc_to();
}

FIXTURE_SETUP(fin_blackhole)
{
	const char *profile = getenv("LR_PROFILE");

	self->idle_ms = idle_close_ms(profile && !strcmp(profile, "customer"), _metadata);
	imp_setup(&self->f, LR_FIN_BLACKHOLE, _metadata);
}

FIXTURE_TEARDOWN(fin_blackhole)
{
	imp_teardown(&self->f, _metadata);
}

/* the customer's LOCK, seconds after the FIN (captures 0622 and 0825, README) */
#define FIN_TO_LOCK_0622_S	85
#define FIN_TO_LOCK_0825_S	28
/* the idle close of lockd's transport (s): XS_IDLE_DISC_TO or the quick profile's knob */
#define IDLE_S			(self->idle_ms / 1e3)
/*
 * wait until socket lport is in state; state < 0: until it left FIN_WAIT1 (gone, or its
 * port already taken by the next connection: the watcher keys sockets by local port).
 * Its lr_now(), or -1.
 */
static double wait_sock(struct imp_fix *f, int lport, int state, double deadline)
{
	const struct lr_sock_ev *e;

	while (lr_now() < deadline) {
		lr_imp_wait(&f->m, NULL, lr_now() + 0.1, NULL);
		e = lr_imp_sock_last(&f->m, lport);
		if (!e)
			continue;
		if (state < 0 ? e->gone || e->state != LR_TCP_FIN_WAIT1 :
				!e->gone && e->state == state)
			return e->t;
	}
	return -1;
}

/* the first socket to the lockd port other than old that reached ESTABLISHED */
static int new_conn(const struct lr_imp *m, int old, double *t)
{
	int i;

	for (i = 0; i < m->nsev; i++)
		if (!m->sev[i].gone && m->sev[i].state == LR_TCP_ESTABLISHED &&
		    (m->sev[i].lport != old || m->sev[i].t > *t)) {
			*t = m->sev[i].t;
			return m->sev[i].lport;
		}
	return -1;
}

TEST_F_TIMEOUT(fin_blackhole, lock, 1500)
{
	struct imp_fix *f = &self->f;
	struct lr_imp *m = &f->m;
	struct imp_run u = { .go = -1 };
	struct lr_scenario_args a = { 0 };
	struct lr_expect e;
	struct lr_tcp_sched fin;
	struct lr_rpc_timeout xto;
	const char *patchset = getenv("LR_PATCHSET"), *profile = getenv("LR_PROFILE");
	double t_used, t_on, t_fin, t_go, t_death, t_new, ts_try = -1, ts_ok = -1, d, took;
	double at[LR_MAX_SEGS], prev[LR_MAX_SEGS], rto, rto0, fin_prev = -1;
	int old = -1, port, n, i, k, rc, nc, cport[LR_MAX_SEGS];
	bool customer = profile && !strcmp(profile, "customer"), in, tlp;
	char msg[1024] = "";
	size_t l;

	a.no_reuseport = patchset && strstr(patchset, "no-reuseport");
	/* our server never saw the FIN: unless its svc aged the connection out (6 to 12 min
	 * idle, svc_age_temp_xprts), it still holds it when the client reconnects */
	a.peer_stale = 1;
	d = customer ? FIN_TO_LOCK_0622_S : FIN_TO_LOCK_0825_S;
	imp_prepare(f, IMP_SETLKW, &u, f->path, IMP_START, NULL, _metadata);

	/* the connection the customer had: a lock and an unlock, then idle */
	lr_imp_watch(m, m->lockd_port);
	ASSERT_EQ(0, rc = lr_out_of_grace(f->path2, &took)) TH_LOG("lock/unlock: %s", strerror(-rc));
	t_used = lr_now();
	lr_imp_sample(m);
	for (i = 0; i < m->nsev; i++)
		if (!m->sev[i].gone && m->sev[i].state == LR_TCP_ESTABLISHED)
			old = m->sev[i].lport;
	ASSERT_LT(0, old) TH_LOG("no lockd connection after a lock and an unlock");
	ASSERT_EQ(0, lr_imp_trace_start(m));
	ASSERT_EQ(0, lr_imp_on(m, &t_on));
	TH_LOG("lockd connection from port %d to %s:%d, idle since the unlock; FINs to %d "
	       "dropped from now on; LOCK %.0f s after the FIN (%s)", old, m->server,
	       m->lockd_port, m->lockd_port, d, customer ? "0622" : "0825");

	/*
	 * the idle close: the idle delay after the last use. Its timer is armed when the
	 * UNLOCK's reply released the transport, just before t_used (the call's return):
	 * 0.1 s early at most; late by the wheel, TCG and the 20 ms sampling.
	 */
	lr_phase(IDLE_S, "waiting for the idle close (the FIN %.0f s after the last use)", IDLE_S);
	t_fin = wait_sock(f, old, LR_TCP_FIN_WAIT1, t_used + IDLE_S + IMP_SAFETY_S);
	ASSERT_LT(0, t_fin) TH_LOG("no FIN within %.0f s of the last use", IDLE_S + IMP_SAFETY_S);
	in = lr_imp_moment(m, "FIN (idle close)", "the unlock", IDLE_S, IDLE_S - 0.1,
		      IDLE_S + lr_timer_slack(&m->p, self->idle_ms) / 1e3 + 1 + LR_SAMPLE_S,
		      t_fin - t_used, self->idle_ms == lr_xs_idle_disc_to() ?
		      "XS_IDLE_DISC_TO (xprt_schedule_autodisconnect) rounded up by the timer "
		      "wheel; + TCG and the 20 ms sampling" : "the quick profile's idle knob "
		      "(sunrpc.lr_idle_disc_s, instead of XS_IDLE_DISC_TO) rounded up by the "
		      "timer wheel; + TCG and the 20 ms sampling");
	TH_LOG("FIN %.2f s after the last use (idle close %.0f s: %s)", t_fin - t_used, IDLE_S,
	       self->idle_ms == lr_xs_idle_disc_to() ? "XS_IDLE_DISC_TO" :
	       "the quick profile's sunrpc.lr_idle_disc_s");
	EXPECT_TRUE(in) TH_LOG("FIN %.2f s after the last use: not the idle close's timer",
			       t_fin - t_used);

	/* the customer's LOCK, d s into the FIN retransmissions */
	lr_phase(d, "FIN unanswered: the LOCK goes %.0f s after it (%s)", d,
		 customer ? "0622" : "0825");
	lr_imp_wait(m, NULL, t_fin + d, NULL);
	t_go = lr_now();
	imp_start(&u, _metadata);
	a.fin_to_call = (long)((t_go - t_fin) * 1e3);

	/* the socket's death is FIN + TCP_USER_TIMEOUT whatever its RTO: the expectation
	 * needs only when the LOCK came (the RTO only shapes the retransmissions) */
	ASSERT_EQ(0, lr_scenario_expect(&m->p, LR_FIN_BLACKHOLE, &a, &e));
	lr_phase(e.ok.expect / 1e3, "LOCK sent: waiting for the old socket's death (FIN + "
		 "TCP_USER_TIMEOUT) and 'OK'");

	if (e.still_trying) {
		ts_try = imp_wait_line(f, lr_imp_re_trying(m), t_go,
				       t_go + e.trying.hi / 1e3 + IMP_LATE_S);
		t_death = wait_sock(f, old, -1, t_go + e.ok.hi / 1e3 + IMP_LATE_S);
	} else {
		t_death = -1;
	}
	ASSERT_EQ(0, lr_child_read(&u.c, &u.r, sizeof(u.r), e.ok.hi / 1e3 + IMP_LATE_S))
		TH_LOG("the LOCK never returned");
	ts_ok = imp_wait_line(f, lr_imp_re_ok(m), t_go, lr_now() + (e.still_trying ? 5 : 1));
	lr_imp_drain(m);
	f->t_ref = u.r.t_call;

	/*
	 * FIN retransmissions, gap by gap. The kernel's RTO when the FIN left (icsk_rto, read
	 * from /proc/net/tcp in the first FIN_WAIT1 sample, 10 ms grain) fixes the first two:
	 *  - g_0, FIN to the first retransmission retrnsmt counts: the tail loss probe
	 *    (tcp_schedule_loss_probe(): PTO = min(2 srtt + TCP_RTO_MIN (4.19: 1.5 srtt +
	 *    TCP_DELACK_MAX, also 200 ms), RTO), not counted), then the RTO timer re-armed
	 *    from the probe: g_0 in [RTO + min(RTO, tcp_rto_min), 2 RTO];
	 *  - g_1 = 2 RTO: tcp_retransmit_timer() doubled icsk_rto.
	 * From then on each gap doubles the one before (below tcp_rto_max): retransmission
	 * k fires icsk_rto_k after k-1 fired (the timer is armed then), late by the timer
	 * wheel's rounding (lr_timer_slack) and LR_TOL_TIMER_MS, so with g_k the measured
	 * gaps g_k in [2 g_k-1 - 2 slack_k-1 - 2 late, 2 g_k-1 + slack_k + late]; g_1
	 * against g_0 (= 2 RTO against PTO + RTO) without the doubling. Each bound is
	 * widened by the grain of the gap's two samples (each one's t - t_prev, 20 ms while
	 * the sampler keeps its period). The model's absolute moments (RTO taken from the
	 * longest span seen) are printed beside them.
	 */
	n = lr_imp_retrans(m, old, LR_TCP_FIN_WAIT1, at, prev, LR_MAX_SEGS);
	ASSERT_LE(2, n) TH_LOG("fewer than two FIN retransmissions seen in /proc/net/tcp");
	for (i = 0, rto0 = -1; i < m->nsev && rto0 < 0; i++)
		if (m->sev[i].lport == old && m->sev[i].state == LR_TCP_FIN_WAIT1)
			rto0 = m->sev[i].rto_ms / 1e3;
	ASSERT_LT(0, rto0) TH_LOG("no RTO in /proc/net/tcp for the FIN_WAIT1 socket");
	for (i = 0; i < m->nsev && fin_prev < 0; i++)
		if (m->sev[i].lport == old && m->sev[i].t == t_fin)
			fin_prev = m->sev[i].t_prev;
	ASSERT_LT(0, fin_prev) TH_LOG("the FIN's sample is not among the socket's events");
	/* with the probe at 1 RTO the n-th counted retransmission is 2^n RTO after the FIN,
	 * without it (tcp_early_retrans < 3) 2^n - 1 */
	tlp = lr_tcp_tlp(&m->p);
	rto = (at[n - 1] - t_fin) / (double)((2L << (n - 1)) - !tlp);
	a.fin_rto = (long)(rto * 1e3 + 0.5);
	lr_xs_tcp_default_timeout(&xto);
	lr_tcp_fin_schedule(&m->p, a.fin_rto, lr_xs_tcp_user_timeout(&xto), 0, &fin);
	for (k = 0; k < n; k++) {
		double g = at[k] - (k ? at[k - 1] : t_fin), gp = k ? at[k - 1] - (k > 1 ? at[k - 2] :
								t_fin) : 0;
		double sl = lr_timer_slack(&m->p, (long)(g * 1e3)) / 1e3;
		double slp = k ? lr_timer_slack(&m->p, (long)(gp * 1e3)) / 1e3 : 0;
		double late = LR_TOL_TIMER_MS / 1e3;
		/* the gap's two ends, each a sample: (prev, at] apiece */
		double smp = at[k] - prev[k] + (k ? at[k - 1] - prev[k - 1] : t_fin - fin_prev);
		/* the RTO read is truncated to 10 ms: the true one is up to that longer */
		double r_lo = rto0, r_hi = rto0 + 0.01, rmin = m->p.tcp_rto_min_ms / 1e3;
		double lo, hi;
		bool ok;

		if (k == 0 && tlp) {
			lo = r_lo + (r_lo < rmin ? r_lo : rmin) - smp;
			hi = 2 * r_hi + 2 * sl + 2 * late + smp;
		} else if (k == 0) {
			lo = r_lo - smp;
			hi = r_hi + sl + late + smp;
		} else if (k == 1) {
			lo = 2 * r_lo - smp;
			hi = 2 * r_hi + sl + late + smp;
			/* after a probe: PTO + RTO against 2 RTO; without: the doubling rule */
			ok = tlp ? g >= gp - slp - 2 * late - smp && g <= gp + sl + late + smp :
				   g >= 2 * gp - 2 * slp - 2 * late - smp && g <= 2 * gp + sl + late + smp;
			EXPECT_TRUE(ok) TH_LOG("FIN retransmission 2: gap %.3f s against the gap before "
					       "it (%.3f s; loss probe %s)", g, gp, tlp ? "on" : "off");
		} else {
			lo = 2 * gp - 2 * slp - 2 * late - smp;
			hi = 2 * gp + sl + late + smp;
		}
		ok = g >= lo && g <= hi;
		l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, "%s%.2f/%.2f%s", k ? ", " : "",
			 1 + tlp + k < fin.n ? fin.at[1 + tlp + k] / 1e3 : -1.0, at[k] - t_fin,
			 ok ? "" : "!");
		EXPECT_TRUE(ok) TH_LOG("FIN retransmission %d: gap %.3f s, %s [%.3f, %.3f]", k + 1,
				       g, k == 0 ? (tlp ? "PTO + RTO" : "RTO") : k == 1 ? "2 RTO" :
				       "doubling rule", lo, hi);
	}
	TH_LOG("FIN retransmissions (model/measured s after the FIN, RTO %.3f s from the "
	       "longest span, %.2f s read at the FIN; loss probe %s (tcp_early_retrans %u), not "
	       "counted by retrnsmt; the first two gaps checked against that RTO, each later one "
	       "to double the one before): %s", a.fin_rto / 1e3, rto0, tlp ? "on" : "off",
	       m->p.tcp_early_retrans, msg);
	lr_imp_moment(m, "FIN retransmissions seen", "the FIN", -1, 0, 0, n, msg);

	if (e.still_trying) {
		imp_check(f, "still trying", &e.trying, ts_try < 0 ? -1 : ts_try - u.r.t_call,
			  _metadata);
		/* the old socket dies at FIN + TCP_USER_TIMEOUT: e.ok counts from the call */
		imp_check(f, "old socket gone", &e.gone, t_death < 0 ? -1 : t_death - u.r.t_call,
			  _metadata);
		imp_check(f, "OK", &e.ok, ts_ok < 0 ? -1 : ts_ok - u.r.t_call, _metadata);
	} else {
		EXPECT_EQ(0, lr_imp_count(m, lr_imp_re_trying(m), t_go, NULL))
			TH_LOG("no stall expected: %s", e.ok.why);
		TH_LOG("no 'still trying': the LOCK did not wait for the old socket (%s)",
		       e.ok.why);
	}
	imp_check(f, "fcntl() returned", &e.ok, u.r.t_ret - u.r.t_call, _metadata);

	/*
	 * The reconnect: the source port of each connect attempt of lockd's transport after
	 * the LOCK (rpc_debug: xs_bind, then the connect worker), and of the connection that
	 * carried the LOCK (socket watcher). Port reuse is a property of the first attempt:
	 * when it fails (the server's stale connection may refuse it), mainline forgets the
	 * port (xs_tcp_state_change(): TCP_CLOSE while connecting -> xs_reset_srcport()) and
	 * the next attempt binds a new one; 4.19 keeps it.
	 */
	/* from the call's jiffy on: a connect made at once (no-reuseport) is stamped in it,
	 * up to lr_tol_stamp() before the call's own clock reading */
	nc = lr_trace_connects(m->trace, m->ntrace, u.r.t_call - lr_tol_stamp(&m->p) / 1e3,
			       m->lockd_port, cport, LR_MAX_SEGS);
	for (k = 0, msg[0] = '\0'; k < nc; k++) {
		l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, "%s%d", k ? ", " : "", cport[k]);
	}
	t_new = t_go;
	port = new_conn(m, old, &t_new);
	EXPECT_LT(0, port) TH_LOG("no new lockd connection seen");
	TH_LOG("connect attempts after the LOCK from port %s; the connection that carried it "
	       "from port %d, %.2f s after the LOCK call (old port %d): %s", nc ? msg : "(none "
	       "in the trace)", port, t_new - u.r.t_call, old, port == old ? "the same reserved "
	       "port (TCP Port numbers reused in the capture)" : "a new port");
	lr_imp_moment(m, "new connection", "the fcntl() call", -1, 0, 0, t_new - u.r.t_call,
		      port == old ? "same source port" : "new source port");
	ASSERT_LE(1, nc) TH_LOG("no connect attempt of lockd's transport in the rpc_debug trace");
	/* two sources, the trace's binds and the socket table, must agree */
	for (k = 0; k < nc && cport[k] != port; k++)
		;
	EXPECT_LT(k, nc) TH_LOG("carried from port %d, which no connect attempt bound", port);
	if (a.no_reuseport) {
		EXPECT_NE(old, cport[0]) TH_LOG("no-reuseport kernel reused the port");
	} else {
		EXPECT_EQ(old, cport[0]) TH_LOG("lockd's transport did not reuse its port");
		if (lr_rules(&m->p) == LR_RULES_4_19) {
			for (k = 1; k < nc && cport[k] == old; k++)
				;
			EXPECT_EQ(nc, k) TH_LOG("4.19 never forgets its source port: attempt %d "
						"from port %d", k + 1, k < nc ? cport[k] : -1);
		} else if (port != old) {
			TH_LOG("the attempt from port %d failed; mainline then forgets the port "
			       "(xs_reset_srcport()) and binds a new one", old);
		}
	}
	EXPECT_LE(1, lr_imp_dropped(m)) TH_LOG("the server's rule dropped no FIN");
	TH_LOG("FINs dropped by the server's rule: %ld", lr_imp_dropped(m));
	imp_no_timed_out(f, t_go, _metadata);
	imp_final_state(f, IMP_SETLKW, &u.r, _metadata);
	imp_end(&u);
}

TEST_HARNESS_MAIN
