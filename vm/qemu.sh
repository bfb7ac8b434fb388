#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu.sh: start one guest of a case inside the case's network namespace. The script execs
# QEMU, so the caller's $! is QEMU's pid (kill it by that pid).
#
#   vm/qemu.sh --role server|client --netns NS --kernel BZIMAGE --initrd IMG --out DIR
#              [--share DIR] [--append 'k=v ...'] [--log FILE]
#              [--console FILE | --console-stdio FILE | --console-socket PATH FILE]
#
#   --out DIR            9p tag lrout  → /lr/out in the guest (the case's temporary dir)
#   --share DIR          9p tag lrshare → /lr/share (make shell SHARE=dir)
#   --console FILE       serial console written to FILE (cases)
#   --console-stdio F    serial console on this terminal, also logged to F (make shell, client)
#   --console-socket P F serial console on unix socket P (attach with socat), logged to F
#   --append ARGS        added to the kernel command line (lr.case=…, lr.cmd=…, …)
#   --log FILE           QEMU's own stderr (and the command line used, first line)
#
# Machine: -M pc (microvm would need virtio-mmio or ACPI in the guest kernel; pc needs neither),
# KVM when /dev/kvm runs a guest kernel (lr_accel), TCG otherwise (LR_ACCEL=kvm|tcg overrides). -no-reboot and
# panic=-1: a guest that panics or reboots ends its QEMU, so "did not boot" is quick to see.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

usage() { sed -n '3,22s/^# \{0,1\}//p' "$0"; exit "${1:-2}"; }

role= ns= kernel= initrd= out= share= append= qlog=/dev/null console= cmode=file sock=
while [ $# -gt 0 ]; do
	case "$1" in
	--role) role=$2; shift ;;
	--netns) ns=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--out) out=$2; shift ;;
	--share) share=$2; shift ;;
	--append) append=$2; shift ;;
	--log) qlog=$2; shift ;;
	--console) cmode=file console=$2; shift ;;
	--console-stdio) cmode=stdio console=$2; shift ;;
	--console-socket) cmode=socket sock=$2 console=$3; shift 2 ;;
	--help|-h) usage 0 ;;
	*) die "qemu.sh: unknown argument '$1' (see vm/qemu.sh --help)" ;;
	esac
	shift
done

# Fixed per-role addresses and MACs (docs/internals.md): data .40/.214, management the same.
case "$role" in
server) ip=192.168.53.40/24 mip=192.168.99.40/24 tap=s mac=00:40 ;;
client) ip=192.168.53.214/24 mip=192.168.99.214/24 tap=c mac=02:14 ;;
*) die "qemu.sh: --role must be server or client" ;;
esac
[ -n "$ns" ] || die "qemu.sh: --netns is required"
[ -f "$kernel" ] || die "qemu.sh: kernel '$kernel' not found"
[ -f "$initrd" ] || die "qemu.sh: initrd '$initrd' not found"
[ -d "$out" ] || die "qemu.sh: --out '$out' is not a directory"
[ -n "$console" ] || die "qemu.sh: a --console option is required"
[ -z "$share" ] || [ -d "$share" ] || die "qemu.sh: share '$share' is not a directory"

accel=${LR_ACCEL:-$(lr_accel "$kernel")}

# Firmware: SeaBIOS (QEMU's default). qboot boots ~1 s sooner but gives no MP table, and our
# kernel has neither ACPI nor MSI: the virtio devices then get no IRQ and crawl (measured: the
# client took 60 s to reach the server). LR_QEMU_BIOS=qboot tries it anyway.
bios=()
[ "${LR_QEMU_BIOS:-}" = qboot ] && [ -f /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)

# no_timer_check: under TCG on a busy host the vCPU can miss the IO-APIC timer check and the
# kernel panics "IO-APIC + timer doesn't work!" (seen here with 4 guests on 2 CPUs).
# tsc=unstable: the guest's clock is its tick (refined-jiffies), as on most TCG boots,
# where the TSC calibration fails. When it succeeds it is against the PIT under TCG, and
# was seen 8 times off on a loaded host ("Detected 258.625 MHz", the host's TSC runs at
# GHz): CLOCK_MONOTONIC then ran 8 times fast of the kernel's timers, and a test waiting
# 90 s for a 30 s timer gave up after 11 real seconds. On the tick, clock and timers agree
# by construction; a guest that loses ticks loses them on both (docs/timing-model.md).
cmdline="console=ttyS0 panic=-1 no_timer_check tsc=unstable lr.role=$role lr.ip=$ip lr.mip=$mip"
cmdline+=" lr.server=192.168.53.40 lr.mserver=192.168.99.40 $append"

case "$cmode" in
file)	con=(-chardev "file,id=con,path=$console") ;;
stdio)	con=(-chardev "stdio,id=con,signal=on,logfile=$console") ;;
socket)	con=(-chardev "socket,id=con,path=$sock,server=on,wait=off,logfile=$console") ;;
esac

# romfile= : no iPXE option ROM to load (we boot with -kernel; saves time and a dependency)
args=(-name "lr-$role" -M pc,accel="$accel" -cpu max -m "${LR_QEMU_MEM:-256}" -smp 1
	-no-reboot -nodefaults -display none "${bios[@]}"
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	"${con[@]}" -serial chardev:con
	-netdev "tap,id=nd,ifname=tapd-$tap,script=no,downscript=no"
	-device "virtio-net-pci,netdev=nd,mac=52:54:00:53:$mac,addr=0x4,romfile="
	-netdev "tap,id=nm,ifname=tapm-$tap,script=no,downscript=no"
	-device "virtio-net-pci,netdev=nm,mac=52:54:00:99:$mac,addr=0x5,romfile="
	-fsdev "local,id=fsout,path=$out,security_model=none"
	-device "virtio-9p-pci,fsdev=fsout,mount_tag=lrout,addr=0x6"
	-device "virtio-rng-pci,addr=0x8")
[ -n "$share" ] && args+=(-fsdev "local,id=fsshare,path=$share,security_model=none"
	-device "virtio-9p-pci,fsdev=fsshare,mount_tag=lrshare,addr=0x7")

printf '%q ' qemu-system-x86_64 "${args[@]}" >"$qlog"; echo >>"$qlog"
# pdeathsig: if our caller is killed outright (SIGKILL, no cleanup), QEMU does not outlive it
exec 2>>"$qlog"
exec ip netns exec "$ns" setpriv --pdeathsig KILL qemu-system-x86_64 "${args[@]}"
