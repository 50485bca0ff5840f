# pool-scale: how creating the Nth guest costs as N grows, every earlier
# guest still running: N = 1..MAX through chaosd's pool (`chaos create`,
# wall time and the in-library time of --timing; chaosd primed for the
# image from its start, --prime-kernel), then with xl (the XenStore daemon
# Debian starts, oxenstored, and xenconsoled; `xl create` as users run
# it: its monitor process stays), same noop image, same 4 MiB, same
# boot. Each guest has a vif on the bridge br0 with xendevd running:
# chaos's from a pool
# flavour with a vif made ahead, its net device too (bridge=br0: noxs
# backend; xendevd puts it on br0 when the shell is made),
# xl's through netback and Debian's vif-bridge script (run by xl itself,
# as on any Xen host). The curves go to pool-scale.csv
# ($(BUILD)/bench/pool-scale/ on the host); the metrics are the xl/chaos
# ratios at N = 1, 100 and the largest N both reached (median of the five
# guests ending there), chaos's growth from N = 1 to MAX, each curve's
# least-squares slope in ms per guest, and the fixed costs every create
# pays (process start, chaosd's round trip, the parts of the in-library
# time).
#
# xl's per-create time grows with N (about 6 s at N = 200 under TCG), so
# its curve stops when RIG_VAR_POOL_SCALE_XL_BUDGET seconds (default
# 1800) are spent: every xl point is still measured, in this boot, with
# all xl guests before it running. Every 50 xl guests, xl-cpu.csv takes
# the CPU seconds xenstored, xenconsoled and the xl monitor processes
# have used so far (where xl's growing time goes).
#
# N = 1 itself is measured apart, before each curve: the first guest,
# created and destroyed again, RIG_VAR_POOL_SCALE_N1 times (default 9)
# with each tool, nothing else running (pool-scale-n1.csv). The
# pool_xl_over_chaos_*_n1 metrics are the medians of those rounds: five
# creates at N = 1..5, of which one is the first after the daemon
# started, made a noisy figure (a chaos create at 35 ms instead of 28
# moved it by a fifth). The curves' own N = 1 row (the first five) stays
# in the table and in pool_xl_over_chaos_*_n1to5.
#
# MAX is RIG_VAR_POOL_SCALE_MAX (default 1000). RIG_VAR_POOL_SCALE_POOL
# sets the pool size (default 4); before each create the pool is refilled
# (not timed), so every chaos create takes a shell.
# RIG_VAR_POOL_SCALE_VIFS=0 runs both curves without vifs (and without
# noxs, xendevd and the bridge).
# rig-boot: alone
# rig-timeout: 10800

max=${RIG_VAR_POOL_SCALE_MAX:-1000}
pool=${RIG_VAR_POOL_SCALE_POOL:-4}
vifs=${RIG_VAR_POOL_SCALE_VIFS:-1}
xl_budget=${RIG_VAR_POOL_SCALE_XL_BUDGET:-1800}
n1_rounds=${RIG_VAR_POOL_SCALE_N1:-9}
mem=4
for v in "max:$max" "pool:$pool" "xl_budget:$xl_budget" "n1:$n1_rounds"; do
	case ${v#*:} in ''|*[!0-9]*) rig_fail "RIG_VAR_POOL_SCALE_${v%%:*} '${v#*:}' is not a number" ;; esac
done
case $vifs in 0|1) ;; *) rig_fail "RIG_VAR_POOL_SCALE_VIFS '$vifs' is not 0 or 1" ;; esac
[ "$max" -ge 5 ] || rig_fail "RIG_VAR_POOL_SCALE_MAX must be at least 5"
[ "$n1_rounds" -ge 1 ] || rig_fail "RIG_VAR_POOL_SCALE_N1 must be at least 1"
# A Linux bridge takes at most 1023 ports.
[ "$vifs" = 0 ] || [ "$max" -le 1023 ] ||
	rig_fail "RIG_VAR_POOL_SCALE_MAX $max: one bridge holds at most 1023 vifs"
