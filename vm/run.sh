#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run.sh: run cases in QEMU guest pairs and write results/<run-id>/.
#
#   vm/run.sh [--kernel K] [--tap] CASE      one case (make run CASE=… KERNEL=…)
#   vm/run.sh --all [--tap]                  every case of vm/cases.list (or CASES=…) for every
#                                            kernel in KERNELS, JOBS cases at a time (default 2);
#                                            SHARD=k/n: only the k-th of n shards of that list,
#                                            longest expected first (scripts/shard.sh)
#   vm/run.sh --bisect [--side S] CASE       for git bisect run: KSRC=tree (both sides, or only
#                                            side S, client|server; the other keeps KERNEL);
#                                            exit 0 pass, 1 fail, 125 cannot test (no build,
#                                            no boot, skipped), 255 abort (setup error)
#   --tap                                    also print one TAP line per case on stdout
#
# K, a KERNELS entry: a name for both guests, or client/server (4.19/mainline); a pair's
# results are in results/<run-id>/<client>+<server>/. CLIENT_KERNEL / SERVER_KERNEL set
# one side of every entry, CLIENT_KSRC / SERVER_KSRC build one side from a tree.
# Environment: KERNEL KERNELS CASES JOBS SHARD PROFILE=quick|customer KSRC PATCHSET LR_DEBUG=1
#   LR_BZIMAGE=path            use this bzImage instead of scripts/kernel.sh info
#   LR_SERVER_IMG, LR_CLIENT_IMG  use these initramfs images instead of rootfs/build.sh
#   LR_RESULTS=dir             results root (default <clone>/results)
#   LR_BOOT_TIMEOUT=s          QEMU start to "server ready" / "client mounted" (default 240)
#   LR_BOOT_SERIAL=0           --all: let the lanes' pairs boot together (default: in turn)
#   LR_CASE_TIMEOUT=s          "client mounted" to the client's poweroff (default: vm/cases.list)
#   LR_PROGRESS_BEAT=s         --all, not on a terminal (or CI set): the longest silence (60)
#
# --all on a terminal (and CI unset): a status area, redrawn every second, says what each
# running case does (its test's own phases, tests/lib/phase.h), done/total and an ETA; the
# cases' lines scroll above it. Otherwise a plain line per phase change and a heartbeat.
# Boot figures (host time from QEMU start to "lr: server ready" / "lr: client mounted", and
# the guests' own uptime) are printed on each case's progress line and kept in boot.txt.
# Each case: its own netns lr-<runid>-<n> (vm/net.sh), a pcap of the data bridge, the two
# guests (vm/qemu.sh), then results/<run-id>/<kernel>/<case>/ renamed into place when
# complete: ktap dmesg.* console.* capture.pcap versions boot.txt status result (key=value)
# timeline.svg. summary.md/summary.json/junit.xml/index.html are rewritten atomically from
# the finished cases after each case. Exit: 0 all pass (skips allowed), 1 a case failed, 2 setup error.
set -u
# Ctrl-C must stop a run at any moment. A command a non-interactive shell starts in the
# background (a script, CI: `make run-all &`) starts with SIGINT ignored, make keeps it so,
# and bash can neither trap nor reset a signal ignored on entry: the traps below never saw
# SIGINT, the preparation (kernel, images) went on, and only QEMU, which sets its own
# handler, stopped the run once it was up. Start again with SIGINT at its default.
# (run-all's workers keep it ignored: they learn of a Ctrl-C from QEMU or their parent.)
if [ "${1:-}" != --worker ] && (( 0x$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status) & 2 )); then
	exec env --default-signal=INT "$BASH" "$0" "$@"
fi
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
. "$LR_TOP/vm/common.sh"

usage() { sed -n '3,36s/^# \{0,1\}//p' "$0"; exit "${1:-2}"; }

PROFILE=${PROFILE:-quick}
LR_RESULTS=${LR_RESULTS:-$LR_TOP/results}
LR_CASES_FILE=$LR_TOP/vm/cases.list

casedir_name() { printf '%s' "${1//\//-}"; }

# case_timeout CASE: the case's timeout for PROFILE from vm/cases.list; fails if unknown.
case_timeout() {
	awk -v c="$1" -v p="$PROFILE" '!/^#/ && $1 == c { print (p == "customer" ? $3 : $2); f = 1 }
		END { exit !f }' "$LR_CASES_FILE"
}
all_cases() { awk '!/^#/ && NF { print $1 }' "$LR_CASES_FILE"; }

