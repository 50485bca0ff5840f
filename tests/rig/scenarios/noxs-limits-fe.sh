# noxs-limits-fe: the power backend under repetition. 200 create/shutdown
# cycles of noop, each shutdown going through the guest's power device,
# leave no devices, grants, event channels, domains or memory behind
# (noxsctl stats and rig-domains free-kib before and after). Prints
# noxs_cycle_ms (median create + shutdown, CLI time).
# (The device page's own limits are xen-patches' noxs-limits.)
# rig-timeout: 900

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
n=${NOXS_CYCLES:-200}

stats() { $N stats || rig_fail "noxsctl stats failed"; }
before=$(stats)
rig_log "before: $before"
case $before in "devices 0 grants 0 ports 0 irqs 0 "*) ;;
	*) rig_fail "module not idle at start: $before" ;; esac
free0=$(rig-domains free-kib)

cat > noop.json <<CFG
{ "name": "cyc", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
: > cycle.us
i=0
while [ $i -lt $n ]; do
	t0=$(rig_now_us)
	chaos create noop.json > create.out 2>&1 ||
		rig_fail "create $i failed: $(cat create.out)"
	chaos shutdown cyc --timeout 10 > shutdown.out 2>&1 ||
		rig_fail "shutdown $i failed: $(cat shutdown.out)"
	echo $(( $(rig_now_us) - t0 )) >> cycle.us
	i=$((i + 1))
done

[ "$(rig-domains count)" = 0 ] || rig_fail "domains left after $n cycles"
after=$(stats)
rig_log "after: $after"
case $after in "devices 0 grants 0 ports 0 irqs 0 "*) ;;
	*) rig_fail "resources left after $n cycles: $after" ;; esac
echo "$after" | grep -q " created $n destroyed $n closed_by_error 0 " ||
	rig_fail "unexpected counters after $n cycles: $after"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB after $n cycles, was $free0 KiB"
set -- $(rig_stats cycle.us)
rig_metric noxs_cycle_ms "$(awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}')" ms
rig_metric noxs_cycle_ms_p90 "$(awk -v v="$2" 'BEGIN {printf "%.1f", v / 1000}')" ms
rig_pass "$n create/shutdown cycles through the power device, nothing leaked"