# Every guest of one curve at once, the pool, and 4 MiB of slack per 100
# guests for the hypervisor's own bookkeeping.
need=$(( (max + pool) * mem * 1024 + (max / 100 + 1) * 4096 ))
free=$(rig-domains free-kib)
[ "$free" -ge "$need" ] ||
	rig_fail "needs $need KiB free for $max guests, the host has $free: raise RIG_MEM_MB or lower RIG_VAR_POOL_SCALE_MAX"
rig_log "N = 1..$max, pool of $pool, $mem MiB guests, vifs $vifs, xl budget $xl_budget s, $free KiB free"

. /rig/extra/bench-lib

# --- the bridge, xendevd and noxs' backends ------------------------------
xd=
stop_all() {
	[ -n "${chaosd_pid:-}" ] && { kill -TERM "$chaosd_pid" 2>/dev/null; wait "$chaosd_pid" 2>/dev/null; }
	[ -n "$xd" ] && kill "$xd" 2>/dev/null
	rig_stop_xenstore
}
trap stop_all EXIT
if [ "$vifs" = 1 ]; then
	grep -q '^noxs ' /proc/modules || insmod /rig/modules/noxs.ko ||
		rig_fail "insmod noxs.ko failed"
	ip link add br0 type bridge && ip link set br0 up || rig_fail "cannot make br0"
	xendevd --no-ovs > xendevd.log 2>&1 &
	xd=$!
	rig_wait_for 10 test -S /run/xendevd.sock ||
		{ cat xendevd.log; rig_fail "xendevd did not start"; }
	chaos_vifs='"vifs": [ { "bridge": "br0" } ], '
	xl_vifs="vif = [ 'bridge=br0' ]"
else
	chaos_vifs= xl_vifs=
fi
# ports: how many vifs are on br0.
ports() { ls /sys/class/net/br0/brif 2>/dev/null | wc -l; }
# chaos_config NAME, xl_config NAME: the one guest both tools create
# (s.json, x.cfg), at N = 1 and along the curves alike.
chaos_config() {
	echo "{ \"name\": \"$1\", \"kernel\": \"/rig/guests/noop.elf\", $chaos_vifs\"memory\": $mem }" > s.json
}
xl_config() {
	printf 'name = "%s"\ntype = "pv"\nkernel = "/rig/guests/noop.elf"\nmemory = %s\n%s\n' \
		"$1" $mem "$xl_vifs" > x.cfg
}

# --- chaos through chaosd's pool --------------------------------------------
# With vifs, the shells' net devices are made ahead on br0 (bridge=).
flavour=memory=$mem,vcpus=1,vifs=$vifs,size=$pool
[ "$vifs" = 1 ] && flavour=$flavour,bridge=br0
chaosd -f --pool $flavour --prime-kernel /rig/guests/noop.elf >> chaosd.log 2>&1 &
chaosd_pid=$!
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
wait_pool
# Process start alone and with one round trip to chaosd, interleaved so
# that both see the same host (timed apart, right after boot, the start
# alone came out 20 ms slower than the two together).
: > version.us
: > pool0.us
i=0
while [ $i -lt 20 ]; do
	rig_time_us chaos --version >> version.us 2> /dev/null
	rig_time_us chaos pool >> pool0.us 2> /dev/null
	i=$((i + 1))
done
# N = 1, again and again: create the only guest, destroy it, refill.
echo "tool,round,wall_us,lib_us" > n1.csv
chaos_config s0
r=1
while [ $r -le "$n1_rounds" ]; do
	wait_pool
	wall=$(rigtime run chaos create --timing s.json 2> out.txt) ||
		rig_fail "chaos create at N = 1, round $r, failed: $(cat out.txt)"
	grep -q 'via=pool' out.txt || { cat out.txt; rig_fail "the create at N = 1, round $r, took no shell"; }
	lib=$(sed -n 's/^timing_us .* total=\([0-9]*\).*/\1/p' out.txt)
	[ -n "$lib" ] || { cat out.txt; rig_fail "no timing line at N = 1, round $r"; }
	echo "chaos,$r,$wall,$lib" >> n1.csv
	chaos destroy s0 || rig_fail "destroy s0 failed (N = 1, round $r)"
	[ -z "$(chaos list | awk '$1 == "s0"')" ] || rig_fail "s0 still listed after its destroy"
	r=$((r + 1))