# new_run: create results/<run-id>/ (never an existing one) and its versions file.
new_run() {
	local img=$1 pk
	RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)-$$
	RUN_DIR=$LR_RESULTS/$RUN_ID
	mkdir -p "$LR_RESULTS" && mkdir "$RUN_DIR" 2>/dev/null || die "cannot create $RUN_DIR (exists?)"
	pk=$(dirname "$(kv "$img" server)")/packages.txt
	# each case's timeline names it (vm/timeline.sh): asked once, a tshark start costs
	# 1-1.5 s on a loaded host
	LR_TSHARK_VERSION=$("$LR_TOP/vm/timeline.sh" --version 2>/dev/null)
	export LR_TSHARK_VERSION
	{
		echo "run_id=$RUN_ID"
		echo "suite_commit=$(git -C "$LR_TOP" rev-parse HEAD 2>/dev/null)$(git -C "$LR_TOP" diff --quiet HEAD -- 2>/dev/null || echo -dirty)"
		echo "host_kernel=$(uname -srm)"
		echo "host_os=$(. /etc/os-release && echo "$PRETTY_NAME")"
		echo "qemu=$(qemu-system-x86_64 --version | head -1)"
		if command -v tcpdump >/dev/null 2>&1; then echo "capture=$(tcpdump --version 2>&1 | head -1)"
		else echo "capture=$(dumpcap --version 2>&1 | head -1)"; fi
		echo "profile=$PROFILE"
		echo "tshark=$LR_TSHARK_VERSION"
		# run-all: kernels, JOBS and the shard (scripts/shard.sh meta), for summary and merge
		[ -n "${RUN_META:-}" ] && printf '%s\n' "$RUN_META"
		sed 's/^/rootfs_/' "$img"
		if [ -f "$pk" ]; then echo "# rootfs packages ($pk)"; cat "$pk"; fi
	} | atomic_write "$RUN_DIR/versions"
}

# ---- one case ----
# The case's KTAP is read by scripts/lib.sh lr_ktap (build/host/lr_ktap on tests/lib/ktap.c),
# the one KTAP reader of the case verdict and of make check.

# kernel_log_bad DIR: "<role> kernel log: <line>" for the first oops, BUG, WARN, panic,
# lockup or hung task in DIR/dmesg.client, then DIR/dmesg.server (the logs the case keeps;
# the tests check them too, in their teardown, but a guest that died never got there)
kernel_log_bad() {
	local r l
	for r in client server; do
		l=$(grep -aE 'Kernel panic|Oops|kernel BUG|BUG:|WARNING:|general protection fault|soft lockup|hung_task|blocked for more than [0-9]+ seconds' \
			"$1/dmesg.$r" 2>/dev/null | grep -avE '[Cc]ommand line:' | head -1 | tr -d '\r' |
			sed -E 's/^\[ *[0-9.]+\] *//' | cut -c1-200)
		[ -n "$l" ] && { printf '%s kernel log: %s\n' "$r" "$l"; return 0; }
	done
	return 1
}

# qemu_err LOG: ": <QEMU's last error line>" if it wrote one (its first line is our command)
qemu_err() { local e; e=$(sed 1d "$1" 2>/dev/null | grep -v '^$' | tail -1); [ -n "$e" ] && printf ': %s' "$e"; }

# run_case LABEL CASE N KPAIR IMGINFO: one case, start to finish (KPAIR: resolve_pair's
# dir); returns 0 pass or skip, 1 fail. Everything it starts is on the cleanup list.
# start_guest ROLE: boot one guest of run_case's case in the background, on ROLE's kernel
# with ROLE's kernel words (uses run_case's locals)
start_guest() {
	"$LR_TOP/vm/qemu.sh" --role "$1" --netns "$ns" --kernel "$(kv "$kp/$1" bzimage)" \
		--initrd "$(kv "$img" "$1")" --out "$tmp" --append "$append $(kernel_args "$kp/$1")" \
		--console "$tmp/console.$1" --log "$tmp/qemu.$1.log" &
}

# interrupted_qemu ROLE: QEMU stopped on a signal (Ctrl-C reaches QEMU and this worker's
# group, TERM from a cleanup): the run is being interrupted, the case is not a result.
# Background workers ignore SIGINT (non-interactive bash), so they learn it from QEMU; the
# case is dropped, as every unfinished case of an interrupted run is.
interrupted_qemu() {
	grep -q 'terminating on signal' "$tmp/qemu.$1.log" 2>/dev/null || return 0
	warn "$kname/$case: interrupted ($(grep -o 'terminating on signal [0-9]*' "$tmp/qemu.$1.log" | head -1)); not recorded"
	exit 130
}

# boot_failure ROLE VERB RC LINE: why ROLE's guest did not VERB (wait_line's RC for LINE)
boot_failure() {
	local why="no '$4' in ${LR_BOOT_TIMEOUT}s"
	[ "$3" = 1 ] && why="QEMU exited$(qemu_err "$tmp/qemu.$1.log")"
	printf '%s VM did not %s (%s): console %s/console.%s' "$1" "$2" "$why" "$final" "$1"
}

# decide_accel KINFO...: KVM or TCG for every guest of the run, decided once (lr_accel) with
# the first resolved kernel's bzImage; LR_ACCEL set by the user wins
decide_accel() {
	local f bz
	[ -n "${LR_ACCEL:-}" ] && return
	for f; do
		bz=$(kv "$f" bzimage 2>/dev/null) && [ -n "$bz" ] || continue
		LR_ACCEL=$(lr_accel "$bz")
		export LR_ACCEL
		return
	done
}

# boot_slot_take: run-all's lanes take turns at booting (the slot is LR_W_BOOT_LOCK, a
# flock; LR_BOOT_SERIAL=0 lets them boot together). Under TCG a boot is CPU-bound and a
# case's scenario mostly waits on timers: three pairs that booted together on 2 cores took
# 17-19 s each to mount (the customer run's first three cases), one beside running cases
# 4-6 s. The lane waits before its case starts; the wait is boot_wait_host_s in the result.
# The flock runs in the background so that a signal's trap is not held back by it.
boot_slot_take() {
	local p
	[ -n "${LR_W_BOOT_LOCK:-}" ] && [ "${LR_BOOT_SERIAL:-1}" != 0 ] || return 0
	exec {LR_BOOT_FD}>>"$LR_W_BOOT_LOCK" || return 0
	flock "$LR_BOOT_FD" &
	p=$!
	defer "kill $p 2>/dev/null"
	wait "$p"
}
# boot_slot_give: the pair has booted (or failed to): the next lane's turn
boot_slot_give() {
	[ -n "${LR_BOOT_FD:-}" ] || return 0
	flock -u "$LR_BOOT_FD"
	exec {LR_BOOT_FD}>&-
	LR_BOOT_FD=
}

