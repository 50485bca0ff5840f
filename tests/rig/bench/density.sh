# density: how many guests one host holds. noop guests (they print
# "ready", then block) are created through chaosd's pool, one after the
# other on one open connection (rig-fill: the public client API, no
# process start per guest), until a create fails for lack of memory, the
# time budget is spent or RIG_VAR_DENSITY_MAX guests exist. Then xl (real
# xenstored and xenconsoled) on the same host, same boot, same budget:
# how far it gets.
#
# Guest memory: chaos runs noop in RIG_VAR_DENSITY_MEM MiB (default 1,
# the least the builder accepts); xl's builder cannot run noop in less
# than 4 MiB (xl-noop's noop_min_memory_mib), so xl's guests get
# RIG_VAR_DENSITY_XL_MEM (default 4). Compared like with like, chaos
# fills the host a second time with RIG_VAR_DENSITY_XL_MEM MiB guests
# (same budget; RIG_VAR_DENSITY_SAME_MEM=0 skips it). In the same boot, xl
# is tried once with chaos's memory (density_xl_small_ready: 1 if that
# guest printed ready, 0 if not).
#
# Memory a guest costs the host beyond its own (density_overhead_kib):
# the hypervisor's free memory (rig-domains free-kib) before chaosd
# starts, less the same after the fill, divided by the domains that hold
# it (the guests plus the pool's ready shells at that point), less the
# guest's own memory. It counts what the hypervisor allocates for a
# domain from its free memory (struct domain and vcpu, shared info, grant
# and event channel tables, the per-domain mappings, noxs' pages when
# noxs is loaded: it is not, here) and dom0's event channel table growing
# for the console channels chaosd binds (a page per 512 or so). It does
# not count dom0's own memory (fixed at RIG_DOM0_MB): chaosd's and
# xendevd's resident memory is reported apart, at the start (pool full)
# and at the end (host full). When the host is full, the memory left
# over (less than one guest) is spread over the guests too.
#
# chaosd runs with LimitNOFILE as its systemd unit sets it (65536): it
# keeps each guest's console log open. Files (in $(BUILD)/bench/density/):
# density.csv (a row per run: tool, memory, guests, seconds, why it
# stopped: full, budget, max or, for xl, error; overhead, RSS), density-chaos.csv, density-chaos-same.csv and
# density-xl.csv (n, elapsed_us since the first create, the create's own
# wall time; every 10th guest, the first and the last).
#
# RIG_VAR_DENSITY_XL=0 skips xl (a chaos-only run). The chaosd threads'
# CPU seconds at the end of the first fill are metrics too.
# RIG_VAR_DENSITY_BUDGET_S: seconds each fill may take (default 480; at
# most 1200, the scenario's time limit holds three fills and the
# destroys).
# rig-timeout: 5400

budget=${RIG_VAR_DENSITY_BUDGET_S:-480}
mem=${RIG_VAR_DENSITY_MEM:-1}
xlmem=${RIG_VAR_DENSITY_XL_MEM:-4}
max=${RIG_VAR_DENSITY_MAX:-30000}
same=${RIG_VAR_DENSITY_SAME_MEM:-1}
pool=16
for v in "$budget" "$mem" "$xlmem" "$max" "$same"; do
	case $v in ''|*[!0-9]*) rig_fail "RIG_VAR_DENSITY_*: '$v' is not a number" ;; esac
done
[ "$budget" -ge 10 ] && [ "$budget" -le 1200 ] ||
	rig_fail "RIG_VAR_DENSITY_BUDGET_S must be 10 to 1200"
[ "$mem" -ge 1 ] && [ "$xlmem" -ge 1 ] || rig_fail "guest memory must be at least 1 MiB"
[ "$mem" = "$xlmem" ] && same=0

rig_log "budget ${budget}s per fill, chaos $mem MiB, xl $xlmem MiB, at most $max guests"
rig_log "host: $(rig-domains free-kib) KiB free, dom0 $(awk '/MemTotal/ { print $2 }' /proc/meminfo) KiB"

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# every10 FILE: its lines whose first field is 1, a multiple of 10 or the last.
every10() { awk -F, '{ last = $0 } $1 == 1 || $1 % 10 == 0 { print; p = $0 } END { if (last != p) print last }' "$1"; }