done
: > chaos.csv
echo "n,wall_us,lib_us,config_us,connect_us,request_us" > split.csv
pooled=0
n=1
while [ $n -le $max ]; do
	chaos_config s$n
	wait_pool
	wall=$(rigtime run chaos create --timing s.json 2> out.txt) ||
		rig_fail "chaos create of guest $n failed: $(cat out.txt)"
	grep -q '^timing_us .* total=' out.txt || { cat out.txt; rig_fail "no timing line for guest $n"; }
	grep -q 'via=pool' out.txt && pooled=$((pooled + 1))
	# n,wall,total,parse,load,pagetables,devices,unpause,pooled
	sed -n 's/.*parse=\([0-9]*\).*load=\([0-9]*\) pagetables=\([0-9]*\) devices=\([0-9]*\) unpause=\([0-9]*\) total=\([0-9]*\)\(.*\)/\6 \1 \2 \3 \4 \5 \7/p' out.txt |
		{ read -r total parse load pt dev unp via
		  case $via in *pool*) p=1 ;; *) p=0 ;; esac
		  echo "$n,$wall,$total,$parse,$load,$pt,$dev,$unp,$p"; } >> chaos.csv
	# The CLI's side: n,wall,total,config,connect,request.
	sed -n 's/.* total=\([0-9]*\) config=\([0-9]*\) connect=\([0-9]*\) request=\([0-9]*\).*/\1 \2 \3 \4/p' out.txt |
		{ read -r total config connect request
		  echo "$n,$wall,$total,$config,$connect,$request"; } >> split.csv
	[ $((n % 100)) = 0 ] && rig_log "chaos: $n guests"
	n=$((n + 1))
done
[ "$(wc -l < chaos.csv)" = "$max" ] || rig_fail "chaos.csv has $(wc -l < chaos.csv) rows, want $max"
chaos console s$max --no-input --until ready --timeout 60 > /dev/null || rig_fail "guest $max did not print ready"
[ "$(chaos list | grep -c '^s[0-9]')" = "$max" ] || rig_fail "chaos list does not show $max guests"
if [ "$vifs" = 1 ]; then
	# xendevd attaches each vif when its net device appears: give the
	# last ones a moment.
	rig_wait_for 60 sh -c "[ \$(ls /sys/class/net/br0/brif | wc -l) -ge $max ]" ||
		rig_fail "br0 has $(ports) vifs, want $max"
fi
repeat_time 20 poolN.us chaos pool
# What the daemon itself spent (all threads: serving, refill, consoles).
chaosd_cpu=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' /proc/$chaosd_pid/stat)
kill -TERM $chaosd_pid; wait $chaosd_pid; chaosd_pid=
n=1
while [ $n -le $max ]; do
	chaos destroy s$n || rig_fail "destroy s$n failed"
	n=$((n + 1))
done
[ "$(rig-domains count)" = 0 ] || rig_fail "$(rig-domains count) domains left after the chaos curve"
[ "$(ports)" = 0 ] || rig_fail "$(ports) vifs left on br0 after the chaos curve"

# --- xl, real xenstored ------------------------------------------------------
rig_start_xenstore
# Each xl guest holds two of its files (its monitor's connections): with
# too few, the xl curve would hang, not fail (lib.sh raises the limit).
nofile=$(awk '/^Max open files/ { print $4 }' "/proc/$(cat /var/run/xenstored.pid)/limits")
case $nofile in
unlimited) ;;
''|*[!0-9]*) rig_fail "cannot read the XenStore daemon's open-file limit" ;;
*) [ "$nofile" -ge $((2 * max + 64)) ] ||
	rig_fail "the XenStore daemon may open $nofile files; $max xl guests need $((2 * max + 64))" ;;
