#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of lr_explain (tests/explain/, `make explain`), on the fixtures in
# tests/explain/fixtures/ (make-seed.sh: the seed's incidents verbatim; make-case.sh:
# small derivations of real runs' case dirs) and on inputs made here:
#   - every fixture comes out as the impairment of the case (or the seed's conclusion)
#     it was taken from; the expectations below come from those names, not from the tool;
#   - the seed's 0619, 0622, 0825 also with renamed addresses and ports, a shifted
#     capture clock and the packets at both edges missing, and their reproduction commands;
#   - hostile input: empty, binary, no packets, truncated pcap, huge, a directory: exit 2
#     and one line on stderr, nothing on stdout; every fuzz finding (tests/explain/regress/)
#     ends with 0 or 2, never a signal.
# Needs build/host/lr_explain (make -C tests unit builds it). Pure: no VM, no network.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fx=$top/tests/explain/fixtures
bin=${LR_EXPLAIN:-${LR_BUILD:-$top/build}/host/lr_explain}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"

[ -x "$bin" ]; ok $? "lr_explain is built ($bin)" || { tap_end; exit 1; }

# class LOG CAP [options]: the report's class word(s), without the confidence
class() {
	local log=$1 cap=$2; shift 2
	"$bin" --dmesg "$log" ${cap:+--pcap "$cap"} "$@" 2>&1 | sed -n 's/^class: \([^(]*\).*/\1/p' |
		sed 's/ *$//'
}

expect() {	# expect WANT DESCRIPTION LOG CAP [options]
	local want=$1 what=$2 got; shift 2
	got=$(class "$@")
	[ "$got" = "$want" ]; ok $? "$what: $want" "got '$got'"
}

# the fixtures of real runs: NAME.log + NAME.txt (tshark's list), some also .pcap/.pcapng
# and .tcpdump; quick-profile runs have nlm_timeout 3
while IFS=$'\t' read -r name want nlm; do
	for cap in "$fx/$name".txt "$fx/$name".pcap "$fx/$name".pcapng "$fx/$name".tcpdump; do
		[ -f "$cap" ] || continue
		expect "$want" "$name (${cap##*.})" "$fx/$name.log" "$cap" --nlm-timeout "$nlm"
	done
done <<'EOF'
baseline			none				3
svc-sleep-getlk_behind_lock	svc-sleep			3
link-down-setlk			link-down			3
portmap-synack-lost-lock	portmap-synack-lost		3
fin-blackhole-lock		fin-blackhole			3
customer-0619			portmap-synack-lost + timed-out-callback	10
granted_res-4.19		timed-out-callback		10
EOF
# parameters other than the run's must not change the class (only the model's figures)
expect link-down "link-down-setlk with the default nlm_timeout" "$fx/link-down-setlk.log" \
	"$fx/link-down-setlk.txt"
"$bin" --dmesg "$fx/link-down-setlk.log" --pcap "$fx/link-down-setlk.txt" | grep -q 'fits nlm_timeout=3'
ok $? "the report names the nlm_timeout the observed interval fits"

# the score over a run (scripts/explain.sh --score, what make check runs on its own run):
# a run dir made of fixtures, one case dir mislabelled, which must cost a point
mkcase() {	# mkcase NAME FIXTURE CAPTURE
	mkdir -p "$tmp/run/mainline/$1"
	cp "$fx/$2.log" "$tmp/run/mainline/$1/dmesg.client"
	cp "$fx/$3" "$tmp/run/mainline/$1/capture.pcap"
	echo "pass: 1 passed, 0 skipped" >"$tmp/run/mainline/$1/status"
	echo '[{"params": {"nlm_timeout": 3}}]' >"$tmp/run/mainline/$1/timings.json"
}
mkcase link-down-setlk link-down-setlk link-down-setlk.pcap
mkcase portmap-synack-lost-lock portmap-synack-lost-lock portmap-synack-lost-lock.pcapng
mkcase baseline baseline link-down-setlk.pcap
LR_BUILD=${bin%/host/lr_explain} "$top/scripts/explain.sh" --score "$tmp/run" >"$tmp/score" 2>/dev/null
[ $? -eq 0 ] && grep -q '^# explain score: 6/6 ' "$tmp/score"
ok $? "--score over a run of three case dirs, pcap and tcpdump text each: 6/6" "$(grep score "$tmp/score")"
mkcase svc-sleep-lock link-down-setlk link-down-setlk.pcap	# link-down evidence, svc-sleep name
LR_BUILD=${bin%/host/lr_explain} "$top/scripts/explain.sh" --score "$tmp/run" >"$tmp/score" 2>/dev/null
[ $? -ne 0 ] && grep -q '^# explain score: 6/8 ' "$tmp/score" &&
	grep -q "^not ok .*svc-sleep-lock (pcap): got 'link-down', expected 'svc-sleep'" "$tmp/score"
