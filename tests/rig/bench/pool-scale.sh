# pool-scale: how creating the Nth guest costs as N grows, every earlier
# guest still running: N = 1..MAX through chaosd's pool (`chaos create`,
# wall time and the in-library time of --timing), then N = 1..MAX with xl
# (real xenstored and xenconsoled), same noop image, same boot. The curves
# go to pool-scale.csv ($(BUILD)/bench/pool-scale/ on the host); the
# metrics are the xl/chaos ratio at N = 1, 100 and MAX (median of the five
# guests ending there), each curve's least-squares slope in ms per guest,
# and the fixed costs every create pays (process start, chaosd's round
# trip, the parts of the in-library time). Every wall time is the
# command's own (rigtime run: from fork to exit), for chaos and xl alike.
#
# MAX is RIG_VAR_POOL_SCALE_MAX (default 200: under TCG a run to 500 takes
# well over 25 minutes, most of it xl). RIG_VAR_POOL_SCALE_POOL sets the
# pool size (default 4); before each create the pool is refilled (not
# timed), so every chaos create takes a shell.
# rig-timeout: 5400

max=${RIG_VAR_POOL_SCALE_MAX:-200}
pool=${RIG_VAR_POOL_SCALE_POOL:-4}
mem=4
case $max in ''|*[!0-9]*) rig_fail "RIG_VAR_POOL_SCALE_MAX '$max' is not a number" ;; esac
[ "$max" -ge 5 ] || rig_fail "RIG_VAR_POOL_SCALE_MAX must be at least 5"
# Every guest of one curve at once, the pool, and 4 MiB of slack per 100
# guests for the hypervisor's own bookkeeping.
need=$(( (max + pool) * mem * 1024 + (max / 100 + 1) * 4096 ))
free=$(rig-domains free-kib)
[ "$free" -ge "$need" ] ||
	rig_fail "needs $need KiB free for $max guests, the host has $free: raise RIG_MEM_MB or lower RIG_VAR_POOL_SCALE_MAX"
rig_log "N = 1..$max, pool of $pool, $mem MiB guests, $free KiB free"

. /rig/extra/bench-lib

# --- chaos through chaosd's pool --------------------------------------------
repeat_time 20 version.us chaos --version
chaosd -f --pool memory=$mem,vcpus=1,size=$pool >> chaosd.log 2>&1 &
chaosd_pid=$!
trap 'kill -TERM $chaosd_pid 2>/dev/null; wait $chaosd_pid 2>/dev/null' EXIT
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
wait_pool
repeat_time 20 pool0.us chaos pool
: > chaos.csv
pooled=0
n=1
while [ $n -le $max ]; do
	echo "{ \"name\": \"s$n\", \"kernel\": \"/rig/guests/noop.elf\", \"memory\": $mem }" > s.json
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
	[ $((n % 50)) = 0 ] && rig_log "chaos: $n guests"
	n=$((n + 1))
done
[ "$(wc -l < chaos.csv)" = "$max" ] || rig_fail "chaos.csv has $(wc -l < chaos.csv) rows, want $max"
chaos console s$max --no-input --until ready --timeout 60 > /dev/null || rig_fail "guest $max did not print ready"
[ "$(chaos list | grep -c '^s[0-9]')" = "$max" ] || rig_fail "chaos list does not show $max guests"
repeat_time 20 poolN.us chaos pool
# What the daemon itself spent (all threads: serving, refill, consoles).
chaosd_cpu=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' /proc/$chaosd_pid/stat)
kill -TERM $chaosd_pid; wait $chaosd_pid; trap - EXIT
n=1
while [ $n -le $max ]; do
	chaos destroy s$n || rig_fail "destroy s$n failed"
	n=$((n + 1))
done
[ "$(rig-domains count)" = 0 ] || rig_fail "$(rig-domains count) domains left after the chaos curve"