esac
# Which daemon (the report names it).
rig_xenstore_daemon | rig_file xenstore.txt
# xl runs Debian's vif-bridge script itself (xendevd leaves backends that
# name a script alone); it needs the real ip (tests/rig/mkbase).
xl_tools="env PATH=/usr/lib/rig-xl-tools:$PATH"
repeat_time 10 xlhelp.us xl help
repeat_time 10 xllist0.us xl list
# cpu_s PIDFILE: the user and system seconds of the daemon it names.
cpu_s() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$(cat "$1")/stat"; }
# xl_cpu N: one xl-cpu.csv row (xl's monitors: every xl process left, as
# none is creating between two creates).
xl_cpu() {
	_stats=
	for _p in $(pidof xl); do _stats="$_stats /proc/$_p/stat"; done
	if [ -n "$_stats" ]; then
		set -- "$1" $(awk '{ t += $14 + $15; k++ } END { printf "%.2f %d", t / 100, k }' $_stats)
	else
		set -- "$1" 0.00 0
	fi
	echo "$1,$(cpu_s /var/run/xenstored.pid),$(cpu_s /var/run/xenconsoled.pid),$2,$3,$(rig-domains free-kib)"
}
echo "n,xenstored_cpu_s,xenconsoled_cpu_s,xl_monitors_cpu_s,xl_monitors,free_kib" > xl-cpu.csv
xl_cpu 0 >> xl-cpu.csv
# N = 1, again and again, as for chaos (the in-library column is empty;
# xl-cpu.csv's N = 0 row is taken before these rounds, the others after).
r=1
while [ $r -le "$n1_rounds" ]; do
	xl_config x0
	wall=$(rigtime run $xl_tools xl create x.cfg 2> xl-err.txt) ||
		rig_fail "xl create at N = 1, round $r, failed: $(cat xl-err.txt)"
	echo "xl,$r,$wall," >> n1.csv
	$xl_tools xl destroy x0 || rig_fail "xl destroy x0 failed (N = 1, round $r)"
	rig_wait_for 30 sh -c '[ "$(rig-domains count)" = 0 ]' ||
		rig_fail "$(rig-domains count) domains left after xl destroy x0"
	[ "$vifs" = 0 ] || rig_wait_for 30 sh -c '[ -z "$(ls /sys/class/net/br0/brif)" ]' ||
		rig_fail "$(ports) vifs left on br0 after xl destroy x0"
	r=$((r + 1))
done
: > xl.csv
xl_end=$(( $(rig_now_us) + xl_budget * 1000000 ))
n=1
while [ $n -le $max ] && [ "$(rig_now_us)" -lt "$xl_end" ]; do
	xl_config x$n
	wall=$(rigtime run $xl_tools xl create x.cfg 2> xl-err.txt) ||
		rig_fail "xl create of guest $n failed: $(cat xl-err.txt)"
	echo "$n,$wall" >> xl.csv
	[ $((n % 50)) = 0 ] && { xl_cpu $n >> xl-cpu.csv; rig_log "xl: $n guests"; }
	n=$((n + 1))
done
xl_max=$((n - 1))
[ "$xl_max" -ge 5 ] || rig_fail "xl made only $xl_max guests in $xl_budget s"
[ $((xl_max % 50)) = 0 ] || xl_cpu $xl_max >> xl-cpu.csv
[ "$xl_max" = "$max" ] || rig_log "xl stopped at N = $xl_max: its budget of $xl_budget s was spent"
rig_wait_for 60 grep -q ready /var/log/xen/console/guest-x$xl_max.log || rig_fail "xl guest $xl_max did not print ready"
if [ "$vifs" = 1 ]; then
	[ "$(ports)" = "$xl_max" ] || rig_fail "br0 has $(ports) vifs, want xl's $xl_max"
fi
repeat_time 10 xllistN.us xl list
rig_file xl-cpu.csv < xl-cpu.csv
# This boot is the scenario's own: what xl leaves (backends, entries)
# goes with it.
rig-domains destroy-all

