# SPDX-License-Identifier: GPL-2.0
# common.sh: what vm/run.sh and vm/shell.sh share: host preflight, kernel and image
# resolution, waiting on a guest's console and killing QEMU. Sourced, never run.
declare -F die >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
. "$LR_TOP/vm/net.sh"

LR_BOOT_TIMEOUT=${LR_BOOT_TIMEOUT:-240}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# ---- preflight: everything a case needs from the host, checked once, one-line errors ----
preflight() {
	[ "$(id -u)" = 0 ] || die "vm/${0##*/} needs root (network namespaces, taps, bridges)"
	[ -c /dev/net/tun ] && (exec 3<>/dev/net/tun) 2>/dev/null ||
		die "/dev/net/tun is missing or cannot be opened (modprobe tun)"
	need_cmd qemu-system-x86_64 qemu-system-x86
	need_cmd ip iproute2
	need_cmd setpriv util-linux
	need_cmd flock util-linux
	need_cmd jq	# timings.json, index.html (docs/results-schema.md)
	command -v tcpdump >/dev/null 2>&1 || command -v dumpcap >/dev/null 2>&1 ||
		die "neither tcpdump nor dumpcap found (apt-get install tcpdump)"
	net_gc
	case "${PROFILE:-quick}" in quick|customer) ;; *) die "PROFILE must be quick or customer, not '$PROFILE'" ;; esac
}

# ---- inputs: kernel and guest images ----
# kernel_args KINFO: the kernel command line words a guest needs about its own kernel,
# from resolve_kernel's info file: CONFIG_HZ (not in the guest's /proc; the timing model
# needs it), the patch set, and for 4.x the PIT as clockevent: 4.x calibrates its local
# APIC timer against the PM timer at boot, which under TCG on a busy host came out 13% off
# ("APIC calibration not consistent with PM-Timer: 87ms instead of 100ms") and stretched
# every kernel timer by ~10%; the PIT, emulated on QEMU's virtual clock, needs no
# calibration. (Newer kernels: timings measured within 1% with the APIC timer.)
# LR_KERNEL_ARGS: extra words for both guests, last (e.g. sunrpc.lr_mutant=N for
# PATCHSET=mutants: scripts/mutants.sh).
kernel_args() {
	local hz
	hz=$(sed -n 's/^CONFIG_HZ=//p' "$(dirname "$(kv "$1" bzimage)")/config" 2>/dev/null)
	printf '%s' "${hz:+lr.hz=$hz }lr.patchset=$(kv "$1" patchset)"
	case $(kv "$1" version) in [1-4].*) printf ' nolapic_timer' ;; esac
	printf '%s' "${LR_KERNEL_ARGS:+ $LR_KERNEL_ARGS}"
}

# resolve_kernel NAME OUTFILE: write the kernel's key=value info to OUTFILE.
# Returns 0 ok, 3 kernel to be skipped (first line of OUTFILE: "SKIP <reason>"), 1 error.
resolve_kernel() {
	local name=$1 out=$2 rc
	if [ -n "${LR_BZIMAGE:-}" ]; then
		[ -f "$LR_BZIMAGE" ] || { echo "LR_BZIMAGE=$LR_BZIMAGE not found" >"$out"; return 1; }
		{ echo "name=$name"; echo "source=LR_BZIMAGE override"
		  echo "bzimage=$(readlink -f "$LR_BZIMAGE")"
		  echo "bzimage_sha256=$(sha256 "$LR_BZIMAGE")"; } >"$out"
		return 0
	fi
	[ -x "$LR_TOP/scripts/kernel.sh" ] ||
		{ echo "scripts/kernel.sh missing (set LR_BZIMAGE=path)" >"$out"; return 1; }
	log "kernel $name: scripts/kernel.sh build $name"
	# "build" says "NAME SKIP <reason>" (exit 0) for a kernel this machine cannot get (4.19
	# without its tarball): a skipped case, not a failure. "info" then reads the cache.
	# its progress goes on to the terminal; its error line is kept for our one line
	rm -f "$out.why"
	"$LR_TOP/scripts/kernel.sh" build "$name" 2>&1 >"$out" | while IFS= read -r l; do
		case $l in lockd-repro:*) printf '%s\n' "${l#lockd-repro: }" >"$out.why" ;;
		*) printf '%s\n' "$l" >&2 ;; esac
	done
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		echo "scripts/kernel.sh build $name failed (exit $rc)$( [ -s "$out.why" ] && printf ': %s' "$(tail -1 "$out.why")")" >"$out"
		return 1
	fi
	if grep -qE '^([^ ]+ +)?SKIP' "$out"; then
		sed -nE 's/^([^ ]+ +)?(SKIP.*)/\2/p' "$out" | head -1 >"$out.skip"; mv "$out.skip" "$out"
		return 3
	fi
	"$LR_TOP/scripts/kernel.sh" info "$name" >"$out" 2>"$out.err"; rc=$?
	# held for this run (lib.sh cache_pin): no cache trim removes it under a running case;
	# one trimmed away before the pin took is built again
	if [ $rc -eq 0 ] && cache_pin_file "$(kv "$out" bzimage)" && [ ! -f "$(kv "$out" bzimage)" ]; then
		"$LR_TOP/scripts/kernel.sh" info "$name" >"$out" 2>"$out.err"; rc=$?
	fi
	if [ $rc -ne 0 ] || ! grep -q '^bzimage=' "$out"; then
		{ echo "scripts/kernel.sh info $name failed (exit $rc): $(tail -1 "$out.err")"; } >"$out"
		return 1
	fi
	# what the name stands for: a KSRC tree is whatever version it holds
	log "kernel $name: $(kv "$out" version) ($(kv "$out" source)), patch set $(kv "$out" patchset)"
	return 0
}

