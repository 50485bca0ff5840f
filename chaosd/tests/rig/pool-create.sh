# pool-create: 100 creates of the noop unikernel from a pool of 20 shells,
# beside full creates (no chaosd) and xl, in the same run. Create time and
# create-to-ready time of each. A create's time is its command's own wall
# time (rigtime run: from fork to exit), for chaos and xl alike. The floor
# (rig-floor: only what no pool can do ahead, timed on a shell prepared in
# full) is measured in the same boot: execute_over_floor is a pooled
# create's in-library time over it.
# rig-timeout: 900

. /rig/extra/chaosd-lib
rig_start_xenstore
# chaosd holds a console channel per guest: grow dom0's event channel table
# to that size first, so the free-memory check below sees only guests.
rig-evtchn-warm 256 || rig_fail "cannot warm dom0's event channels"
# The floor, before anything else runs.
rig-floor /rig/guests/noop.elf 4 20 > floor.txt || rig_fail "rig-floor failed"
for f in floor_us copy start vcpu unpause; do
	sed -n "s/.*\<$f=\([0-9]*\).*/\1/p" floor.txt > floor-$f.us
done
free0=$(rig-domains free-kib)
chaosd_start --no-virq --pool memory=4,vcpus=1,size=20
wait_until 120 pool_full 4 20 || rig_fail "pool did not fill to 20 shells"
chaos pool
[ "$(rig-domains count)" = 20 ] || rig_fail "expected 20 shells, see $(rig-domains count) domains"

# 100 creates through chaosd. The pool refills in the background; a create
# that finds it empty falls back to a full create (counted).
: > pool.us
pooled=0
i=1
while [ $i -le 100 ]; do
	noop_json p$i > p$i.json
	rigtime run chaos create --timing p$i.json >> pool.us 2> out.txt ||
		rig_fail "pooled create $i failed: $(cat out.txt)"
	grep -q 'via=pool' out.txt && pooled=$((pooled + 1))
	grep timing_us out.txt | sed 's/.*total=\([0-9]*\).*/\1/' >> pool-lib.us
	grep timing_us out.txt >> pool-phases.txt
	i=$((i + 1))
done
rig_log "$pooled of 100 creates took a pooled shell"
[ "$pooled" -ge 20 ] || rig_fail "only $pooled creates were pooled"
chaos console p1 --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "pooled guest p1 did not print ready"
chaos console p100 --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "pooled guest p100 did not print ready"
[ "$(chaos list | grep -c '^p[0-9]')" = 100 ] || rig_fail "chaos list does not show the 100 guests"
i=1
while [ $i -le 100 ]; do
	chaos destroy p$i || rig_fail "destroy p$i failed"
	i=$((i + 1))
done

# Create-to-ready: pool and full interleaved, 10 each, one guest at a time
# (xl follows once chaos's own memory accounting is checked).
wait_until 120 pool_full 4 20 || rig_fail "pool did not refill"
: > pool-ready.us; : > full.us; : > full-ready.us; : > xl.us; : > xl-ready.us
i=1
while [ $i -le 10 ]; do
	noop_json r$i > r$i.json
	t0=$(rig_now_us)
	chaos create r$i.json > /dev/null || rig_fail "pooled create r$i failed"
	chaos console r$i --no-input --until ready --timeout 30 > /dev/null ||
		rig_fail "r$i not ready"
	echo $(( $(rig_now_us) - t0 )) >> pool-ready.us
	chaos destroy r$i

	noop_json f$i > f$i.json
	t0=$(rig_now_us)
	rigtime run chaos create --no-chaosd --timing f$i.json >> full.us 2> fout.txt ||
		rig_fail "full create f$i failed: $(cat fout.txt)"
	sed -n 's/.*total=\([0-9]*\).*/\1/p' fout.txt >> full-lib.us
	chaos console f$i --no-input --until ready --timeout 30 > /dev/null ||
		rig_fail "f$i not ready"
	echo $(( $(rig_now_us) - t0 )) >> full-ready.us
	chaos destroy f$i

	i=$((i + 1))
done

chaosd_stop
grep -q 'destroyed 20 unused shells' chaosd.log || { cat chaosd.log; rig_fail "chaosd did not destroy its shells on SIGTERM"; }
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
# Each shell's record file (made with it, written by its create) is gone:
# put in place and removed with its guest, or removed with the shell.
left=$(ls -A /run/chaos/domains | tr '\n' ' ')
[ -z "$left" ] || rig_fail "left in /run/chaos/domains: $left"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"

# xl in the same run, after the leak check: xenconsoled's grant mappings
# grow dom0's own tables once, which is not chaos's to account for.
i=1
while [ $i -le 10 ]; do
	noop_xl x$i > x$i.cfg
	t0=$(rig_now_us)
	rigtime run xl create x$i.cfg >> xl.us 2> /dev/null ||
		rig_fail "xl create x$i failed"
	rig_wait_for 30 grep -q ready /var/log/xen/console/guest-x$i.log ||
		rig_fail "x$i not ready under xl"
	echo $(( $(rig_now_us) - t0 )) >> xl-ready.us
	xl destroy x$i
	i=$((i + 1))
done

metric_stats pool_create_ms pool.us
metric_stats pool_create_lib_ms pool-lib.us
metric_stats full_create_ms full.us
metric_stats full_create_lib_ms full-lib.us
metric_stats xl_create_ms xl.us
metric_stats pool_ready_ms pool-ready.us
metric_stats full_ready_ms full-ready.us
metric_stats xl_ready_ms xl-ready.us
rig_metric pool_creates_pooled "$pooled" of100
set -- $(rig_stats pool.us); p=$1
set -- $(rig_stats full.us); f=$1
set -- $(rig_stats xl.us); x=$1
rig_metric full_over_pool "$(awk -v a="$f" -v b="$p" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric xl_over_pool "$(awk -v a="$x" -v b="$p" 'BEGIN {printf "%.2f", a / b}')" x
set -- $(rig_stats pool-lib.us); pl=$1
set -- $(rig_stats full-lib.us); fl=$1
rig_metric full_over_pool_inlib "$(awk -v a="$fl" -v b="$pl" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric xl_over_pool_inlib "$(awk -v a="$x" -v b="$pl" 'BEGIN {printf "%.2f", a / b}')" x
# Where a pooled create's in-library time goes, beside the floor's steps.
for f in parse load pagetables devices unpause; do
	sed -n "s/.*\<$f=\([0-9]*\).*/\1/p" pool-phases.txt > pool-$f.us
	metric_stats pool_create_lib_${f}_ms pool-$f.us
done
# chaosd's work outside the library, with the round trip: the CLI's
# request time (sent to answer read) less the library's total.
sed -n 's/.*\<total=\([0-9]*\).*\<request=\([0-9]*\).*/\2 \1/p' pool-phases.txt |
	awk '{ print $1 - $2 }' > pool-outside.us
metric_stats pool_create_outside_lib_ms pool-outside.us
for f in floor_us copy start vcpu unpause; do
	metric_stats floor_${f%_us}_ms floor-$f.us
done
set -- $(rig_stats floor-floor_us.us); fl=$1
rig_metric execute_over_floor "$(awk -v a="$pl" -v b="$fl" 'BEGIN {printf "%.2f", a / b}')" x
rig_pass "100 creates ($pooled pooled), pool vs full vs xl measured, nothing left"
