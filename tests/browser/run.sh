#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/browser/run.sh [RUN_DIR]: open a run's index.html and one of its timeline.svg in
# Debian's chromium, headless, and fail on what a person would see go wrong (TAP):
#   - index.html: any console message while it loads (the page has no script, so any is an
#     error), an image that did not load, no verdict matrix;
#   - the SVG: an XML error page (parsererror), an empty render (a screenshot with fewer
#     than 2 % of its pixels off the background, counted by build/host/lr_pngcount).
# Then the same checks on a copy spoiled three ways (an image that is missing, a
# console.error, an SVG with nothing drawn): each must fail, or the test has no teeth.
# RUN_DIR: default the newest results/<run>/ with an index.html. Exit 0 all ok, 1 a check
# failed, 2 no chromium or no run.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

run=${1:-$(ls -d "$LR_TOP"/results/*/index.html 2>/dev/null | sort | tail -1)}
run=${run%/index.html}
[ -n "$run" ] && [ -f "$run/index.html" ] ||
	die "no run with an index.html${1:+ in $1} (make run-all first)"
run=$(readlink -f "$run")
need_cmd chromium
count=$LR_BUILD/host/lr_pngcount
make -s -C "$LR_TOP/tests" host >/dev/null || die "make -C tests host failed"

scratch=$(mktemp -d /tmp/lockd-repro-browser.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$scratch"' EXIT

# chromium ARGS...: headless, its own profile, a time budget for the page to settle;
# stderr (where --enable-logging puts the pages' console lines) to $scratch/log
chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
		--user-data-dir="$scratch/profile" --allow-file-access-from-files \
		--enable-logging=stderr --v=0 --virtual-time-budget=5000 "$@" 2>"$scratch/log"
}

# open_index DIR: "images=N broken=N matrix=0|1 <broken srcs>", then the console lines, from
# a page that frames DIR/index.html and inspects it once everything has loaded
open_index() {
	cat >"$scratch/probe.html" <<EOF
<!DOCTYPE html><html><body><pre id="out">LR-RESULT none</pre>
<iframe id="f" src="file://$1/index.html" width="1400" height="900"></iframe>
<script>
window.addEventListener('load', function () {
	var out = document.getElementById('out'), d = document.getElementById('f').contentDocument;
	if (!d) { out.textContent = 'LR-RESULT no-document'; return; }
	var imgs = Array.prototype.slice.call(d.images);
	var bad = imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0; });
	out.textContent = 'LR-RESULT images=' + imgs.length + ' broken=' + bad.length +
		' matrix=' + (d.getElementById('matrix') ? 1 : 0) + ' ' +
		bad.map(function (i) { return i.getAttribute('src'); }).join(' ');
});
</script></body></html>
EOF
	chrome --dump-dom "file://$scratch/probe.html" |
		sed -n 's|.*<pre id="out">LR-RESULT \([^<]*\)</pre>.*|\1|p' | head -1
	grep -a 'CONSOLE' "$scratch/log" | sed 's/^[^]]*\] *//' | head -5
}

# render_svg FILE: "parsererror" or "<non-background> <total>" of a screenshot of FILE
render_svg() {
	chrome --dump-dom "file://$1" | grep -q parsererror && { echo parsererror; return; }
	chrome --window-size=1280,900 --screenshot="$scratch/shot.png" "file://$1" >/dev/null
	"$count" "$scratch/shot.png" 2>&1
}

n=0 failed=0
tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
check() {	# check DIR SVG: 0 when every check passed; what it saw in $res
	local dir=$1 svg=$2 out console r bad=0 px tot
	out=$(open_index "$dir")
	console=$(sed 1d <<<"$out")
	r=$(head -1 <<<"$out")
	res="index.html: ${r:-no result from the page}"
	[[ "$r" =~ ^images=([0-9]+)\ broken=0\ matrix=1 ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] || bad=1
	[ -z "$console" ] || { bad=1; res+="; console: $(head -1 <<<"$console")"; }
	r=$(render_svg "$svg")
	read -r px tot <<<"$r"
	if [[ "$px" =~ ^[0-9]+$ ]] && [[ "${tot:-}" =~ ^[0-9]+$ ]] && [ "$tot" -gt 0 ] &&
	   [ $((px * 100 / tot)) -ge 2 ]; then
		res+="; ${svg#"$dir"/}: $px of $tot pixels drawn"
	else
		bad=1 res+="; ${svg#"$dir"/}: ${r:-no screenshot}"
	fi
	return $bad
}

# the largest picture: the case with the most to draw
svg=$(ls -S "$run"/*/*/timeline.svg 2>/dev/null | head -1)
[ -n "$svg" ] || die "$run has no timeline.svg"
echo "1..2"
check "$run" "$svg"; tap $? "real run $(basename "$run"): $res"

# the teeth: the same checks on a spoiled copy must fail, each spoiling on its own
mkdir -p "$scratch/bad"
cp -r "$run" "$scratch/bad/run"
spoil=$scratch/bad/run
rm -f "${spoil}/$(realpath --relative-to="$run" "$svg")"
sed -i 's|</body>|<script>console.error("spoiled")</script></body>|' "$spoil/index.html"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"></svg>\n' \
	>"$scratch/bad/empty.svg"
check "$spoil" "$scratch/bad/empty.svg"
if [ $? -ne 0 ] && [[ "$res" == *"broken=1"* ]] && [[ "$res" == *"console:"*spoiled* ]] &&
   [[ "$res" == *"empty.svg: 0 "* ]]; then
	tap 0 "a spoiled copy fails: $res"
else
	tap 1 "a spoiled copy was not caught (missing image, console.error, empty SVG): $res"
fi
[ $failed -eq 0 ]