# ---- a pair: the client's kernel and the server's (docs/internals.md "Pairs") ----
# pair_names ENTRY: P_CLIENT and P_SERVER for a KERNEL/KERNELS entry: "K" (both sides) or
# "C/S"; CLIENT_KERNEL / SERVER_KERNEL override a side; a side with its own KSRC
# (CLIENT_KSRC / SERVER_KSRC) that no one named is "ksrc", the rest default to mainline.
# Then P_LABEL: the results dir, "C" when both sides are one kernel (name, tree and patch
# set: CLIENT_PATCHSET / SERVER_PATCHSET), else "C+S".
# An entry that is not a pair of names prints one line and returns 1.
pair_names() {
	local e=$1 c s
	case $e in
	*/*/* | /* | */ | *[!A-Za-z0-9._/-]*)
		echo "bad kernel pair '$e' (a name, or client/server: 4.19/mainline)"; return 1 ;;
	*/*) c=${e%/*} s=${e#*/} ;;
	*) c=$e s=$e ;;
	esac
	P_CLIENT=${CLIENT_KERNEL:-${c:-${CLIENT_KSRC:+ksrc}}} P_CLIENT=${P_CLIENT:-mainline}
	P_SERVER=${SERVER_KERNEL:-${s:-${SERVER_KSRC:+ksrc}}} P_SERVER=${P_SERVER:-mainline}
	P_LABEL=$P_CLIENT
	[ "$P_CLIENT" = "$P_SERVER" ] && [ "$(side_ksrc client)" = "$(side_ksrc server)" ] &&
		[ "${CLIENT_PATCHSET:-${PATCHSET:-}}" = "${SERVER_PATCHSET:-${PATCHSET:-}}" ] ||
		P_LABEL=$P_CLIENT+$P_SERVER
	return 0
}

# side_ksrc SIDE: the tree SIDE is built from: its own CLIENT_KSRC / SERVER_KSRC, else KSRC
# (both sides); LR_BISECT_SIDE (vm/run.sh --bisect --side) keeps KSRC to that side
side_ksrc() {
	local v=${1^^}_KSRC
	if [ -n "${!v:-}" ]; then echo "${!v}"
	elif [ -z "${LR_BISECT_SIDE:-}" ] || [ "$LR_BISECT_SIDE" = "$1" ]; then echo "${KSRC:-}"
	fi
}

# resolve_pair DIR: resolve P_CLIENT and P_SERVER (pair_names) into DIR/client and
# DIR/server (resolve_kernel's info) with their return codes in DIR/<side>.rc (0 or 3, a
# side to skip). An unknown name or a side that cannot be built: one line naming the side
# on stdout, return 1.
resolve_pair() {
	local d=$1 side name ksrc ps rc known
	mkdir -p "$d" || return 1
	known=$("$LR_TOP/scripts/kernel.sh" list 2>/dev/null | tr '\n' ' ')
	# both names first: a bad one costs no build of the other side
	for side in client server; do
		[ $side = client ] && name=$P_CLIENT || name=$P_SERVER
		if [ "$name" = ksrc ] && [ -z "$(side_ksrc $side)" ]; then
			echo "$side kernel 'ksrc' needs ${side^^}_KSRC=/path (or KSRC=)"; return 2
		fi
		[ -n "${LR_BZIMAGE:-}" ] || [ "$name" = ksrc ] || [[ " $known" == *" $name "* ]] ||
			{ echo "unknown $side kernel '$name' (known: ${known}or ${side^^}_KSRC=/path)"; return 2; }
	done
	for side in client server; do
		[ $side = client ] && name=$P_CLIENT || name=$P_SERVER
		ksrc=$(side_ksrc $side)
		ps=${side^^}_PATCHSET	# CLIENT_PATCHSET / SERVER_PATCHSET: that side's set
		rc=0
		PATCHSET=${!ps:-${PATCHSET:-svc-sleep}} KSRC=$ksrc resolve_kernel "$name" "$d/$side" || rc=$?
		echo $rc >"$d/$side.rc"
		[ $rc = 1 ] && { echo "$side kernel $name${ksrc:+ (KSRC=$ksrc)}: $(head -1 "$d/$side")"; return 1; }
	done
	return 0
}
# pair_side LABEL SIDE: SIDE's kernel name in a results label ("C+S", or "K" for both)
pair_side() { case $1 in *+*) [ "$2" = client ] && echo "${1%%+*}" || echo "${1#*+}" ;; *) echo "$1" ;; esac; }