# The daemons, as deployed: chaosd's unit raises its descriptor limit.
ulimit -n 65536 || rig_fail "cannot raise the open file limit"
xendevd --no-ovs > xendevd.log 2>&1 &
xendevd_pid=$!
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }
chaosd_pid=
stop_all() {
	[ -n "$chaosd_pid" ] && { kill -TERM "$chaosd_pid" 2>/dev/null; wait "$chaosd_pid" 2>/dev/null; }
	kill -TERM "$xendevd_pid" 2>/dev/null
	return 0
}
trap stop_all EXIT

pool_ready() {
	chaos pool 2>/dev/null | awk -v m="$1" '$1 == m && $3 == 0 { print $5 }'
}

echo "tool,memory_mib,guests,seconds,stop,overhead_kib,free_before_kib,free_after_kib,chaosd_rss_start_kib,chaosd_rss_end_kib,xendevd_rss_kib,destroy_seconds" > density.csv

# chaos_fill MEM TAG PREFIX: chaosd with a pool of MEM MiB shells, guests
# created until the host is full; checks, metrics, destroys; chaosd stops.
chaos_fill() {
	_m=$1 _tag=$2 _p=$3
	free0=$(rig-domains free-kib)
	chaosd -f --pool memory=$_m,vcpus=1,size=$pool >> chaosd-$_tag.log 2>&1 &
	chaosd_pid=$!
	rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd-$_tag.log; rig_fail "chaosd did not come up"; }
	_end=$(( $(rig_now_us) + 120000000 ))
	until [ "$(pool_ready "$_m")" = $pool ]; do
		[ "$(rig_now_us)" -lt "$_end" ] || rig_fail "the pool did not fill"
		sleep 0.1
	done
	rss0=$(rss "$chaosd_pid")
	rig_log "$_tag: pool full, chaosd RSS $rss0 KiB; filling"
	rig-fill create /rig/guests/noop.elf "$_m" "$_p" "$budget" "$max" > fill-$_tag.out 2> fill-$_tag.err ||
		{ cat fill-$_tag.err; rig_fail "rig-fill could not run"; }
	free1=$(rig-domains free-kib)
	# Where chaosd's CPU went, by thread (named chaosd-pool, -console,
	# -reaper; the serving thread is chaosd): seconds since it started.
	for t in /proc/$chaosd_pid/task/*; do
		echo "$(cat "$t/comm") $(awk '{ print $14 + $15 }' "$t/stat")"
	done | awk '{ s[$1] += $2 } END { for (k in s) printf "%s %.2f\n", k, s[k] / 100 }' > cpu-$_tag.txt
	rig_log "$_tag: chaosd CPU seconds by thread: $(sort cpu-$_tag.txt | tr '\n' ' ')"
	shells=$(pool_ready "$_m")
	doms=$(rig-domains count)
	set -- $(sed -n 's/^stop=\([a-z]*\) guests=\([0-9]*\) seconds=\([0-9.]*\)$/\1 \2 \3/p' fill-$_tag.out)
	[ $# = 3 ] || { cat fill-$_tag.err; tail -n 5 fill-$_tag.out; rig_fail "rig-fill gave no summary"; }
	stop=$1 n=$2 secs=$3
	rig_log "$_tag: $n guests in ${secs}s, stopped: $stop; $free1 KiB free, $shells shells ready, $doms domains"
	if [ "$stop" = failed ]; then
		why=$(sed -n 's/^error=//p' fill-$_tag.out)
		rig_log "$_tag: guest $((n + 1)): $why"
		# Host full: the create failed on memory, and what is left is
		# less than the next guest needs.
		echo "$why" | grep -qi 'memory' ||
			rig_fail "$_tag: create $((n + 1)) failed, not for lack of memory: $why"
		[ "$free1" -lt $(( (_m + 1) * 1024 )) ] ||
			rig_fail "$_tag: create failed on memory with $free1 KiB still free: $why"
		stop=full
	fi
	[ "$n" -ge 1 ] || rig_fail "$_tag: no guest created"
	[ "$doms" = $((n + ${shells:-0})) ] ||
		rig_log "$_tag: $doms domains for $n guests and ${shells:-0} ready shells (a shell being built?)"
	# Spot checks: the first, the middle and the last guest print ready.
	for i in 1 $(( (n + 1) / 2 )) $n; do
		chaos console $_p$i --no-input --until ready --timeout 60 > /dev/null ||
			rig_fail "$_tag: guest $_p$i did not print ready"
	done
	rss1=$(rss "$chaosd_pid")
	xrss=$(rss "$xendevd_pid")
	over=$(awk -v a="$free0" -v b="$free1" -v n="$n" -v s="${shells:-0}" -v m="$_m" \
		'BEGIN { printf "%.1f", (a - b) / (n + s) - m * 1024 }')
	grep -v '^stop=\|^error=' fill-$_tag.out > fill-$_tag.csv
	{ echo "n,elapsed_us,wall_us,lib_us,pooled"; every10 fill-$_tag.csv; } > density-$_tag.csv
	rig_file density-$_tag.csv < density-$_tag.csv
	pooled=$(awk -F, '{ p += $5 } END { print p + 0 }' fill-$_tag.csv)
	rig_log "$_tag: $pooled of $n creates took a pooled shell; overhead $over KiB/guest; chaosd RSS $rss0 -> $rss1 KiB, xendevd $xrss KiB"
	# Destroys on the same kind of connection, then chaosd takes its
	# shells along when it stops.
	rig-fill destroy "$_p" "$n" > destroy-$_tag.out 2> destroy-$_tag.err ||
		{ head -n 5 destroy-$_tag.err; rig_fail "$_tag: destroys failed"; }
	dsecs=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' destroy-$_tag.out)
	kill -TERM "$chaosd_pid"; wait "$chaosd_pid"; chaosd_pid=
	rig_wait_for 60 sh -c '[ "$(rig-domains count)" = 0 ]' ||
		rig_fail "$_tag: $(rig-domains count) domains left after the destroys"
	rig_log "$_tag: destroyed in ${dsecs}s; $(rig-domains free-kib) KiB free again (was $free0)"
	echo "chaos,$_m,$n,$secs,$stop,$over,$free0,$free1,$rss0,$rss1,$xrss,$dsecs" >> density.csv
}

# --- chaos: the least memory ---------------------------------------------------
chaos_fill "$mem" chaos d
c_n=$n c_secs=$secs c_stop=$stop c_over=$over c_rss0=$rss0 c_rss1=$rss1 c_xrss=$xrss
# --- chaos: xl's memory ---------------------------------------------------------
if [ "$same" = 1 ]; then
	chaos_fill "$xlmem" chaos-same e
	s_n=$n s_secs=$secs s_stop=$stop s_over=$over
fi

# chaosd's threads at the end of the first fill.
cpu() { awk -v k="$1" '$1 == k { print $2 }' cpu-chaos.txt; }
rig_metric density_chaosd_cpu_serving_s "$(cpu chaosd)" s
rig_metric density_chaosd_cpu_console_s "$(cpu chaosd-console)" s
rig_metric density_chaosd_cpu_pool_s "$(cpu chaosd-pool)" s

# --- xl, real xenstored --------------------------------------------------------
kill -TERM "$xendevd_pid" 2>/dev/null; wait "$xendevd_pid" 2>/dev/null
if [ "${RIG_VAR_DENSITY_XL:-1}" = 0 ]; then
	rig_file density.csv < density.csv
	rig_metric density_guests "$c_n" guests
	rig_metric density_seconds "$c_secs" s
	rig_metric density_overhead_kib "$c_over" KiB/guest
	rig_metric density_chaosd_rss_kib "$c_rss1" KiB
	rig_metric density_xendevd_rss_kib "$c_xrss" KiB
	rig_pass "chaos: $c_n guests of $mem MiB ($c_stop, ${c_secs}s); xl not run (RIG_VAR_DENSITY_XL=0)"
	exit 0
fi
rig_start_xenstore
# Which daemon (the report names it).
rig_xenstore_daemon | rig_file xenstore.txt
xl_cfg() {
	printf 'name = "%s"\ntype = "pv"\nkernel = "/rig/guests/noop.elf"\nmemory = %s\n' "$1" "$2"
}
# Once with chaos's memory: does xl's builder run noop in it?
xl_small=0
if [ "$mem" -lt "$xlmem" ]; then
	xl_cfg xsmall "$mem" > xsmall.cfg
	if xl create xsmall.cfg > xsmall.out 2>&1; then
		rig_wait_for 20 grep -q '^ready' /var/log/xen/console/guest-xsmall.log && xl_small=1
		xl destroy xsmall 2>/dev/null
	fi
	rig_log "xl with $mem MiB: $([ $xl_small = 1 ] && echo ready || echo "no ready: $(grep -iv '^Parsing' xsmall.out | head -n 3 | tr '\n' ' ')")"
	rig-domains destroy-all
fi
free0=$(rig-domains free-kib)
: > fill-xl.csv
t0=$(rig_now_us)
end=$(( t0 + budget * 1000000 ))
n=0
stop=max
while [ "$n" -lt "$max" ]; do
	[ "$(rig_now_us)" -lt "$end" ] || { stop=budget; break; }
	xl_cfg x$((n + 1)) "$xlmem" > x.cfg
	if ! wall=$(rigtime run xl create x.cfg 2> xl-create.err); then
		stop=failed
		why=$(grep -iv '^Parsing' xl-create.err | tail -n 3 | tr '\n' ' ')
		rig_log "xl: guest $((n + 1)): $why"
		break
	fi
	n=$((n + 1))
	echo "$n,$(( $(rig_now_us) - t0 )),$wall" >> fill-xl.csv
	[ $((n % 50)) = 0 ] && rig_log "xl: $n guests"
done
secs=$(awk -v v=$(( $(rig_now_us) - t0 )) 'BEGIN { printf "%.3f", v / 1e6 }')
free1=$(rig-domains free-kib)
# A failure with room for another guest (and xl's slack) is not a full
# host: it is reported as an error, with xl's message.
if [ "$stop" = failed ] && [ "$free1" -ge $(( (xlmem + 2) * 1024 )) ]; then
	stop=error
	echo "xl create of guest $((n + 1)) failed with $free1 KiB free: $why" |
		rig_file density-xl-error.txt
fi
[ "$stop" = failed ] && stop=full
rig_log "xl: $n guests in ${secs}s, stopped: $stop; $free1 KiB free"
[ "$n" -ge 1 ] || rig_fail "xl created no guest"
rig_wait_for 60 grep -q '^ready' /var/log/xen/console/guest-x$n.log ||
	rig_fail "xl guest x$n did not print ready"
xl_over=$(awk -v a="$free0" -v b="$free1" -v n="$n" -v m="$xlmem" \
	'BEGIN { printf "%.1f", (a - b) / n - m * 1024 }')
xs_rss=$(rss "$(cat /var/run/xenstored.pid)")
xc_rss=$(rss "$(cat /var/run/xenconsoled.pid)")
{ echo "n,elapsed_us,wall_us"; every10 fill-xl.csv; } > density-xl.csv
rig_file density-xl.csv < density-xl.csv
t1=$(rig_now_us)
rig-domains destroy-all || rig_fail "xl's guests were not all destroyed"
xl_dsecs=$(awk -v v=$(( $(rig_now_us) - t1 )) 'BEGIN { printf "%.3f", v / 1e6 }')
rig_stop_xenstore
echo "xl,$xlmem,$n,$secs,$stop,$xl_over,$free0,$free1,,,,$xl_dsecs" >> density.csv
rig_file density.csv < density.csv

# --- results ---------------------------------------------------------------------
rig_metric density_budget_s "$budget" s
rig_metric density_guest_mib "$mem" MiB
rig_metric density_guests "$c_n" guests
rig_metric density_seconds "$c_secs" s
rig_metric density_overhead_kib "$c_over" KiB/guest
rig_metric density_chaosd_rss_start_kib "$c_rss0" KiB
rig_metric density_chaosd_rss_kib "$c_rss1" KiB
rig_metric density_xendevd_rss_kib "$c_xrss" KiB
if [ "$same" = 1 ]; then
	rig_metric density_same_mem_guests "$s_n" guests
	rig_metric density_same_mem_seconds "$s_secs" s
	rig_metric density_same_mem_overhead_kib "$s_over" KiB/guest
fi
rig_metric density_xl_guest_mib "$xlmem" MiB
rig_metric density_xl_guests "$n" guests
rig_metric density_xl_seconds "$secs" s
rig_metric density_xl_overhead_kib "$xl_over" KiB/guest
rig_metric density_xenstored_rss_kib "$xs_rss" KiB
rig_metric density_xenconsoled_rss_kib "$xc_rss" KiB
[ "$mem" -lt "$xlmem" ] && rig_metric density_xl_small_ready "$xl_small" bool
rig_pass "chaos: $c_n guests of $mem MiB ($c_stop, ${c_secs}s); xl: $n guests of $xlmem MiB ($stop, ${secs}s)"
