# xl-same-image: the noop image boots under Debian's xl too; create times of
# xl and chaos, measured in the same run, and their ratio.
# rig-timeout: 600

rig_start_xenstore
runs=10
cat > noop.cfg <<CFG
name = "xlnoop"
type = "pv"
kernel = "/rig/guests/noop.elf"
memory = 4
CFG
cat > noop.json <<CFG
{ "name": "chnoop", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
: > xl.us
: > chaos.us
i=0
while [ $i -lt $runs ]; do
	rig_time_us xl create noop.cfg >> xl.us 2>/dev/null
	if [ $i -eq 0 ]; then
		rig_wait_for 30 grep -q ready /var/log/xen/console/guest-xlnoop.log ||
			rig_fail "noop under xl did not print ready"
	fi
	xl destroy xlnoop || rig_fail "xl destroy failed"
	rig_time_us chaos create noop.json >> chaos.us 2>/dev/null
	if [ $i -eq 0 ]; then
		chaos console chnoop --no-input --until ready --timeout 30 >/dev/null ||
			rig_fail "noop under chaos did not print ready"
	fi
	chaos destroy chnoop || rig_fail "chaos destroy failed"
	i=$((i + 1))
done
set -- $(rig_stats xl.us)
xl_med=$1
set -- $(rig_stats chaos.us)
chaos_med=$1
rig_metric xl_create_ms "$(awk -v v="$xl_med" 'BEGIN {printf "%.2f", v / 1000}')" ms
rig_metric chaos_create_ms "$(awk -v v="$chaos_med" 'BEGIN {printf "%.2f", v / 1000}')" ms
rig_metric create_ratio_xl_over_chaos "$(awk -v a="$xl_med" -v b="$chaos_med" 'BEGIN {printf "%.1f", a / b}')" x
rig_pass "same image under both, medians of $runs"