ok $? "--score fails a case dir whose evidence is another impairment's: 6/8" "$(grep -v '^ok' "$tmp/score")"

# --- the seed's incidents ---------------------------------------------------------
declare -A seed_want=([0619]="portmap-synack-lost + timed-out-callback" [0622]=fin-blackhole
		      [0825]=fin-blackhole [linkdown]=link-down)
declare -A seed_case=([0619]=customer-0619 [0622]=fin-blackhole/lock [0825]=fin-blackhole/lock
		      [linkdown]=link-down/lock)

# rename every address and port but rpcbind's 111 (word-bounded: Seq/Len values differ)
rename() {
	sed -E -e 's/\b215\.2\.21\.62\b/10.20.30.40/g' -e 's/\b215\.1\.39\.124\b/10.20.30.9/g' \
	    -e 's/\b11\.73\.24\.85\b/172.16.5.5/g' -e 's/\b11\.8\.68\.71\b/172.16.9.9/g' \
	    -e 's/\b192\.168\.53\.40\b/10.1.1.1/g' -e 's/\b192\.168\.53\.214\b/10.1.1.2/g' \
	    -e 's/\b33306\b/51515/g' -e 's/\b871\b/702/g' -e 's/\b2052\b/45123/g' \
	    -e 's/\b740\b/611/g' -e 's/\b40115\b/33333/g' "$1"
}