run_case() {
	local kname=$1 case=$2 n=$3 kp=$4 img=$5 tq
	local cname final tmp ns t0 ts tc tr tm tcd= rs rcm qs qc verdict= reason= timeout side
	local np=0 nf=0 nsk=0 ne=0 nxf=0 nl gstat= cstart pk
	cname=$(casedir_name "$case")
	final=$RUN_DIR/$kname/$cname
	tmp=$RUN_DIR/$kname/.$cname.tmp
	mkdir -p "$RUN_DIR/$kname" && mkdir "$tmp" || { warn "cannot create $tmp"; return 2; }
	defer rmdir "$RUN_DIR/$kname"	# only if no case of this kernel finished
	defer rm -rf "$tmp"
	tq=$(now)
	boot_slot_take
	defer boot_slot_give
	cstart=$(now)
	date +%s >"$tmp/.started"	# for the live progress (progress())
	timeout=${LR_CASE_TIMEOUT:-$(case_timeout "$case")} || timeout=600

	{ for side in client server; do echo "# $side kernel"; cat "$kp/$side"; echo; done
	  echo "# guest images"; cat "$img"
	  pk=$(dirname "$(kv "$img" server)")/packages.txt
	  [ -f "$pk" ] && { echo "# rootfs packages"; cat "$pk"; }; } >"$tmp/versions"

	for side in client server; do
		[ "$(cat "$kp/$side.rc")" = 3 ] && [ -z "$verdict" ] &&
			verdict=skip reason="$side kernel $(pair_side "$kname" $side) not available: $(sed "s/^SKIP *//" "$kp/$side" | head -1)"
	done
	if [ -z "$verdict" ]; then
		ns=$LR_NETNS_PREFIX$RUN_ID-$n
		defer net_down "$ns"
		net_up "$ns" || { warn "cannot set up namespace $ns"; return 2; }
		net_capture_start "$ns" "$tmp/capture.pcap" "$tmp/capture.log" ||
			{ warn "packet capture did not start (see $tmp/capture.log)"; return 2; }
		defer net_capture_stop

		# the test binary's harness timeouts end before the case's: 30 s for the guest
		# to save its evidence and power off (tests/lib/harness.h lr_cap_timeouts())
		local append="lr.case=$case lr.profile=$PROFILE lr.timeout=$((timeout - 30))"
		[ "${LR_DEBUG:-0}" = 1 ] && append+=" lr.debug=1"
		ts=$(now)
		start_guest server
		qs=$!
		defer kill_qemu "$qs"
		tc=$(now)
		start_guest client
		qc=$!
		defer kill_qemu "$qc"

		wait_line "$tmp/console.server" '^lr: server ready' "$qs" "$LR_BOOT_TIMEOUT"; rs=$?
		tr=$(now)
		[ $rs = 1 ] && interrupted_qemu server
		if [ $rs -ne 0 ]; then
			boot_slot_give
			verdict=fail reason=$(boot_failure server boot "$rs" 'lr: server ready')
		else
			wait_line "$tmp/console.client" '^lr: client mounted' "$qc" "$LR_BOOT_TIMEOUT"; rcm=$?
			tm=$(now)
			boot_slot_give
			[ $rcm = 1 ] && interrupted_qemu client
			if [ $rcm -ne 0 ]; then
				verdict=fail reason=$(boot_failure client mount "$rcm" 'lr: client mounted')
			elif ! wait_exit "$qc" "$timeout"; then
				verdict=fail reason="case timed out after ${timeout}s: console $final/console.client"
				# the evidence the client would have saved, over the management network
				LR_AGENT_TIMEOUT=20 net_agent "$ns" 192.168.99.214 dmesg >"$tmp/dmesg.client" 2>&1
				LR_AGENT_TIMEOUT=20 net_agent "$ns" 192.168.99.40 dmesg >"$tmp/dmesg.server" 2>&1
			else
				tcd=$(now)	# the client's QEMU is gone: "client done" (+ its power-off), host clock
			fi
			interrupted_qemu client
			# the client asked the server to power off; give it a moment, then kill it
			wait_exit "$qs" 30 || warn "$kname/$case: server did not power off, killed"
			interrupted_qemu server
		fi
		kill_qemu "$qc"; kill_qemu "$qs"
		net_capture_stop
		# the decoded timeline beside the pcap; a decoder failure costs the case nothing
		"$LR_TOP/vm/timeline.sh" "$tmp/capture.pcap" >"$tmp/timeline.txt" 2>"$tmp/timeline.err" ||
			warn "$kname/$case: no timeline (see $final/timeline.err)"
		[ -s "$tmp/timeline.err" ] || rm -f "$tmp/timeline.err"
		{
			echo "server_ready_host_s=$( [ "$rs" = 0 ] && elapsed "$ts" "$tr")"
			echo "server_ready_uptime_s=$(sed -n 's/^lr: server ready \([0-9.]*\).*/\1/p' "$tmp/console.server" | head -1)"
			echo "client_mounted_host_s=$( [ "${rcm:-1}" = 0 ] && elapsed "$tc" "$tm")"
			echo "client_mounted_uptime_s=$(sed -n 's/^lr: client mounted \([0-9.]*\).*/\1/p' "$tmp/console.client" | head -1)"
			echo "client_done_uptime_s=$(sed -n 's/^lr: client done \([0-9.]*\).*/\1/p' "$tmp/console.client" | head -1)"
			echo "mounted_to_done_host_s=$( [ -n "${tcd:-}" ] && elapsed "$tm" "$tcd")"
			echo "pair_start_to_mounted_s=$( [ "${rcm:-1}" = 0 ] && elapsed "$ts" "$tm")"
			# the host's own spans: the namespace and capture before the guests, and
			# after the client's QEMU is gone: the server's power-off, the capture's end
			# and its decoded timeline
			echo "prep_host_s=$(elapsed "$cstart" "$ts")"
			echo "boot_wait_host_s=$(elapsed "$tq" "$cstart")"
			echo "after_done_host_s=$( [ -n "${tcd:-}" ] && elapsed "$tcd" "$(now)")"
			echo "accel=$(grep -o 'accel=[a-z]*' "$tmp/qemu.server.log" | head -1 | cut -d= -f2)"
			echo "# host times: from starting vm/qemu.sh to the console line (0.1 s polling);"
			echo "# uptime: the guest's own /proc/uptime when it printed the line"
		} >"$tmp/boot.txt"
		# the dmesg files are the guests' own; when a guest did not write one (crash, timeout)
		# the console has the kernel log too
		for r in server client; do
			[ -s "$tmp/dmesg.$r" ] || { [ -s "$tmp/console.$r" ] &&
				{ echo "# lockd-repro: no dmesg.$r from the guest; console log follows"
				  cat "$tmp/console.$r"; } >"$tmp/dmesg.$r"; }
		done
		# the impairment tests' expected and measured moments, one JSON object per test:
		# an array (docs/results-schema.md); a line jq cannot read stays in the .jsonl
		if [ -s "$tmp/timings.jsonl" ]; then
			jq -s . "$tmp/timings.jsonl" >"$tmp/timings.json.tmp" 2>"$tmp/timings.err" &&
				mv "$tmp/timings.json.tmp" "$tmp/timings.json" &&
				rm -f "$tmp/timings.jsonl" "$tmp/timings.err" ||
				{ rm -f "$tmp/timings.json.tmp"; warn "$kname/$case: timings.jsonl is not JSON (see $final/timings.err)"; }
		fi
		# the guest's own status word is kept; "status" becomes the case verdict
		[ -f "$tmp/status" ] && { gstat=$(head -1 "$tmp/status"); mv "$tmp/status" "$tmp/status.guest"; }
		# fail-closed: a case passes only when both kernel logs are clean, the KTAP plan is
		# complete, every result is ok, SKIP or XFAIL, and the client wrote its status and
		# it says success; anything else fails, with the first reason in this order
		local kbad nxp=0 plan=0 nres=0 complete=0 docs=0 why=
		kbad=$(kernel_log_bad "$tmp")
		[ -e "$tmp/ktap" ] &&
			read -r np nf nsk nxf nxp ne plan nres complete docs why < <(lr_ktap "$tmp/ktap")
		np=$((np + nxf)) nf=$((nf + nxp))	# the result file's counts: XFAIL passed, XPASS failed
		if [ -n "$verdict" ]; then
			# the guests did not boot or the case timed out: the kernel log may say why
			[ -n "$kbad" ] && reason+="; $kbad"
		elif [ -n "$kbad" ]; then
			verdict=fail reason=$kbad
		elif [ ! -s "$tmp/ktap" ]; then
			verdict=fail reason="no KTAP from the client: console $final/console.client"
		elif [ "$nf" -gt 0 ] || [ "$ne" -gt 0 ]; then
			reason=
			[ "$nf" -gt "$nxp" ] && reason="$((nf - nxp)) test(s) failed"
			[ "$nxp" -gt 0 ] && reason+="${reason:+, }$nxp XPASS (a known bug did not show)"
			[ "$ne" -gt 0 ] && reason+="${reason:+, }$ne KTAP error(s)"
			verdict=fail reason+=": $why"
		elif [ -z "$gstat" ]; then
			verdict=fail reason="the client wrote no status: it stopped mid-case (${why:+KTAP $why, }console $final/console.client)"
		elif [ "$complete" != 1 ]; then
			verdict=fail reason="KTAP incomplete: $why"
		elif ! [[ "$gstat" =~ ^(0|ok|pass|PASS)$ ]]; then
			verdict=fail reason="guest status '$gstat'"
		elif [ "$np" -eq 0 ] && [ "$nsk" -gt 0 ]; then
			verdict=skip reason="all $nsk test(s) skipped"
		elif [ "$np" -eq 0 ]; then
			verdict=fail reason="KTAP has no results"
		else
			verdict=pass reason="$np passed, $nsk skipped"
			# an XFAIL is a known kernel bug reproduced (tests/lib/known_bugs.c)
			[ "$nxf" -gt 0 ] && reason+=", $nxf of the passed a known kernel bug (XFAIL): $(grep -oE '# XFAIL .*' "$tmp/ktap" | sed 's/^# XFAIL //' | paste -sd';')"
		fi
	fi
	# the guest's init explains a fatal setup error in /lr/out/error (e.g. "mount failed: …")
	[ "$verdict" = fail ] && [ -s "${tmp}/error" ] && reason="$reason; guest: $(head -1 "$tmp/error")"
	echo "$verdict${reason:+: $reason}" >"$tmp/status"
	local dur
	dur=$(elapsed "$cstart" "$(now)")
	{
		echo "kernel=$kname"; echo "case=$case"; echo "verdict=$verdict"; echo "reason=$reason"
		for side in client server; do
			echo "${side}_kernel=$(pair_side "$kname" $side)"
			echo "${side}_version=$(kv "$kp/$side" version)"
		done
		echo "pass=$np"; echo "fail=$nf"; echo "skip=$nsk"; echo "error=$ne"; echo "xfail=$nxf"
		echo "duration_s=$dur"
		echo "booted=$([ "${rs:-1}" = 0 ] && [ "${rcm:-1}" = 0 ] && echo 1 || echo 0)"
		[ -f "$tmp/boot.txt" ] && grep -v '^#' "$tmp/boot.txt"
		[ -f "$tmp/boot.txt" ] && time_breakdown "$tmp" "$dur"
	} >"$tmp/result"
	# the case's picture (tests/host/lr_svg.c; 1: nothing to draw) before it is renamed
	# into place, so a case dir is never seen without it
	[ -x "$LR_BUILD/host/lr_svg" ] && { "$LR_BUILD/host/lr_svg" "$tmp" || [ $? = 1 ] ||
		warn "$kname/$case: no timeline.svg"; }
	rm -f "$tmp/.started"
	[ -e "$final" ] && { warn "$final exists; case kept in $tmp"; return 2; }
	mv -T "$tmp" "$final" || return 2
	write_summary
	local b r=$final/result
	b=$(kv "$r" pair_start_to_mounted_s)
	[ -n "$b" ] && b="ready $(kv "$r" server_ready_host_s)s, mounted ${b}s (guest uptime $(kv "$r" server_ready_uptime_s)/$(kv "$r" client_mounted_uptime_s)s); "
	printf '==> [%s/%s] %-9s %-20s %-4s %s%s\n' "$n" "${LR_W_TOTAL:-1}" "$kname" "$case" "$verdict" \
		"$b" "${reason:-}" >&2
	[ "$verdict" = fail ] && printf 'lockd-repro: %s/%s failed: %s\n' "$kname" "$case" "$reason" >&2
	[ "$verdict" = fail ] && return 1
	return 0
}

