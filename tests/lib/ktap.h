/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h: the one KTAP/TAP reader and counter of lockd-repro. vm/run.sh decides a case's
 * verdict with it and scripts/check.sh counts every step of `make check` with it, both
 * through the host tool build/host/lr_ktap (tests/host/lr_ktap.c). Pure: no I/O here;
 * tests/unit/ktap_test.c tests it.
 *
 * The rules (fail-closed: whatever is not understood fails, never passes):
 *
 * - A line is read after its indentation (spaces, tabs) and without its "\r\n". A line
 *   with no indentation is top level; an indented one is nested (a subtest, e.g. the
 *   tests of a case that `vm/run.sh --tap` prints under the case's own line).
 * - Result: "ok N ..." or "not ok N ..." (N decimal, then the end of the line or a blank).
 *   Every "not ok" is a failure, whatever its directive ("# SKIP" and "# TODO" too). An
 *   "ok" counts by its directive, the first '#' after N followed by blanks and an
 *   upper-case word: SKIP skip, XFAIL xfail (a known bug reproduced: it passes), XPASS
 *   xpass (the known bug did not show: it fails), anything else pass. A line that starts
 *   with the word "ok" or "not ok" without a number is an error ("ok - x" is legal TAP,
 *   but nothing of ours prints it: a line that lost its number is garbled output).
 * - Every result counts, nested ones too; only top-level results count toward a plan.
 * - Plan: "1..N" (optionally followed by blanks and a "# comment"); "1..x" is an error.
 *   Nested plans and version lines are not checked (a truncated subtest list loses its
 *   parent's result line, so the parent's plan sees it).
 * - "Bail out!" (at any depth) is an error.
 * - Documents: one stream may hold several TAP documents one after the other (`make
 *   check`'s unit step prints one per unit test binary). A top-level "TAP version N" or
 *   "KTAP version N" starts a new document; so does a result or a plan after a document
 *   is closed. A document closes when its leading plan (before any result) has as many
 *   results as it plans, or at its trailing plan (after its results). A second plan in an
 *   open document starts a new one.
 * - Sequence: a document's top-level results are numbered 1, 2, 3, ... in order; another
 *   number is an error ("more results than planned" when the document before was full).
 * - "# Totals: pass:P fail:F xfail:X xpass:Y skip:S error:E" (the kselftest harness's
 *   last line) is not a result. It is checked against the result lines of its document
 *   (fail+error against "not ok"; missing keys are not checked); a disagreement is an
 *   error, and the result lines are what counts.
 * - Everything else (diagnostics "# ...", kernel or program noise) is ignored.
 *
 * Complete: at least one document, and every document has a plan with exactly as many
 * top-level results. Ok (the tool's exit 0): complete, and no fail, no xpass, no error.
 * plan and results below are the sums over all documents.
 */
#ifndef LR_KTAP_H
#define LR_KTAP_H

#include <stdbool.h>
#include <stddef.h>

#define LR_KTAP_WHY	320

struct lr_ktap_doc {
	bool started, has_plan, leading, closed;
	unsigned int plan, results, last;
	unsigned int pass, fail, skip, xfail, xpass;	/* its results, nested ones too */
};

struct lr_ktap {
	/* every result line, nested ones too */
	unsigned int pass, fail, skip, xfail, xpass;
	unsigned int error;		/* Bail out!, garbled result or plan lines, Totals, order */
	unsigned int plan, results;	/* sum of the top-level plans; top-level results */
	unsigned int docs;		/* documents seen (0: no TAP at all) */
	bool complete;			/* set by lr_ktap_end() */
	unsigned long lineno, lines;	/* lines read; of them not blank */
	struct lr_ktap_doc doc;		/* the current (or last closed) document */
	bool ended;
	/* the first problem of each kind, for a one-line reason */
	char why_fail[LR_KTAP_WHY], why_xpass[LR_KTAP_WHY], why_error[LR_KTAP_WHY];
	char why_incomplete[LR_KTAP_WHY];
};

void lr_ktap_init(struct lr_ktap *k);
/* one line of the stream, with or without its newline */
void lr_ktap_line(struct lr_ktap *k, const char *line);
/* a whole text: its lines, then lr_ktap_end() */
void lr_ktap_text(struct lr_ktap *k, const char *text);
/* end of the stream: closes the last document and decides complete */
void lr_ktap_end(struct lr_ktap *k);
/* complete and nothing failed (fail, xpass, error all 0); after lr_ktap_end() */
bool lr_ktap_ok(const struct lr_ktap *k);
/* "" when ok; else one line: the first failure, XPASS or error (in that order), then
 * "; " and why the stream is incomplete, if it is */
const char *lr_ktap_why(const struct lr_ktap *k, char *buf, size_t size);
/* "pass=N fail=N skip=N xfail=N xpass=N error=N plan=N results=N complete=0|1 docs=N" */
int lr_ktap_format(const struct lr_ktap *k, char *buf, size_t size);

#endif