# resolve_images OUTFILE: write server=, client= (and whatever else rootfs/build.sh says).
resolve_images() {
	local out=$1
	if [ -n "${LR_SERVER_IMG:-}" ] || [ -n "${LR_CLIENT_IMG:-}" ]; then
		{ echo "server=$(readlink -f "${LR_SERVER_IMG:-}")"
		  echo "client=$(readlink -f "${LR_CLIENT_IMG:-}")"
		  echo "source=LR_SERVER_IMG/LR_CLIENT_IMG override"; } >"$out"
	else
		[ -x "$LR_TOP/rootfs/build.sh" ] ||
			die "rootfs/build.sh missing (set LR_SERVER_IMG and LR_CLIENT_IMG)"
		log "guest images: rootfs/build.sh"
		"$LR_TOP/rootfs/build.sh" --print-paths >"$out" ||
			die "rootfs/build.sh failed"
		# held for this run, as the kernel (resolve_kernel)
		if cache_pin_file "$(kv "$out" server)" && [ ! -f "$(kv "$out" server)" ]; then
			"$LR_TOP/rootfs/build.sh" --print-paths >"$out" || die "rootfs/build.sh failed"
		fi
	fi
	# the summary's report writer (tests/host/lr_report.c): a run without it still runs
	make -s -C "$LR_TOP/tests" host >/dev/null 2>&1 ||
		warn "make -C tests host failed: summary.md will have no answers section"
	[ -f "$(kv "$out" server)" ] || die "no server image (rootfs/build.sh printed no server=<path>)"
	[ -f "$(kv "$out" client)" ] || die "no client image (rootfs/build.sh printed no client=<path>)"
}


# wait_line FILE PATTERN PID TIMEOUT: poll FILE (0.1 s) until a line matches PATTERN.
# 0 seen, 1 QEMU (PID) exited first, 2 timed out.
wait_line() {
	local f=$1 pat=$2 pid=$3 end=$((EPOCHSECONDS + $4))
	while :; do
		grep -q -- "$pat" "$f" 2>/dev/null && return 0
		lr_gone "$pid" && { grep -q -- "$pat" "$f" 2>/dev/null && return 0; return 1; }
		[ "$EPOCHSECONDS" -ge "$end" ] && return 2
		lr_nap 0.1	# scripts/lib.sh: no fork
	done
}
# wait_exit PID TIMEOUT: until QEMU exits; 0 exited, 1 still running after TIMEOUT.
wait_exit() { slowwait "$2" lr_gone "$1"; }
kill_qemu() {	# kill_qemu PID: TERM, then KILL after 5 s
	# qemu.sh execs ip, setpriv, then QEMU (comm is cut to 15 characters)
	pid_is "$1" qemu-system-x86 qemu.sh ip setpriv || { wait "$1" 2>/dev/null; return 0; }
	kill "$1" 2>/dev/null || return 0
	wait_exit "$1" 5 || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# time_breakdown TMP DURATION: where the case's time went (key=value lines for its result),
# in host seconds. The guest's spans come from its phases file (tests/lib/phase.h: the
# scenario, impairment on to teardown, is the protocol's own waiting) and boot.txt's
# "client mounted"/"client done" uptimes, in the guest's seconds; under TCG on a loaded
# host the guest's clock runs slow (0.77 of the host's in a customer run with a kernel
# build beside it), so its spans are scaled by clock_rate = the host's mounted-to-done
# over the guest's (1 when the host moment is missing: a case that timed out). The rest
# is the host's: boot (QEMU start to mounted), and after the client is done, power-off
# and the evidence (dmesg, capture, timeline). overhead = duration - scenario.
time_breakdown() {
	local tmp=$1 dur=$2 boot m d h
	boot=$(kv "$tmp/boot.txt" pair_start_to_mounted_s)
	m=$(kv "$tmp/boot.txt" client_mounted_uptime_s)
	d=$(kv "$tmp/boot.txt" client_done_uptime_s)
	h=$(kv "$tmp/boot.txt" mounted_to_done_host_s)
	[ -n "$m" ] && [ -n "$d" ] && [ -n "$boot" ] || return 0
	awk -v m="$m" -v d="$d" -v h="$h" -v dur="$dur" -v boot="$boot" '
		$2 == "scenario" && $4 == "start" { s = $1; if (first == "") first = $1 }
		$2 == "scenario" && $4 == "end" && s != "" { scen += $1 - s; s = "" }
		END {
			if (s != "") scen += d - s	# no end mark: the test died in it
			if (first == "") first = d
			guest = d - m; r = (h != "" && guest > 0) ? h / guest : 1
			setup = (first - m) * r; scen *= r; guest *= r; host = dur - boot - guest
			printf "time_clock_rate=%.3f\n", r
			printf "time_boot_s=%.2f\ntime_setup_s=%.2f\ntime_scenario_s=%.2f\n", boot, setup, scen
			printf "time_teardown_s=%.2f\ntime_host_s=%.2f\ntime_overhead_s=%.2f\n",
				guest - setup - scen, host, dur - scen
		}' "$tmp/phases" 2>/dev/null || true
}