# ---- run-level summaries, rebuilt from the finished cases' result files ----
# scripts/summary.sh is the one writer (make merge runs it too); under the run's flock so
# that two workers finishing together do not interleave
write_summary() { ( flock 9; "$LR_TOP/scripts/summary.sh" "$RUN_DIR" ) 9>"$RUN_DIR/.lock"; }

# ---- live progress ----
# progress TOTAL JOBS WLOG EXPECTED: while the run lasts, what each running case does, as its guest
# says it (tests/lib/phase.h: $tmp/phases), else from its consoles (booting, mounted).
# On a terminal (and not CI): a status area redrawn in place every second, the workers'
# lines (WLOG) printed above it. Otherwise: a line per phase change, a heartbeat at least
# every 60 s (LR_PROGRESS_BEAT), no escape codes. Ends on TERM or INT (Ctrl-C reaches the
# whole process group), flushing WLOG. Once a second for the whole run, beside the TCG
# guests: it starts no program per case (bash builtins, lr_nap), a tick of grep, cat, awk
# and date per case cost the guests CPU.
progress() {
	local total=$1 jobs=$2 wlog=$3 expf=$4 tty=0 t0 beat now_s area=0 wpos=0 stop=0
	local d key due txt el left lines done_n eta k c e rem mx ph n l all st line r
	declare -A since shown exp running
	# each pair's expected seconds (vm/cases.list), by its results path kernel/case-dir
	while read -r k c e; do exp[$k/${c//\//-}]=$e; done <"$expf"
	[ -t 2 ] && [ -z "${CI:-}" ] && tty=1
	t0=$EPOCHSECONDS beat=$t0
	trap 'stop=1; lr_wake' TERM INT HUP
	while :; do
		now_s=$EPOCHSECONDS lines=() rem=0 mx=0 running=()
		for d in "$RUN_DIR"/*/.*.tmp; do
			[ -d "$d" ] || continue
			key=${d#"$RUN_DIR"/}; key=${key%.tmp}; key=${key/\/./\/}
			all=() ph=()
			{ mapfile -t all <"$d/phases"; } 2>/dev/null	# none yet, or the case ended
			for l in "${all[@]}"; do [[ $l == *" phase "* ]] && ph+=("$l"); done
			if [ ${#ph[@]} -gt 0 ]; then
				read -r _ _ due txt <<<"${ph[-1]}"
				if [ ${#ph[@]} -gt "${shown[$key]:-0}" ]; then
					since[$key]=$now_s
					# not on a terminal: every phase since the last look, none skipped
					[ $tty = 1 ] || printf '%s\n' "${ph[@]:${shown[$key]:-0}}" |
						cut -d' ' -f4- | sed "s|^|==> $key: |" >&2
					shown[$key]=${#ph[@]}
				fi
				left=
				if [ "$due" != - ]; then
					r=$(( ${due%.*} - (now_s - ${since[$key]}) ))
					if [ $r -gt 0 ]; then left=", ~$r s to go"; else left=", due $((-r)) s ago"; fi
				fi
				txt="$txt$left"
			elif grep -q '^lr: client mounted' "$d/console.client" 2>/dev/null; then
				txt="client mounted, test starting"
			elif grep -q '^lr: server ready' "$d/console.server" 2>/dev/null; then
				txt="server ready, client booting"
			else
				txt="booting"
			fi
			{ read -r st <"$d/.started"; } 2>/dev/null || st=$now_s	# the case may end meanwhile
			el=$((now_s - ${st:-$now_s}))
			e=${exp[$key]:-0} running[$key]=1
			[ "$e" -gt "$el" ] && rem=$((rem + e - el)) && [ $((e - el)) -gt "$mx" ] && mx=$((e - el))
			printf -v line '  %-34s %3d:%02d / ~%d:%02d  %s' "$key" $((el / 60)) $((el % 60)) \
				$((e / 60)) $((e % 60)) "$txt"
			lines+=("$line")
		done
		set -- "$RUN_DIR"/*/*/result; done_n=0; [ -f "$1" ] && done_n=$#
		# ETA: what the running cases still expect and every queued case, JOBS at a time,
		# but never before the longest running one is due
		for k in "${!exp[@]}"; do
			[ -n "${running[$k]:-}" ] || [ -f "$RUN_DIR/$k/result" ] || rem=$((rem + ${exp[$k]}))
		done
		rem=$((rem / jobs)); [ "$mx" -gt "$rem" ] && rem=$mx
		printf -v eta ', ETA ~%d:%02d (vm/cases.list)' $((rem / 60)) $((rem % 60))
		el=$((now_s - t0))
		if [ $tty = 1 ]; then
			# the area goes, the workers' new lines, the area again
			[ $area -gt 0 ] && printf '\033[%dF\033[J' "$area" >&2
			n=$(wc -l <"$wlog" 2>/dev/null || echo 0)
			[ "$n" -gt "$wpos" ] && { sed -n "$((wpos + 1)),${n}p" "$wlog" >&2; wpos=$n; }
			[ $stop = 1 ] && return 0
			printf '%s\n' "--- $done_n/$total done, $(( el / 60 )):$(printf %02d $((el % 60))) elapsed$eta" \
				"${lines[@]}" >&2
			area=$(( ${#lines[@]} + 1 ))
		else
			[ $stop = 1 ] && return 0
			if [ $((now_s - beat)) -ge "${LR_PROGRESS_BEAT:-60}" ]; then
				beat=$now_s
				printf '==> progress: %s/%s done, %d:%02d elapsed%s; running:\n' "$done_n" "$total" \
					$((el / 60)) $((el % 60)) "$eta" >&2
				[ ${#lines[@]} -gt 0 ] && printf '%s\n' "${lines[@]}" >&2
			fi
		fi
		lr_nap 1
	done
}

# beat_start: not on a terminal, a line every beat (LR_PROGRESS_BEAT, 60 s) while the run is
# outside its cases, naming the step in $scratch/step (the kernels, the images, the
# summary): a cached kernel's check or the last summary can take a minute on a loaded
# machine and must not look like a hang. progress() beats during the cases. BEAT = its pid.
BEAT=
beat_line() {
	local el=$(($(date +%s) - ${t_start%.*}))
	printf '==> progress: %s, %d:%02d elapsed\n' "$(cat "$scratch/step" 2>/dev/null)" \
		$((el / 60)) $((el % 60)) >&2
}
beat_start() {
	[ -t 2 ] && [ -z "${CI:-}" ] && return 0
	ticker "${LR_PROGRESS_BEAT:-60}" beat_line
	BEAT=$TICKER
}
beat_stop() { [ -z "$BEAT" ] || { kill -TERM "$BEAT" 2>/dev/null; wait "$BEAT" 2>/dev/null; BEAT=; }; }
step() { echo "$*" >"$scratch/step"; }

# ---- modes ----
mode=one kname=${KERNEL:-} tap=0 case= bside=
while [ $# -gt 0 ]; do
	case "$1" in
	--all) mode=all ;;
	--bisect) mode=bisect ;;
	--worker) mode=worker ;;
	--tap) tap=1 ;;
	--kernel) kname=$2; shift ;;
	--side) bside=$2; shift ;;
	--help|-h) usage 0 ;;
	-*) die "vm/run.sh: unknown option '$1' (see vm/run.sh --help)" ;;
	*) case=$1 ;;
	esac
	shift