# --- xl, real xenstored ------------------------------------------------------
rig_start_xenstore
repeat_time 10 xlhelp.us xl help
repeat_time 10 xllist0.us xl list
: > xl.csv
n=1
while [ $n -le $max ]; do
	printf 'name = "x%s"\ntype = "pv"\nkernel = "/rig/guests/noop.elf"\nmemory = %s\n' $n $mem > x.cfg
	wall=$(rigtime run xl create x.cfg 2> /dev/null) ||
		rig_fail "xl create of guest $n failed"
	echo "$n,$wall" >> xl.csv
	[ $((n % 50)) = 0 ] && rig_log "xl: $n guests"
	n=$((n + 1))
done
rig_wait_for 60 grep -q ready /var/log/xen/console/guest-x$max.log || rig_fail "xl guest $max did not print ready"
repeat_time 10 xllistN.us xl list
rig-domains destroy-all
rig_stop_xenstore

# --- results -----------------------------------------------------------------
{
	echo "n,chaos_wall_us,chaos_lib_us,parse_us,load_us,pagetables_us,devices_us,unpause_us,pooled,xl_wall_us"
	awk -F, 'NR == FNR { xl[$1] = $2; next } { print $0 "," xl[$1] }' xl.csv chaos.csv
} > pool-scale.csv
rig_file pool-scale.csv < pool-scale.csv

# ratio N: xl over chaos wall time, medians of the guests N-4..N.
# at N COL_A COL_B: median of column A over median of column B, over the
# five creates ending at N (at N = 1, the first five: one sample is noise).
at() {
	awk -F, -v n="$1" -v a="$2" -v b="$3" '
		NR > 1 && (n == 1 ? $1 <= 5 : $1 > n - 5 && $1 <= n) { x[++k] = $a; y[k] = $b }
		function med(v, m,   i, j, t) {
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
		END { printf "%.2f", med(x, k) / med(y, k) }' pool-scale.csv
}
ratio() { at "$1" 10 2; }
# chaos's create time at N = max over N = 1 (column 2 the CLI, 3 in-library).
growth() {
	awk -F, -v n="$max" -v c="$1" '
		NR > 1 && $1 <= 5 { f[++i] = $c }
		NR > 1 && $1 > n - 5 && $1 <= n { l[++j] = $c }
		function med(v, m,   a, b, t) {
			for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
				if (v[b] < v[a]) { t = v[a]; v[a] = v[b]; v[b] = t }
			return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
		END { printf "%.3f", med(l, j) / med(f, i) }' pool-scale.csv
}
# slope COLUMN: least-squares ms per guest of that column against N.
slope() {
	awk -F, -v c="$1" 'NR > 1 { n++; sx += $1; sy += $c; sxx += $1 * $1; sxy += $1 * $c }
		END { printf "%.4f", (n * sxy - sx * sy) / (n * sxx - sx * sx) / 1000 }' pool-scale.csv
}
col_median() {
	awk -F, -v c="$1" 'NR > 1 { print $c }' pool-scale.csv > col.tmp
	us_ms "$(median col.tmp)"
}

rig_metric pool_scale_max "$max" guests
rig_metric pool_scale_pooled "$pooled" "of$max"
rig_metric ratio_xl_over_chaos_n1 "$(ratio 1)" x
if [ "$max" -ge 100 ]; then
	rig_metric ratio_xl_over_chaos_n100 "$(ratio 100)" x
fi
rig_metric ratio_xl_over_chaos_nmax "$(ratio "$max")" x
# The issue's names (#14): xl's wall time over chaos's, the CLI's and the
# in-library time, at N = 1 and N = max; chaos's own growth.
rig_metric pool_xl_over_chaos_cli_n1 "$(at 1 10 2)" x
rig_metric "pool_xl_over_chaos_cli_n$max" "$(at "$max" 10 2)" x
rig_metric pool_xl_over_chaos_lib_n1 "$(at 1 10 3)" x
rig_metric "pool_xl_over_chaos_lib_n$max" "$(at "$max" 10 3)" x
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
rig_metric fixed_xl_process_start "$(us_ms "$(median xlhelp.us)")" ms
rig_metric fixed_xl_list_n0 "$(us_ms "$(median xllist0.us)")" ms
rig_metric fixed_xl_list_nmax "$(us_ms "$(median xllistN.us)")" ms
rig_pass "N = 1..$max with chaosd's pool ($pooled pooled) and with xl, curves in pool-scale.csv"