# --- results -----------------------------------------------------------------
{
	echo "n,chaos_wall_us,chaos_lib_us,parse_us,load_us,pagetables_us,devices_us,unpause_us,pooled,xl_wall_us"
	awk -F, 'NR == FNR { xl[$1] = $2; next } { print $0 "," xl[$1] }' xl.csv chaos.csv
} > pool-scale.csv
rig_file pool-scale.csv < pool-scale.csv
rig_file pool-scale-n1.csv < n1.csv
echo "$vifs" | rig_file vifs.txt

# xl's column (10) is empty past xl_max.
# windows NA COLA NB COLB [DIGITS]: the median of column COLA over the
# five creates ending at NA, over that of COLB over the five ending at NB
# (at N = 1, the first five: one sample is noise); DIGITS decimals
# (default 2).
windows() {
	awk -F, -v na="$1" -v a="$2" -v nb="$3" -v b="$4" -v d="${5:-2}" '
		function in5(n) { return n == 1 ? $1 <= 5 : $1 > n - 5 && $1 <= n }
		NR > 1 && in5(na) { x[++i] = $a }
		NR > 1 && in5(nb) { y[++j] = $b }
		function med(v, m,   p, q, t) {
			for (p = 1; p <= m; p++) for (q = p + 1; q <= m; q++)
				if (v[q] < v[p]) { t = v[p]; v[p] = v[q]; v[q] = t }
			return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
		END { printf "%." d "f", med(x, i) / med(y, j) }' pool-scale.csv
}
# at N COL_A COL_B: column A over column B, both at N.
at() { windows "$1" "$2" "$1" "$3"; }
ratio() { at "$1" 10 2; }
# across XN N COL: xl's create at XN over column COL at N.
across() { windows "$1" 10 "$2" "$3"; }
# chaos's create time at N = max over N = 1 (column 2 the CLI, 3 in-library).
growth() { windows "$max" "$1" 1 "$1" 3; }
# slope COLUMN: least-squares ms per guest of that column against N
# (over the rows that have it).
slope() {
	awk -F, -v c="$1" 'NR > 1 && $c != "" { n++; sx += $1; sy += $c; sxx += $1 * $1; sxy += $1 * $c }
		END { printf "%.4f", (n * sxy - sx * sy) / (n * sxx - sx * sx) / 1000 }' pool-scale.csv
}
# median_of FILE EXPR: the median, in ms, of the awk expression EXPR
# (columns as $N) over FILE's rows below its header.
median_of() {
	awk -F, "NR > 1 { print $2 }" "$1" > col.tmp
	us_ms "$(median col.tmp)"
}
col_median() { median_of pool-scale.csv "\$$1"; }

rig_metric pool_scale_max "$max" guests
rig_metric pool_scale_xl_max "$xl_max" guests
rig_metric pool_scale_vifs "$vifs" per-guest
rig_metric pool_scale_pooled "$pooled" "of$max"
if [ "$xl_max" -ge 100 ]; then
	rig_metric ratio_xl_over_chaos_n100 "$(ratio 100)" x
fi
rig_metric ratio_xl_over_chaos_nmax "$(ratio "$xl_max")" x
# n1 TOOL COLUMN: the median of that column over TOOL's rounds at N = 1.
n1() {
	awk -F, -v t="$1" -v c="$2" 'NR > 1 && $1 == t { print $c }' n1.csv > col.tmp
	median col.tmp
}
# over A B: A / B.
over() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rig_metric n1_rounds "$n1_rounds" per-tool
rig_metric n1_chaos_cli "$(us_ms "$(n1 chaos 3)")" ms
rig_metric n1_chaos_lib "$(us_ms "$(n1 chaos 4)")" ms
rig_metric n1_xl "$(us_ms "$(n1 xl 3)")" ms
# The issue's names (#14): xl's wall time over chaos's, the CLI's and the
# in-library time, at N = 1 (the rounds above) and at the largest N xl
# reached (max when it reached it); chaos's own growth to max.
rig_metric pool_xl_over_chaos_cli_n1 "$(over "$(n1 xl 3)" "$(n1 chaos 3)")" x
rig_metric pool_xl_over_chaos_lib_n1 "$(over "$(n1 xl 3)" "$(n1 chaos 4)")" x
rig_metric pool_xl_over_chaos_cli_n1to5 "$(at 1 10 2)" x
rig_metric pool_xl_over_chaos_lib_n1to5 "$(at 1 10 3)" x
rig_metric "pool_xl_over_chaos_cli_n$xl_max" "$(at "$xl_max" 10 2)" x
rig_metric "pool_xl_over_chaos_lib_n$xl_max" "$(at "$xl_max" 10 3)" x
# When xl stopped short of max: its create time at xl_max over chaos's
# at max, a bound on the ratio at max only if xl's create does not get
# faster with more guests (docs/benchmarks.md shows whether it did).
if [ "$xl_max" -lt "$max" ]; then
	rig_metric "pool_xl_n${xl_max}_over_chaos_cli_n$max" "$(across "$xl_max" "$max" 2)" x
	rig_metric "pool_xl_n${xl_max}_over_chaos_lib_n$max" "$(across "$xl_max" "$max" 3)" x
fi
rig_metric "chaos_t${max}_over_t1" "$(growth 2)" x
rig_metric "chaos_lib_t${max}_over_t1" "$(growth 3)" x
rig_metric slope_chaos_wall "$(slope 2)" ms/guest
rig_metric slope_chaos_lib "$(slope 3)" ms/guest
rig_metric slope_xl_wall "$(slope 10)" ms/guest
# Fixed costs: what a create pays whatever N is.
rig_metric fixed_chaos_process_start "$(us_ms "$(median version.us)")" ms
# minus A B: A - B (medians print decimals).
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a - b }'; }
rig_metric fixed_chaosd_roundtrip_n0 "$(us_ms "$(minus "$(median pool0.us)" "$(median version.us)")")" ms
rig_metric fixed_chaosd_roundtrip_nmax "$(us_ms "$(minus "$(median poolN.us)" "$(median version.us)")")" ms
awk -F, 'NR > 1 { print $2 - $3 }' pool-scale.csv > outside.us
rig_metric fixed_chaos_outside_lib "$(us_ms "$(median outside.us)")" ms
rig_metric fixed_chaos_lib_total "$(col_median 3)" ms
rig_metric fixed_chaos_lib_parse "$(col_median 4)" ms
rig_metric fixed_chaos_lib_load "$(col_median 5)" ms
rig_metric fixed_chaos_lib_pagetables "$(col_median 6)" ms
rig_metric fixed_chaos_lib_unpause "$(col_median 8)" ms
rig_metric chaosd_cpu_total "$chaosd_cpu" s
# A CLI create's wall time, split: the config read, the connect, chaosd's
# work outside the library with the round trip (request - in-library),
# and the rest (process start and exit, the config turned into JSON).
[ "$(wc -l < split.csv)" = "$((max + 1))" ] || rig_fail "split.csv has $(($(wc -l < split.csv) - 1)) rows, want $max"
rig_file split.csv < split.csv
rig_metric cli_split_config "$(median_of split.csv '$4')" ms
rig_metric cli_split_connect "$(median_of split.csv '$5')" ms
rig_metric cli_split_chaosd_outside_lib "$(median_of split.csv '$6 - $3')" ms
rig_metric cli_split_rest "$(median_of split.csv '$2 - $4 - $5 - $6')" ms
rig_metric fixed_xl_process_start "$(us_ms "$(median xlhelp.us)")" ms
rig_metric fixed_xl_list_n0 "$(us_ms "$(median xllist0.us)")" ms
rig_metric fixed_xl_list_nmax "$(us_ms "$(median xllistN.us)")" ms
rig_pass "N = 1..$max with chaosd's pool ($pooled pooled), 1..$xl_max with xl, $vifs vif each, curves in pool-scale.csv"
