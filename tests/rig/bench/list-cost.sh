# list-cost: wall time of `chaos list` next to `xl list`, same host, same run.
# rig-timeout: 240

rig_start_xenstore
runs=30
: > chaos.us
: > xl.us
for i in $(seq 1 $runs); do
	rig_time_us chaos list >> chaos.us 2>/dev/null
	rig_time_us xl list >> xl.us 2>/dev/null
done
set -- $(rig_stats chaos.us)
chaos_med=$1
set -- $(rig_stats xl.us)
xl_med=$1
rig_metric chaos_list_us "$chaos_med" us
rig_metric xl_list_us "$xl_med" us
rig_metric list_speedup "$(awk -v a="$xl_med" -v b="$chaos_med" 'BEGIN {printf "%.1f", a / b}')" x
rig_pass "median of $runs runs each"
