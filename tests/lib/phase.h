/* SPDX-License-Identifier: GPL-2.0 */
/*
 * phase.h: what a test is doing now, for the case runner's live progress and its time
 * breakdown (docs/internals.md, "Phases"). The test says it; the host only shows it.
 *
 * One line per change, appended to $LR_OUT/phases (the shared /lr/out, which the host
 * reads while the case runs):
 *
 *	<CLOCK_MONOTONIC s> phase <due s or -> <text>	a new phase; due: how long it
 *							should take by the model
 *	<CLOCK_MONOTONIC s> scenario - start		the scenario's protocol waits
 *							begin (impairment on)
 *	<CLOCK_MONOTONIC s> scenario - end		they are over (teardown)
 */
#ifndef LR_PHASE_H
#define LR_PHASE_H

#include <stdbool.h>

/* a new phase; due_s < 0: no model figure. printf-style text, one line. */
void lr_phase(double due_s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the scenario's protocol waits start (once per test: later calls are ignored) or end */
void lr_phase_scenario(bool start);
#endif /* LR_PHASE_H */
