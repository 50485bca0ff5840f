# cycles: 200 create/destroy cycles of the noop unikernel leave no domain
# and no memory behind. Prints create_ms (median, p90) of the CLI.
# rig-timeout: 600

n=200
free0=$(rig-domains free-kib)
cat > noop.json <<CFG
{ "name": "cyc", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
: > create.us
: > inlib.us
i=0
while [ $i -lt $n ]; do
	rig_time_us chaos create noop.json --timing >> create.us 2> create.out ||
		rig_fail "create $i failed: $(cat create.out)"
	sed -n 's/.*total=\([0-9]*\).*/\1/p' create.out >> inlib.us
	chaos destroy cyc || rig_fail "destroy $i failed"
	i=$((i + 1))
done
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left after $n cycles"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB after $n cycles, was $free0 KiB"
set -- $(rig_stats create.us)
rig_metric create_ms_median "$(awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}')" ms
rig_metric create_ms_p90 "$(awk -v v="$2" 'BEGIN {printf "%.2f", v / 1000}')" ms
set -- $(rig_stats inlib.us)
rig_metric create_inlib_ms_median "$(awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}')" ms
rig_pass "$n cycles, no leaks"
