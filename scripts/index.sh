#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# index.sh RUN_DIR: write RUN_DIR/index.html (atomically) from the run's summary.json, its
# summary.md and the files of its cases: the kernel × case verdict matrix, every evidence
# file linked, each case's timeline.svg shown, the summary's answers to the seed's three
# questions, and links to compare.md and sweep.md when the run has them. One static page:
# relative links only, no script, no fetch, so it works from file:// and from a CI
# artifact. vm/run.sh calls it after each case; make compare and make sweep call it again
# to add their links.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# = 1 ] || die "usage: scripts/index.sh RUN_DIR"
run=${1%/}
[ -f "$run/summary.json" ] || die "$run is not a run (no summary.json)"
need_cmd jq

# every file of every case, "kernel/case/file", the page links them all
find "$run" -mindepth 3 -maxdepth 3 -type f ! -name '.*' ! -name '*.tmp.*' -printf '%P\n' |
	LC_ALL=C sort |
jq -r -s -R --slurpfile s "$run/summary.json" \
	--rawfile md "$run/summary.md" \
	--arg extra "$(cd "$run" && ls compare.md sweep.md 2>/dev/null)" '
	($s[0]) as $sum |
	(split("\n") | map(select(length > 0))) as $files |
	def cdir: .dir | capture("(?<k>[^/]+/[^/]+)$").k;
	def cls: if . == "pass" then "pass" elif . == "skip" then "skip" else "fail" end;
	($sum.cases | map(.kernel) | unique) as $kernels |
	($sum.cases | map(.case) | unique) as $cases |
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
	"<title>lockd-repro run \($sum.run_id | @html)</title>",
	"<style>body{font-family:sans-serif;margin:1.2em;color:#222}",
	"table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px}",
	".pass{background:#d8f0d8}.fail{background:#f6d0d0}.skip{background:#eee}",
	"pre{white-space:pre-wrap;background:#f7f7f7;padding:.6em;font-size:12px}",
	"img{max-width:100%;border:1px solid #ccc}.files a{margin-right:.7em;font-size:13px}</style>",
	"</head><body>",
	"<h1>lockd-repro run \($sum.run_id | @html)</h1>",
	"<p>profile \($sum.profile | @html). Files: <a href=\"summary.md\">summary.md</a> ",
	"<a href=\"summary.json\">summary.json</a> <a href=\"junit.xml\">junit.xml</a> ",
	"<a href=\"versions\">versions</a>",
	($extra | split("\n") | map(select(length > 0) | " <a href=\"\(. | @html)\">\(. | @html)</a>") | join("")),
	"</p>",
	"<h2>Verdicts</h2><table id=\"matrix\"><tr><th>case</th>",
	($kernels | map("<th>\(. | @html)</th>") | join("")), "</tr>",
	($cases[] as $c | "<tr><td>\($c | @html)</td>" + ($kernels | map(. as $k |
		($sum.cases | map(select(.kernel == $k and .case == $c)) | first) as $r |
		if $r == null then "<td></td>" else
		"<td class=\"\($r.verdict | cls)\"><a href=\"#\($r | cdir | @html)\">\($r.verdict | @html)</a></td>"
		end) | join("")) + "</tr>"),
	"</table>",
	($sum.cases[] | . as $r | cdir as $d |
		"<h2 id=\"\($d | @html)\">\($r.kernel | @html) / \($r.case | @html): <span class=\"\($r.verdict | cls)\">\($r.verdict | @html)</span></h2>",
		"<p>\($r.reason | @html) (\($r.duration_s) s)</p>",
		"<p class=\"files\">" + ($files | map(select(startswith($d + "/"))) |
			map("<a href=\"\(. | @html)\">\(ltrimstr($d + "/") | @html)</a>") | join(" ")) + "</p>",
		(if ($files | index($d + "/timeline.svg")) then
			"<p><a href=\"\($d | @html)/timeline.svg\"><img src=\"\($d | @html)/timeline.svg\" alt=\"timeline of \($r.kernel | @html)/\($r.case | @html)\"></a></p>"
		 else "<p>(no timeline.svg)</p>" end)),
	"<h2>The seed&apos;s three questions (summary.md)</h2>",
	"<pre>\($md | (index("\n## ") // length) as $i | .[$i:] | ltrimstr("\n") | @html)</pre>",
	"</body></html>"
' | atomic_write "$run/index.html"