done

tap_line() {	# tap_line N KERNEL CASE: the case's tests as KTAP subtests, then its own line
	local r=$RUN_DIR/$2/$(casedir_name "$3")/result
	grep -E '^(not )?ok [0-9]+' "${r%/result}/ktap" 2>/dev/null | sed 's/^/    /'
	case "$(kv "$r" verdict 2>/dev/null)" in
	pass) echo "ok $1 - case $2/$3" ;;
	skip) echo "ok $1 - case $2/$3 # SKIP $(kv "$r" reason)" ;;
	*) echo "not ok $1 - case $2/$3: $(kv "$r" reason 2>/dev/null)"
	   failed_asserts "${r%/result}/ktap" ;;
	esac
}

# failed_asserts KTAP: what a failed case's log says went wrong, as TAP comments: the
# harness's "Expected ..." lines with the line after each (an EXPECT's TH_LOG), and the
# moments out of their window; 12 lines at most. A CI log then shows why, not only which.
failed_asserts() {
	[ -f "$1" ] || return 0
	awk '/:Expected |OUT OF WINDOW/ { print; n = 1; next } n-- > 0 && /^# / { print }' "$1" |
		cut -c1-400 | head -12 | sed 's/^#* */    # /'
}

case $mode in
worker)
	# one case of run-all, in its own process so that its cleanup list is its own
	lr_trap_cleanup
	RUN_ID=$LR_W_RUN_ID RUN_DIR=$LR_W_RUN_DIR
	run_case "$kname" "$case" "$LR_W_N" "$LR_W_KPAIR" "$LR_W_IMG"
	exit $?
	;;
