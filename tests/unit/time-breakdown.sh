#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Unit tests (TAP) of vm/common.sh time_breakdown: where a case's time went, in host
# seconds, the client's spans scaled by its clock's rate against the host's. Pure: a fake
# case dir (boot.txt, phases), no guest.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tap.inc
. "$(dirname "$0")/tap.inc"
# shellcheck source=../../vm/common.sh
. "$top/vm/common.sh"
tap_scratch time

# case_dir HOST_MOUNTED_TO_DONE: mounted at guest 10 s, scenario 20-80 s, done at 110 s;
# boot 5 s; an empty HOST_MOUNTED_TO_DONE: the host moment is missing (a timed-out case)
case_dir() {
	printf 'pair_start_to_mounted_s=5.00\nclient_mounted_uptime_s=10.0\nclient_done_uptime_s=110.0\nmounted_to_done_host_s=%s\n' "$1" >"$t/boot.txt"
	printf '12.0 phase - setting up\n20.0 scenario - start\n21.0 phase 60.0 waiting\n80.0 scenario - end\n81.0 phase - teardown\n' >"$t/phases"
}
is() { local got; got=$(time_breakdown "$t" "$2" | paste -sd' '); [ "$got" = "$3" ]; ok $? "$1" "got '$got'"; }

case_dir 100.0
is "guest clock as fast as the host's: its spans as measured" 120 \
	"time_clock_rate=1.000 time_boot_s=5.00 time_setup_s=10.00 time_scenario_s=60.00 time_teardown_s=30.00 time_host_s=15.00 time_overhead_s=60.00"
case_dir 125.0
is "guest clock at 0.8 of the host's: spans scaled by 1.25, host time is what is left" 150 \
	"time_clock_rate=1.250 time_boot_s=5.00 time_setup_s=12.50 time_scenario_s=75.00 time_teardown_s=37.50 time_host_s=20.00 time_overhead_s=75.00"
case_dir ""
is "no host moment (timed out): rate 1, the lag stays in host" 150 \
	"time_clock_rate=1.000 time_boot_s=5.00 time_setup_s=10.00 time_scenario_s=60.00 time_teardown_s=30.00 time_host_s=45.00 time_overhead_s=90.00"
case_dir 100.0; sed -i '/scenario - end/d' "$t/phases"
is "no end mark (the test died in its scenario): the scenario runs to done" 120 \
	"time_clock_rate=1.000 time_boot_s=5.00 time_setup_s=10.00 time_scenario_s=90.00 time_teardown_s=0.00 time_host_s=15.00 time_overhead_s=30.00"
: >"$t/boot.txt"
got=$(time_breakdown "$t" 120); [ -z "$got" ]; ok $? "a client that never mounted: no breakdown" "got '$got'"
tap_end
