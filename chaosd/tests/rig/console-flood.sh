# console-flood: audit finding 10. A guest notifying its console event
# channel in a tight loop (console-flood) must not burn a dom0 CPU: the
# console backend in libchaos rate limits events as xenconsoled does.
# chaosd's CPU time (utime + stime of all its threads, /proc/<pid>/stat)
# and the console events it takes (its event channel interrupts in
# /proc/interrupts) are measured over a few seconds with a well-behaved
# guest alone (the baseline) and again with the flooding guest beside it.
# The flood must cost chaosd under half a CPU and at most 300 events a
# second (the limit lets 150 through), and the well-behaved guest's
# console keeps working meanwhile. Then the CPU cost without chaosd:
# chaos console attached directly to the flooding guest.
# Measured without the limit on this rig, the same flood reached chaosd
# at about 46 events/s for 17-48% of a CPU, apparently because Debian's
# 6.1 dom0 kernel acknowledges user event channels late (XSA-332): here
# the limit is a second line, and most of the CPU figure is the flooding
# guest's vCPU competing with dom0's under TCG.
# rig-timeout: 120

. /rig/extra/chaosd-lib
rm -rf /var/log/chaos
WINDOW=5
HZ=100   # USER_HZ: /proc/<pid>/stat counts in 1/100 s on Debian's kernels

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# events COMM: event channel interrupts dom0 took for COMM's event
# channel handles (the kernel names them evtchn:<comm>): each is one
# notification the program acknowledged.
events() {
	awk -v n="evtchn:$1" '$NF == n { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i }
		END { print s + 0 }' /proc/interrupts
}
# measure PID COMM: over WINDOW seconds, PID's CPU use in percent of one
# CPU and COMM's console events a second.
measure() {
	_t0=$(ticks "$1") _v0=$(events "$2") _w0=$(rig_now_us)
	sleep "$WINDOW"
	_t1=$(ticks "$1") _v1=$(events "$2") _w1=$(rig_now_us)
	awk -v t=$((_t1 - _t0)) -v v=$((_v1 - _v0)) -v w=$((_w1 - _w0)) -v hz=$HZ \
		'BEGIN { printf "%.1f %d", 100 * t / hz / (w / 1000000), v / (w / 1000000) }'
}
# flood_rate FILE: notifications a second the flooding guest sent, from
# its last "flood <s> <sent>" line.
flood_rate() {
	awk '$1 == "flood" && $2 > 0 { r = $3 / $2 } END { printf "%d", r }' "$1"
}

chaosd_start --pool memory=4,vcpus=1,size=1
hello_json hl > hl.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
wait_until 20 log_has hl '^hello 2$' || rig_fail "no console output from hl"
set -- $(measure "$chaosd_pid" chaosd)
idle=$1 idle_ev=$2
rig_log "chaosd with one quiet guest: $idle% of a CPU, $idle_ev events/s"

echo '{ "name": "flood", "kernel": "/rig/guests/console-flood.elf", "memory": 4 }' > flood.json
chaos create flood.json > /dev/null || rig_fail "create flood failed"
wait_until 20 log_has flood '^flood 1 ' || { cat chaosd.log; rig_fail "no console output from flood"; }
before=$(hello_count hl)
set -- $(measure "$chaosd_pid" chaosd)
flood=$1 flood_ev=$2
rig_log "chaosd with a flooding guest beside it: $flood% of a CPU, $flood_ev events/s"
# The quiet guest's console works meanwhile, in the log and in a stream.
[ "$(hello_count hl)" -ge $((before + WINDOW - 2)) ] ||
	rig_fail "hl logged $(( $(hello_count hl) - before )) lines in ${WINDOW} s during the flood"
chaos console hl --no-input --until "hello $(( $(hello_count hl) + 2 ))" --timeout 10 > hl.out ||
	{ tail -n 3 hl.out; rig_fail "console of hl through chaosd stalled during the flood"; }
# And the flooding guest's own output still comes through.
chaos console flood --no-input --until 'flood ' --timeout 10 > flood.out ||
	rig_fail "console of flood through chaosd shows nothing"
cat /var/log/chaos/flood.log > flood.log
rate=$(flood_rate flood.log)
chaosd_stop

# Without chaosd: chaos console attached directly to the flooding guest.
chaos console flood --no-input --timeout $((WINDOW + 3)) > direct.out &
con=$!
sleep 2
set -- $(measure "$con" chaosd)
direct=$1
wait "$con"
grep -q '^flood ' direct.out || rig_fail "direct console of flood shows nothing"

chaos destroy flood || rig_fail "destroy flood failed"
chaos destroy hl || rig_fail "destroy hl failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"

rig_metric console_flood_guest_notify_per_s "$rate" /s
rig_metric console_flood_chaosd_idle_cpu "$idle" %
rig_metric console_flood_chaosd_cpu "$flood" %
rig_metric console_flood_direct_cpu "$direct" %
rig_metric console_flood_chaosd_idle_events "$idle_ev" /s
rig_metric console_flood_chaosd_events "$flood_ev" /s
awk -v f="$flood" -v d="$direct" 'BEGIN { exit !(f < 50 && d < 50) }' ||
	rig_fail "a console flood cost chaosd $flood% and chaos console $direct% of a CPU (want under 50%)"
# Throttled, a flooding guest gets 30 events per 200 ms through (150/s).
[ "$flood_ev" -le 300 ] ||
	rig_fail "a console flood made chaosd take $flood_ev events a second (want at most 300)"
rig_pass "a guest flooding its console channel ($rate notifications/s) costs chaosd $flood% of a CPU and $flood_ev events/s (idle $idle%, $idle_ev/s), chaos console $direct%; the quiet guest's console kept working"