one|bisect)
	[ -n "$case" ] || die "no case given (make run CASE=baseline; cases: $(all_cases | paste -sd' '))"
	case_timeout "$case" >/dev/null || die "unknown case '$case' (cases: $(all_cases | paste -sd' '))"
	[ -z "$bside" ] || [ $mode = bisect ] || die "--side is for --bisect"
	if [ $mode = bisect ]; then
		case $bside in ''|client|server) ;; *) die 255 "--side must be client or server, not '$bside'" ;; esac
		ks=KSRC; [ -n "$bside" ] && ks=${bside^^}_KSRC
		[ -n "${!ks:-}" ] || [ -n "${KSRC:-}" ] || [ -n "${LR_BZIMAGE:-}" ] ||
			die 255 "bisect-step needs KSRC=<kernel tree>${bside:+ (or $ks=)}"
		# the tree under test is the one side's (side_ksrc); the other keeps its kernel
		[ -n "$bside" ] && { LR_BISECT_SIDE=$bside; export LR_BISECT_SIDE; }
	fi
	if [ $mode = bisect ]; then (preflight) || exit 255; else preflight; fi
	msg=$(pair_names "$kname") || die "$msg"
	pair_names "$kname"
	kname=$P_LABEL
	lr_trap_cleanup
	scratch=$(mktemp -d /tmp/lockd-repro.XXXXXX) || die "mktemp failed"
	defer rm -rf "$scratch"
	krc=0
	msg=$(resolve_pair "$scratch/kernel") || krc=$?
	if [ $mode = bisect ]; then
		# the results name the tree's commit, on its side
		t=$(side_ksrc "${bside:-client}")
		t=bisect-$( { [ -n "$t" ] && git -C "$t" rev-parse --short HEAD 2>/dev/null; } || echo tree)
		case $bside in
		client) kname=$t+$P_SERVER ;; server) kname=$P_CLIENT+$t ;; *) kname=$t ;;
		esac
		[ $krc = 2 ] && die 255 "$msg"
		[ $krc = 1 ] && { warn "$msg"; exit 125; }
	fi
	[ $krc = 0 ] || die "$msg"
	decide_accel "$scratch/kernel/client" "$scratch/kernel/server"
	resolve_images "$scratch/images"
	new_run "$scratch/images"
	log "run $RUN_ID: $kname $case (results/$RUN_ID)"
	run_case "$kname" "$case" 1 "$scratch/kernel" "$scratch/images"; rc=$?
	[ $tap = 1 ] && { echo 1..1; tap_line 1 "$kname" "$case"; }
	echo "results: $RUN_DIR/$kname/$(casedir_name "$case")" >&2
	if [ $mode = bisect ]; then
		# a kernel that does not boot or mount cannot tell good from bad: skip it
		r=$RUN_DIR/$kname/$(casedir_name "$case")/result
		case "$rc:$(kv "$r" verdict 2>/dev/null):$(kv "$r" booted 2>/dev/null)" in
		0:pass:*) exit 0 ;; 0:skip:*) exit 125 ;; 1:fail:0) exit 125 ;; 1:*) exit 1 ;; *) exit 255 ;;
		esac
	fi
	exit $rc
	;;