# shift every date-time of a capture's rows by $2 seconds (date(1) does the calendar)
shift_clock() {
	local line pre dt frac rest
	while IFS= read -r line; do
		if [[ $line =~ ^(.*)([0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?(.*)$ ]]; then
			pre=${BASH_REMATCH[1]} dt=${BASH_REMATCH[2]} frac=${BASH_REMATCH[3]}
			rest=${BASH_REMATCH[4]}
			dt=$(date -u -d "@$(($(date -u -d "$dt" +%s) + $2))" '+%Y-%m-%d %H:%M:%S')
			printf '%s%s%s%s\n' "$pre" "$dt" "$frac" "$rest"
		else
			printf '%s\n' "$line"
		fi
	done <"$1"
}

# drop the first and the last two packet rows
trim_edges() {
	local rows
	rows=$(grep -c -E '^[0-9]+	[0-9]{4}-' "$1")
	awk -v n="$rows" '/^[0-9]+\t[0-9][0-9][0-9][0-9]-/ { k++; if (k <= 2 || k > n - 2) next } { print }' "$1"
}

for s in 0619 0622 0825 linkdown; do
	log=$fx/seed-$s.log cap=$fx/seed-$s.txt want=${seed_want[$s]}
	expect "$want" "seed $s as the seed gives it" "$log" "$cap" --kernel 4.19
	out=$("$bin" --dmesg "$log" --pcap "$cap" --kernel 4.19)
	grep -q "^reproduce: make run CASE=${seed_case[$s]} KERNEL=4.19 PROFILE=customer" <<<"$out"
	ok $? "seed $s: reproduced by CASE=${seed_case[$s]} KERNEL=4.19 PROFILE=customer" \
		"$(grep '^reproduce' <<<"$out")"
	grep -q 'model (4.19, nlm_timeout 10\|model: the old socket dies at FIN + 180' <<<"$out"
	ok $? "seed $s: the model's figures beside the customer's"

	rename "$log" >"$tmp/r.log"; rename "$cap" >"$tmp/r.txt"
	expect "$want" "seed $s, addresses and ports renamed" "$tmp/r.log" "$tmp/r.txt" --kernel 4.19
	shift_clock "$cap" 11873 >"$tmp/s.txt"
	expect "$want" "seed $s, capture clock 3 h 17 min 53 s ahead" "$log" "$tmp/s.txt" --kernel 4.19
	shift_clock "$cap" -7200 >"$tmp/s2.txt"
	expect "$want" "seed $s, capture clock 2 h behind" "$log" "$tmp/s2.txt" --kernel 4.19
	trim_edges "$cap" >"$tmp/t.txt"
	expect "$want" "seed $s, first and last two packets missing" "$log" "$tmp/t.txt" --kernel 4.19
	rename "$tmp/t.txt" >"$tmp/rt.txt"; shift_clock "$tmp/rt.txt" 600 >"$tmp/rts.txt"
	expect "$want" "seed $s, all three at once" "$tmp/r.log" "$tmp/rts.txt" --kernel 4.19
done
# no capture: only what the log's rules decide
expect "unknown + timed-out-callback" "seed 0619 without a capture" "$fx/seed-0619.log" ""
"$bin" --dmesg "$fx/seed-0622.log" | grep -q 'no capture: which request stalled, and why, cannot be told'
ok $? "without a capture the report says what cannot be told"

# --- hostile input: one line on stderr, exit 2, nothing on stdout, never a hang ------
two() {	# two DESCRIPTION ARGS...: exit 2, one stderr line, empty stdout, within 60 s
	local what=$1 rc; shift
	timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]
	ok $? "$what: exit 2 and one line" "exit $rc, stdout $(wc -c <"$tmp/out") bytes, stderr: $(head -c 300 "$tmp/err")"
}
: >"$tmp/empty"
head -c 4096 /dev/urandom >"$tmp/random"
printf 'nothing\nlike a capture\n' >"$tmp/prose"
head -c 3000 "$fx/link-down-setlk.pcap" >"$tmp/trunc.pcap"
head -c 24 "$fx/link-down-setlk.pcap" >"$tmp/hdr.pcap"
head -c 2000 "$fx/portmap-synack-lost-lock.pcapng" >"$tmp/trunc.pcapng"
truncate -s 300M "$tmp/huge"
printf '\xd4\xc3\xb2\xa1garbage after a pcap magic' >"$tmp/badmagic"
two "empty log" --dmesg "$tmp/empty"
two "empty capture" --dmesg "$fx/seed-0622.log" --pcap "$tmp/empty"
two "binary log" --dmesg "$tmp/random"
two "a text that is no kernel log" --dmesg "$tmp/prose"
two "binary capture" --dmesg "$fx/seed-0622.log" --pcap "$tmp/random"
two "text capture without a packet" --dmesg "$fx/seed-0622.log" --pcap "$tmp/prose"
two "truncated pcap" --dmesg "$fx/link-down-setlk.log" --pcap "$tmp/trunc.pcap"
two "pcap header only" --dmesg "$fx/link-down-setlk.log" --pcap "$tmp/hdr.pcap"
two "truncated pcapng" --dmesg "$fx/link-down-setlk.log" --pcap "$tmp/trunc.pcapng"
two "a pcap magic and garbage" --dmesg "$fx/link-down-setlk.log" --pcap "$tmp/badmagic"
two "300 MB capture" --dmesg "$fx/seed-0622.log" --pcap "$tmp/huge"
two "a directory as log" --dmesg "$tmp"
two "a missing file" --dmesg "$tmp/missing"
two "an unknown kernel name" --dmesg "$fx/seed-0622.log" --kernel foo
awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "[%d.000000] lockd: server 10.0.0.1 OK\n", i }' >"$tmp/many-lines"
two "100001 lockd lines" --dmesg "$tmp/many-lines"
# a pcap of USB frames: libpcap reads it, nothing in it is a packet of ours
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\xbd\0\0\0' >"$tmp/usb.pcap"
printf '\x01\0\0\0\0\0\0\0\x04\0\0\0\x04\0\0\0abcd' >>"$tmp/usb.pcap"
two "a pcap without one IP frame" --dmesg "$fx/seed-0622.log" --pcap "$tmp/usb.pcap"
gzip -c "$fx/link-down-setlk.pcap" >"$tmp/c.pcap.gz"
two "a gzip-compressed capture" --dmesg "$fx/link-down-setlk.log" --pcap "$tmp/c.pcap.gz"
grep -q 'gunzip it first' "$tmp/err"; ok $? "a compressed capture is named so"

# many lines and many stalls: bounded work, not a hang (tests/explain/many.awk)
awk -v N=300 -v JUNK=50000 -v CAP="$tmp/many.cap" -v LOG="$tmp/many.log" -f "$top/tests/explain/many.awk"
start=$(date +%s)
got=$(timeout 60 "$bin" --dmesg "$tmp/many.log" --pcap "$tmp/many.cap" --nlm-timeout 3 | sed -n 's/^class: \([^(]*\).*/\1/p')
secs=$(($(date +%s) - start))
[ "$got" = "svc-sleep " ] && [ $secs -le 30 ]
ok $? "300 stalls and 50600 lockd lines: svc-sleep in ${secs} s (<= 30)" "got '$got'"

# every fuzz finding replays without a crash (0 or 2; a signal would be >= 128)
n_regress=0
for f in "$top"/tests/explain/regress/*; do
	[ -f "$f" ] || continue
	n_regress=$((n_regress + 1))
	timeout 60 "$bin" --dmesg "$f" --pcap "$f" >/dev/null 2>&1; rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 2 ]; ok $? "regression input $(basename "$f"): exit $rc"
done
echo "# $n_regress fuzz regression input(s) replayed"

tap_end
