# SPDX-License-Identifier: GPL-2.0
# lib.sh: the shell helpers every lockd-repro script sources. POSIX-ish bash.
#
# Conventions (see docs/internals.md):
#   exit 0  success, 1  a test/case failed, 2  the suite could not run (bad input, setup error),
#   125 cannot test (bisect: build failed, patch does not apply).
#   Errors are one line on stderr: "lockd-repro: <what>", then exit.
#   Progress goes to stderr as "==> <phase>" lines; data goes to stdout.

LR_TOP=${LR_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
LR_CACHE=${LOCKD_REPRO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lockd-repro}
LR_BUILD=${LR_BUILD:-$LR_TOP/build}
export LR_TOP LR_CACHE LR_BUILD
# The kernels when KERNELS is unset or empty: vm/run.sh --all, scripts/shard.sh, and the
# Makefile (which reads this line) for make run-all, kernels, verify-repro and shards.
LR_KERNELS_DEFAULT="4.19 mainline"

die() {		# die [code] msg...: one-line error and exit (default code 2)
	local code=2
	case "$1" in [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) code=$1; shift ;; esac
	printf 'lockd-repro: %s\n' "$*" >&2
	exit "$code"
}

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'lockd-repro: warning: %s\n' "$*" >&2; }

# ---- cleanup list (as in selftests/net/lib.sh: defer, run in reverse on exit) ----
LR_DEFERRED=()
defer() { LR_DEFERRED+=("$*"); }
lr_cleanup() {
	local _lr_i	# (a deferred command may use i)
	# A second signal must not cut the cleanup short: Ctrl-C reaches every process of the
	# group and run-all's parent then TERMs its workers too; "exit" in a trap that fires
	# during this EXIT trap would end it half done (namespaces left behind).
	trap '' INT TERM
	LR_SIG=	# (lr_nap would exit again)
	for ((_lr_i = ${#LR_DEFERRED[@]} - 1; _lr_i >= 0; _lr_i--)); do
		eval "${LR_DEFERRED[_lr_i]}" >/dev/null 2>&1 || true
	done
	LR_DEFERRED=()
}
# Install once per script: EXIT runs the list; INT/TERM exit with the usual codes, so EXIT fires.
lr_trap_cleanup() {
	trap lr_cleanup EXIT
	trap 'lr_on_signal 130' INT
	trap 'lr_on_signal 143' TERM
}

# kill_tree SIG PID: SIG to PID and to every process below it. The tree is listed before
# any signal (a parent that dies first leaves its children to init, out of reach) and is
# signalled top first: a script learns it is interrupted before it sees its foreground
# child die, and that child (a tar, a patch, a make) no longer holds the script's trap
# back until it ends on its own.
kill_tree() {
	local p all=$2 next=$2
	while [ -n "$next" ]; do
		next=$(for p in $next; do pgrep -P "$p"; done)
		all="$all $next"
	done
	# shellcheck disable=SC2086 # one word a pid
	kill "-$1" $all 2>/dev/null || :	# some may have ended meanwhile
}

# ticker SECONDS CMD...: in the background, CMD every SECONDS until it gets TERM; TICKER =
# its pid. Its sleep goes with it (a killed loop would leave its sleep behind, and the
# drills count every process a run leaves). Redirections on the call apply to it (9>&-).
ticker() {
	local s=$1; shift
	(
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		while :; do sleep "$s" & sp=$!; wait "$sp"; "$@"; done
	) &
	TICKER=$!
}

# lr_nap SECONDS: sleep inside the shell: a read on a pipe nobody writes to times out.
# The poll loops (slowwait, wait_line) ran `sleep 0.1` and `date` ~20 times a second each;
# with a loop per running case and the check's lanes that was measured at ~9 % of a core
# per loop on a loaded 2-core host, CPU the TCG guests then lacked. Each process its own
# pipe (a subshell's would be its parent's: lr_wake's byte could wake the other one).
# A signal's trap wakes the read (lr_wake); a trap that only returns would not end it, bash
# goes on reading until the timeout.
lr_nap() {
	if [ "${LR_NAP_PID:-}" != "$BASHPID" ]; then
		[ -z "${LR_NAP_FD:-}" ] || exec {LR_NAP_FD}>&-
		exec {LR_NAP_FD}<> <(:)
		LR_NAP_PID=$BASHPID
	fi
	LR_IN_NAP=1
	read -r -t "$1" -u "$LR_NAP_FD" _ || :
	LR_IN_NAP=
	[ -z "${LR_SIG:-}" ] || exit "$LR_SIG"
}
# lr_wake: from a trap: end the lr_nap it interrupted now (a byte into its pipe)
lr_wake() { [ -z "${LR_IN_NAP:-}" ] || printf '\n' >&"$LR_NAP_FD"; }
# lr_on_signal CODE: the INT/TERM trap: exit CODE, but never from inside lr_nap's read.
# Bash 5.2 leaves the read's timeout armed when a trap exits from it; it fires in the EXIT
# trap that follows, and bash jumps into the read's dead frame: SIGSEGV, the cleanup cut
# short (reproduced: exit 139 after 0.1 s of cleanup; in the drills a namespace and the
# case's temporary dir left). There it wakes the read and lr_nap exits once it returned.
lr_on_signal() {
	if [ -n "${LR_IN_NAP:-}" ]; then
		LR_SIG=$1
		lr_wake
	else
		exit "$1"
	fi
}

# lr_gone PID: PID has exited; a zombie counts. Bash reaps a child when SIGCHLD comes, but
# not while it runs the EXIT trap entered from a signal's trap: there, with no foreground
# program to wait for (lr_nap forks none), every child a cleanup killed stayed a zombie
# that `kill -0` still finds (a drill's cleanup waited out each 5 s bound).
lr_gone() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}

# slowwait TIMEOUT_S CMD...: poll CMD every 0.1 s until it succeeds or TIMEOUT_S passes.
slowwait() {
	local timeout=$1 t; shift
	t=${EPOCHREALTIME//[!0-9]/}
	local end=$((t / 1000 + timeout * 1000))
	until "$@"; do
		t=${EPOCHREALTIME//[!0-9]/}
		((t / 1000 >= end)) && return 1
		lr_nap 0.1
	done
}

# lr_accel KERNEL: "kvm" if /dev/kvm runs KERNEL to its first console line within 20 s,
# else "tcg". A /dev/kvm that opens is not enough: on a nested machine without vmx/svm it
# ran SeaBIOS but hung every Linux guest before its first console byte (seen on a CI
# machine). The answer is kept per host boot ($LR_CACHE/accel.<boot_id>).
lr_accel() {
	local kernel=$1 f out pid a=tcg

	f=$LR_CACHE/accel.$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	if [ -s "$f" ]; then
		cat "$f"
		return
	fi
	if [ -c /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null; then
		out=$(mktemp) || return 1
		log "probing /dev/kvm: does a KVM guest boot? (up to 20 s, once per host boot;" \
		    "LR_ACCEL=tcg or LR_ACCEL=kvm skips it)"
		# --pdeathsig: the probe dies with us (Ctrl-C, run-all's TERM), never left behind
		setpriv --pdeathsig KILL qemu-system-x86_64 -M pc,accel=kvm -cpu max -m 128 -nodefaults -display none \
			-no-reboot -kernel "$kernel" -append "console=ttyS0 panic=-1" \
			-serial file:"$out" >/dev/null 2>&1 &
		pid=$!
		slowwait 20 grep -q "Linux version" "$out" && a=kvm
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rm -f "$out"
		[ $a = kvm ] && log "/dev/kvm runs guests: using KVM" ||
			warn "/dev/kvm did not run a guest kernel in 20 s: using TCG"
	fi
	mkdir -p "$LR_CACHE" && echo $a | atomic_write "$f"
	echo $a
}

need_cmd() {	# need_cmd cmd [package]
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found (apt-get install ${2:-$1})"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (network namespaces, taps and bridges)"
}

sha256() { sha256sum "$1" | cut -d' ' -f1; }
kv() { sed -n "s/^$2=//p" "$1" | head -1; }	# kv FILE KEY: KEY's value in a key=value file

# atomic_write FILE: copy stdin to FILE via a temporary file in the same directory.
atomic_write() {
	local f=$1 tmp
	tmp=$(mktemp "$f.tmp.XXXXXX") || return 1
	cat >"$tmp" && mv -f "$tmp" "$f"
}

# lr_ktap FILE: FILE's KTAP/TAP read by build/host/lr_ktap, the one reader of the case
# verdict (vm/run.sh) and of make check (scripts/check.sh); its rules are tests/lib/ktap.h.
# Prints one line for `read`:  pass fail skip xfail xpass error plan results complete docs why…
# (why: empty when the stream is complete and nothing failed). Fail-closed: without the
# tool, or without its counts, the stream is incomplete with one error, and why says so.
lr_ktap() {
	local tool=$LR_BUILD/host/lr_ktap line= why= w k
	local -A c=([pass]=0 [fail]=0 [skip]=0 [xfail]=0 [xpass]=0 [error]=0 [plan]=0
		[results]=0 [complete]=0 [docs]=0)
	if [ ! -x "$tool" ]; then
		why="no $tool to read it (make -C tests host)"
	else
		{ read -r line; read -r why; } < <("$tool" "$1" 2>&1)
		why=${why#why: }
	fi
	if [[ "$line" == pass=*complete=* ]]; then
		for w in $line; do
			k=${w%%=*}
			[ -n "${c[$k]+set}" ] && c[$k]=${w#*=}
		done
	else
		c[error]=1 c[docs]=1 why=${why:-"lr_ktap printed no counts${line:+: $line}"}
	fi
	echo "${c[pass]} ${c[fail]} ${c[skip]} ${c[xfail]} ${c[xpass]} ${c[error]} ${c[plan]}" \
		"${c[results]} ${c[complete]} ${c[docs]} $why"
}

# ---- Debian packages through a private apt configuration ----
# The mirror URI is read from this machine's own apt sources (never written into the repo).
# apt_mirror [security]: print the Debian (or debian-security) mirror URI.
apt_mirror() {
	local want=${1:-} uri
	uri=$( {
		grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{for (i = 2; i <= NF; i++) print $i}'
		grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed 's/\[[^]]*\]//' | awk '{print $2}'
	} | grep -E '/debian(-security)?/?$' | sort -u)
	if [ "$want" = security ]; then
		uri=$(printf '%s\n' "$uri" | grep -- '-security/\?$' | head -1)
	else
		uri=$(printf '%s\n' "$uri" | grep -v -- '-security/\?$' | head -1)
	fi
	[ -n "$uri" ] || return 1
	printf '%s\n' "${uri%/}"
}

# apt_private SUITE: set LR_APT_OPTS to an apt option list for a private configuration that
# sees only SUITE (main), with its own lists under the cache. Runs 'apt-get update' for it
# at most once an hour.
apt_private() {
	local suite=$1 dir uri kind=
	case "$suite" in *-security) kind=security ;; esac
	uri=$(apt_mirror $kind) || return 1
	dir=$LR_CACHE/apt/$suite
	cache_use "apt/$suite" "Debian $suite"
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$uri" "$suite" >"$dir/sources.list"
	LR_APT_OPTS=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir" -o "Dir::Cache::archives=$dir/archives"
		-o APT::Sandbox::User=root -o Acquire::Retries=2 -o Acquire::http::Timeout=20)
	if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null)" ]; then
		apt-get -q "${LR_APT_OPTS[@]}" update >"$dir/update.log" 2>&1 || return 1
		cache_downloaded "$dir/lists"
	fi
}

# apt_download SUITE PKG[=VER] DESTDIR: fetch one .deb with the private config; prints its path.
# One apt at a time per suite (a flock held until the caller's $(…) returns): make check
# runs the dry runs beside the build, and both may fetch a source; apt would refuse a
# second update of the same lists, and the .deb lands by rename (via the suite's
# archives/partial), so a second download of it finds it whole.
apt_download() {
	local suite=$1 pkg=$2 dest=$3 lk
	mkdir -p "$LR_CACHE/apt/$suite" && exec {lk}>>"$LR_CACHE/apt/$suite/.lock" && flock "$lk" || return 1
	apt_private "$suite" || return 1
	mkdir -p "$dest"
	(cd "$dest" && apt-get -q "${LR_APT_OPTS[@]}" download "$pkg" >/dev/null 2>&1) || return 1
	ls -t "$dest"/"${pkg%%=*}"_*.deb 2>/dev/null | head -1
}

# ---- the cache's entries (scripts/cache.sh lists, cleans and caps them) ----
# An entry is one path under $LR_CACHE: downloads/<file>, downloads/debs, apt/<suite>,
# files/<version>-<sha12>, src/<tree>, kernels/<key>, rootfs/<key>. In $LR_CACHE/.lr/:
#   lock          flock: shared while a process pins, exclusive while entries are removed
#   used/<entry>  (/ as %) its mtime is the entry's last use; one line per user
#   pin/<entry>   flock: shared by every process that uses the entry, until it exits; an
#                 entry whose pin cannot be taken exclusively is in use and never removed
declare -gA LR_PINNED=()
cache_meta() { echo "$LR_CACHE/.lr/$1/${2//\//%}"; }

# cache_pin ENTRY: ENTRY is not removed while this process or a child of it lives. Pin
# before looking whether the entry is there: an entry seen after pinning stays.
cache_pin() {
	local fd g
	[ -z "${LR_PINNED[$1]:-}" ] || return 0
	mkdir -p "$LR_CACHE/.lr/pin" 2>/dev/null || return 0
	exec {g}>>"$LR_CACHE/.lr/lock"
	flock -s "$g"
	exec {fd}>>"$(cache_meta pin "$1")"
	flock -s "$fd"
	exec {g}>&-
	LR_PINNED[$1]=$fd
}

# cache_pin_file PATH: pin the cache entry PATH lies in (kernels/<key>/bzImage, …); 1 when
# PATH is not in the cache (an LR_BZIMAGE of the user's).
cache_pin_file() {
	local rel=${1#"$LR_CACHE"/} rest
	[ "$rel" != "$1" ] && [[ $rel == */* ]] || return 1
	rest=${rel#*/}
	cache_pin "${rel%%/*}/${rest%%/*}"
}

# cache_max_check: a LOCKD_REPRO_CACHE_MAX that is not a size is bad input (checked before
# any work, not after a build).
cache_max_check() {
	[ -z "${LOCKD_REPRO_CACHE_MAX:-}" ] || [[ $LOCKD_REPRO_CACHE_MAX =~ ^[0-9]+[KMGT]?$ ]] ||
		die "LOCKD_REPRO_CACHE_MAX='$LOCKD_REPRO_CACHE_MAX': give a size in bytes, or with K, M, G or T (2G)"
}

# cache_cap: with LOCKD_REPRO_CACHE_MAX set, trim the cache to it (least recently used
# first; what this process pinned, and any running case's entries, stay).
cache_cap() {
	[ -z "${LOCKD_REPRO_CACHE_MAX:-}" ] || "$LR_TOP/scripts/cache.sh" cap >&2
}

# cache_downloaded PATH...: count what was just fetched (files or dirs) in
# $LR_CACHE/.lr/downloads.log, "bytes path" a line (make cache and summary.json add it up).
cache_downloaded() {
	local p
	mkdir -p "$LR_CACHE/.lr" 2>/dev/null || return 0
	for p in "$@"; do
		echo "$(du -s -B1 --apparent-size "$p" | cut -f1) ${p#"$LR_CACHE"/}" >>"$LR_CACHE/.lr/downloads.log"
	done
}

# cache_use ENTRY WHO: ENTRY was used now, by WHO ("mainline 7.3.4 svc-sleep"); pins it.
cache_use() {
	local f
	cache_pin "$1"
	f=$(cache_meta used "$1")
	mkdir -p "${f%/*}" 2>/dev/null || return 0
	grep -qxF -- "$2" "$f" 2>/dev/null || echo "$2" >>"$f"
	touch "$f"
}