all)
	jobs_max=${JOBS:-2}
	[[ "$jobs_max" =~ ^[1-9][0-9]*$ ]] || die "JOBS must be a positive number, not '$jobs_max'"
	preflight
	[ -f "$LR_CASES_FILE" ] || die "$LR_CASES_FILE missing"
	lr_trap_cleanup
	scratch=$(mktemp -d /tmp/lockd-repro.XXXXXX) || die "mktemp failed"
	defer rm -rf "$scratch"
	cases=${CASES:-$(all_cases)}
	for c in $cases; do case_timeout "$c" >/dev/null || die "unknown case '$c' in CASES"; done
	kernels=${KERNELS:-$LR_KERNELS_DEFAULT}
	t_start=$(now)
	step "kernels: checking the cache, building what is missing"
	beat_start
	defer beat_stop
	# each KERNELS entry is a name or a client/server pair (pair_names), all checked first
	labels=
	for e in $kernels; do
		msg=$(pair_names "$e") || die "$msg"
		pair_names "$e"
		[[ " $labels " == *" $P_LABEL "* ]] && die "KERNELS names the pair $P_LABEL twice"
		labels+="${labels:+ }$P_LABEL"
	done
	# the kernel × case pairs this run starts: all in list order, or SHARD=k/n's share,
	# longest expected first (scripts/shard.sh); only their kernels are resolved
	# (the user's CASES, empty for the whole list: shard.sh keeps a named list's order)
	pl=$(KERNELS=$kernels CASES=${CASES:-} "$LR_TOP/scripts/shard.sh" pairs) || exit 2
	mapfile -t pairs <<<"$pl"
	RUN_META=$(KERNELS=$kernels CASES=${CASES:-} "$LR_TOP/scripts/shard.sh" meta; echo "jobs=$jobs_max") || exit 2
	kernels=$(printf '%s\n' "${pairs[@]%% *}" | awk '!s[$0]++')
	declare -A klabel kdir
	i=0
	for e in $kernels; do
		pair_names "$e"
		i=$((i + 1))
		klabel[$e]=$P_LABEL kdir[$e]=$scratch/kernel.$i
		msg=$(resolve_pair "$scratch/kernel.$i") || die "$msg"
		for side in client server; do
			[ "$(cat "$scratch/kernel.$i/$side.rc")" = 3 ] &&
				log "$P_LABEL: $side kernel $(pair_side "$P_LABEL" $side): $(head -1 "$scratch/kernel.$i/$side")"
		done
	done
	t_built=$(now)
	step "the accelerator probe"
	decide_accel "$scratch"/kernel.*/client "$scratch"/kernel.*/server
	step "guest images: checking the cache, building what is missing"
	resolve_images "$scratch/images"
	new_run "$scratch/images"
	t_images=$(now)
	total=${#pairs[@]}
	log "run $RUN_ID: $total case(s)${SHARD:+ (shard $SHARD)}, $jobs_max at a time, profile $PROFILE, ${LR_ACCEL:-tcg} (results/$RUN_ID)"
	declare -A wpids=()
	defer 'for p in "${!wpids[@]}"; do kill -TERM $p; done; wait'
	# live progress; on a terminal the workers' lines go through it (above its area)
	wlog=$scratch/workers.log
	: >"$wlog"
	for p in "${pairs[@]}"; do	# by the results' label: client+server for a pair
		printf '%s %s %s\n' "${klabel[${p%% *}]}" "${p#* }" "$(awk -v c="${p#* }" \
			-v col=$([ "$PROFILE" = customer ] && echo 5 || echo 4) \
			'!/^#/ && $1 == c { print $col + 0; exit }' "$LR_CASES_FILE")"
	done >"$scratch/expected"
	beat_stop
	progress "$total" "$jobs_max" "$wlog" "$scratch/expected" &
	ppid_=$!
	defer "kill -TERM $ppid_ 2>/dev/null; wait $ppid_ 2>/dev/null"
	wout=/dev/stderr
	[ -t 2 ] && [ -z "${CI:-}" ] && wout=$wlog
	worst=0 n=0 i=0
	reap() {	# wait for one worker; fold its exit status into worst
		local p rc
		wait -n -p p "${!wpids[@]}"; rc=$?
		[ -n "${p:-}" ] || return
		unset "wpids[$p]"
		if [ $rc -ge 2 ]; then worst=2; elif [ $rc = 1 ] && [ $worst = 0 ]; then worst=1; fi
	}
	for p in "${pairs[@]}"; do
		k=${p%% *} c=${p#* }
		n=$((n + 1))
		while [ ${#wpids[@]} -ge "$jobs_max" ]; do reap; done
		LR_W_RUN_ID=$RUN_ID LR_W_RUN_DIR=$RUN_DIR LR_W_N=$n LR_W_TOTAL=$total \
		LR_W_KPAIR=${kdir[$k]} LR_W_IMG=$scratch/images LR_W_BOOT_LOCK=$scratch/boot.lock \
			"$0" --worker --kernel "${klabel[$k]}" "$c" 2>>"$wout" &
		wpids[$!]=1
	done
	while [ ${#wpids[@]} -gt 0 ]; do reap; done
	kill -TERM $ppid_ 2>/dev/null; wait $ppid_ 2>/dev/null
	step "the run's summary (summary.md/json, junit.xml, index.html, the cache's size)"
	beat_start
	# the run's own time: kernels, images, the cases, all (summary.md "Time", summary.json)
	{ echo "build_s=$(elapsed "$t_start" "$t_built")"; echo "images_s=$(elapsed "$t_built" "$t_images")"
	  echo "cases_s=$(elapsed "$t_images" "$(now)")"; echo "total_s=$(elapsed "$t_start" "$(now)")"
	} | atomic_write "$RUN_DIR/.times"
	write_summary
	beat_stop
	log "time: $(jq -r '.time | "build \(.build_s) s, images \(.images_s) s, cases \(.cases_s) s, total \(.total_s) s" +
		(if .overhead then "; per case: overhead (duration - protocol waits) median \(.overhead.median_s) s, max \(.overhead.max_s) s" else "" end)' \
		"$RUN_DIR/summary.json" 2>/dev/null)$(jq -r '.boot // empty | "; boot median \(.median_s) s, max \(.max_s) s"' \
		"$RUN_DIR/summary.json" 2>/dev/null)"
	if [ $tap = 1 ]; then
		echo "1..$total"
		n=0
		for p in "${pairs[@]}"; do n=$((n + 1)); tap_line $n "${klabel[${p%% *}]}" "${p#* }"; done
	fi
	log "summary: $RUN_DIR/summary.md"
	exit $worst
	;;
esac
