# create-concurrency: the front door. What a create through chaosd costs
# on an already-open connection (what an orchestrator holds) beside the
# in-library time chaosd measured for it (the reply's timing_us total);
# creates per second with 1, 4 and 16 clients at once (rig-create-load:
# one thread and one connection per client, the same COUNT creates in
# all, every create from the pool, which is full before each round);
# and the CLI's fixed cost, side by side in the same boot: a static
# "hello" (rig-hello), busybox's true, chaos --version (process start),
# the CLI linked against shared libraries (chaos-dynamic --version: what
# dynamic loading would cost), chaos pool (connect and one round trip)
# and chaos create's wall time beside its in-library time and beside one
# create on an open connection made in the same conditions. Also the
# floor (rig-floor: only what no pool can do ahead, on a shell prepared
# in full, before chaosd starts) beside the phases of those pooled
# creates: execute_over_floor is their in-library time over it.
#
# Timed: a create on an open connection from its request sent to its
# reply read; a round from every client starting at once to the last
# create answered (connects and destroys are outside it; destroys are
# timed on their own in the round's summary); a command's wall time is
# its own (rigtime run: fork to exit). Results: rounds.csv (per round),
# creates.csv (per create), cli.csv (the CLI's fixed costs, median µs),
# phases.csv (a pooled create's phases and the floor's steps, median µs),
# syscost.csv (what each system call of a create's bookkeeping costs in
# this boot: rig-syscost, before chaosd starts).
#
# COUNT is RIG_VAR_CREATE_CONC_COUNT (default 48); the pool holds COUNT
# shells of 4 MiB. CLI is RIG_VAR_CREATE_CONC_CLI (default 30), how many
# chaos create --timing (each beside one create on an open connection):
# their phases' medians and execute_over_floor come from them.
# rig-timeout: 1800

count=${RIG_VAR_CREATE_CONC_COUNT:-48}
cli=${RIG_VAR_CREATE_CONC_CLI:-30}
mem=4
case $count in ''|*[!0-9]*) rig_fail "RIG_VAR_CREATE_CONC_COUNT '$count' is not a number" ;; esac
case $cli in ''|*[!0-9]*|0) rig_fail "RIG_VAR_CREATE_CONC_CLI '$cli' is not a number above 0" ;; esac
[ "$count" -ge 16 ] || rig_fail "RIG_VAR_CREATE_CONC_COUNT must be at least 16 (one create per client)"
pool=$count
# A round's guests and the refilled pool at once, plus slack.
need=$(( 2 * count * mem * 1024 + 8192 ))
free=$(rig-domains free-kib)
[ "$free" -ge "$need" ] ||
	rig_fail "needs $need KiB free, the host has $free: raise RIG_MEM_MB or lower RIG_VAR_CREATE_CONC_COUNT"
rig_log "$count creates per round, pool of $pool, $mem MiB guests"

. /rig/extra/bench-lib

# --- the floor, before anything else runs ------------------------------------
floor_rounds=40
rig-floor /rig/guests/noop.elf $mem $floor_rounds > floor.txt || rig_fail "rig-floor failed"
for f in floor_us copy start vcpu unpause; do
	sed -n "s/.*\<$f=\([0-9]*\).*/\1/p" floor.txt > floor-$f.us
done

# --- a system call of a create's bookkeeping, same boot ----------------------
# In a directory as deep as a record's, under /run as chaos's state is.
mkdir -p /run/chaos-syscost
rig-syscost /run/chaos-syscost/domains 21 > syscost.txt || rig_fail "rig-syscost failed"
rmdir /run/chaos-syscost
{
	echo "op,us"
	sed -n 's/^op=\([a-z_]*\) us=\([0-9.]*\)$/\1,\2/p' syscost.txt
} > syscost.csv
[ "$(wc -l < syscost.csv)" = 14 ] || rig_fail "rig-syscost printed $(($(wc -l < syscost.csv) - 1)) costs, want 13"

# --- the CLI's process start, no daemon yet ----------------------------------
repeat_time 20 hello.us rig-hello
repeat_time 20 true.us busybox true
repeat_time 20 version.us chaos --version
repeat_time 20 dynamic.us chaos-dynamic --version
LD_DEBUG=statistics chaos-dynamic --version 2>&1 | sed -n 's/^ *[0-9]*: *//p' | grep -E 'startup time|relocation|load objects'

chaosd -f --pool memory=$mem,vcpus=1,size=$pool >> chaosd.log 2>&1 &
chaosd_pid=$!
trap 'kill -TERM $chaosd_pid 2>/dev/null; wait $chaosd_pid 2>/dev/null' EXIT
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
wait_pool
repeat_time 20 pool.us chaos pool

# --- chaos create, one at a time, pool full before each ----------------------
# Each beside one create on an open connection in the same conditions (a
# fresh rig-create-load, timed inside it), so the difference is what the
# CLI adds: process start, config parse, connect, exit.
: > cli-create.us; : > cli-lib.us; : > single-wall.us; : > single-lib.us
i=1
while [ $i -le "$cli" ]; do
	echo "{ \"name\": \"cli$i\", \"kernel\": \"/rig/guests/noop.elf\", \"memory\": $mem }" > cli.json
	wait_pool
	rigtime run chaos create --timing cli.json >> cli-create.us 2> out.txt ||
		rig_fail "chaos create cli$i failed: $(cat out.txt)"
	grep -q 'via=pool' out.txt || { cat out.txt; rig_fail "chaos create cli$i did not take a pooled shell"; }
	sed -n 's/^timing_us .*total=\([0-9]*\).*/\1/p' out.txt >> cli-lib.us
	grep '^timing_us ' out.txt >> cli-phases.txt
	chaos destroy cli$i || rig_fail "destroy cli$i failed"
	wait_pool
	rig-create-load 1 1 /rig/guests/noop.elf $mem single$i > load.txt 2> load.err ||
		{ cat load.err; rig_fail "rig-create-load of single$i failed: $(tail -1 load.err)"; }
	grep '^create ' load.txt | sed 's/.* wall_us=\([0-9]*\) .*/\1/' >> single-wall.us
	grep '^create ' load.txt | sed 's/.* lib_us=\([0-9]*\) .*/\1/' >> single-lib.us
	i=$((i + 1))
done
[ "$(wc -l < single-wall.us)" = "$cli" ] || rig_fail "rig-create-load gave $(wc -l < single-wall.us) single creates, want $cli"
[ "$(wc -l < cli-lib.us)" = "$cli" ] || rig_fail "chaos create --timing printed $(wc -l < cli-lib.us) timing lines, want $cli"

# --- rounds of COUNT creates with 1, 4 and 16 clients ------------------------
echo "clients,creates,pooled,seconds,creates_per_s,open_conn_median_us,open_conn_p90_us,lib_median_us,lib_p90_us,destroy_seconds" > rounds.csv
echo "clients,client,name,wall_us,lib_us,pooled" > creates.csv
for clients in 1 4 16; do
	wait_pool
	rig-create-load $clients "$count" /rig/guests/noop.elf $mem r$clients > load.txt 2> load.err ||
		{ cat load.err; rig_fail "rig-create-load with $clients clients failed: $(tail -1 load.err)"; }
	summary=$(grep '^summary ' load.txt) || rig_fail "rig-create-load with $clients clients printed no summary"
	rig_log "$summary"
	# summary k=v ... as the CSV's row, in its column order.
	echo "$summary" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["clients"] "," v["creates"] "," v["pooled"] "," v["seconds"] "," v["creates_per_s"] "," \
		      v["open_conn_median_us"] "," v["open_conn_p90_us"] "," v["lib_median_us"] "," \
		      v["lib_p90_us"] "," v["destroy_seconds"] }' >> rounds.csv
	grep '^create ' load.txt | sed 's/[a-z_]*=//g' |
		awk -v c=$clients '{ print c "," $2 "," $3 "," $4 "," $5 "," $6 }' >> creates.csv
	grep '^create ' load.txt | sed 's/.* wall_us=\([0-9]*\) .*/\1/' > wall-c$clients.us
	grep '^create ' load.txt | sed 's/.* lib_us=\([0-9]*\) .*/\1/' > lib-c$clients.us
	pooled=$(echo "$summary" | sed 's/.* pooled=\([0-9]*\) .*/\1/')
	[ "$pooled" = "$count" ] || rig_log "with $clients clients only $pooled of $count creates took a pooled shell"
	left=$(chaos list | grep -c "^r$clients-")
	[ "$left" = 0 ] || rig_fail "$left guests of the $clients-client round left after its destroys"
done
[ "$(wc -l < creates.csv)" = $((3 * count + 1)) ] || rig_fail "creates.csv has $(wc -l < creates.csv) lines, want $((3 * count + 1))"

kill -TERM $chaosd_pid; wait $chaosd_pid; trap - EXIT
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left after chaosd stopped: $(rig-domains count)"

# --- results -----------------------------------------------------------------
{
	echo "what,median_us"
	echo "static_hello,$(median hello.us)"
	echo "busybox_true,$(median true.us)"
	echo "chaos_version,$(median version.us)"
	echo "chaos_dynamic_version,$(median dynamic.us)"
	echo "chaos_pool,$(median pool.us)"
	echo "chaos_create,$(median cli-create.us)"
	echo "chaos_create_lib,$(median cli-lib.us)"
	echo "open_conn_single_create,$(median single-wall.us)"
	echo "open_conn_single_lib,$(median single-lib.us)"
	echo "open_conn_create,$(median wall-c1.us)"
	echo "open_conn_lib,$(median lib-c1.us)"
} > cli.csv
# The pooled creates' phases (chaos create --timing) beside the floor's
# steps; outside_lib: the CLI's request time less the library's total
# (chaosd's work outside the library, with the round trip).
for f in parse load pagetables unpause total; do
	sed -n "s/.*\<$f=\([0-9]*\).*/\1/p" cli-phases.txt > phase-$f.us
done
sed -n 's/.*\<total=\([0-9]*\).*\<request=\([0-9]*\).*/\2 \1/p' cli-phases.txt |
	awk '{ print $1 - $2 }' > phase-outside.us
{
	echo "what,median_us"
	for f in parse load pagetables unpause total outside; do
		echo "create_$f,$(median phase-$f.us)"
	done
	for f in copy start vcpu unpause floor_us; do
		echo "floor_${f%_us},$(median floor-$f.us)"
	done
	echo "create_samples,$cli"
	echo "floor_samples,$floor_rounds"
} > phases.csv
rig_file rounds.csv < rounds.csv
rig_file creates.csv < creates.csv
rig_file cli.csv < cli.csv
rig_file phases.csv < phases.csv
rig_file syscost.csv < syscost.csv

rate() { awk -F, -v c="$1" '$1 == c { print $5 }' rounds.csv; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a - b }'; }
rig_metric creates_per_s_c1 "$(rate 1)" creates/s
rig_metric creates_per_s_c4 "$(rate 4)" creates/s
rig_metric creates_per_s_c16 "$(rate 16)" creates/s
# The open connection, one client: the create's wall time and its
# in-library part.
oc=$(median wall-c1.us); ol=$(median lib-c1.us)
rig_metric open_conn_create_ms "$(us_ms "$oc")" ms
rig_metric open_conn_lib_ms "$(us_ms "$ol")" ms
rig_metric open_conn_over_lib "$(ratio "$oc" "$ol")" x
rig_metric open_conn_create_ms_c4 "$(us_ms "$(median wall-c4.us)")" ms
rig_metric open_conn_create_ms_c16 "$(us_ms "$(median wall-c16.us)")" ms
# The CLI's fixed costs.
rig_metric static_hello_ms "$(us_ms "$(median hello.us)")" ms
rig_metric busybox_true_ms "$(us_ms "$(median true.us)")" ms
rig_metric chaos_version_ms "$(us_ms "$(median version.us)")" ms
rig_metric chaos_dynamic_version_ms "$(us_ms "$(median dynamic.us)")" ms
rig_metric chaos_pool_ms "$(us_ms "$(median pool.us)")" ms
cc=$(median cli-create.us); cl=$(median cli-lib.us)
rig_metric chaos_create_ms "$(us_ms "$cc")" ms
rig_metric chaos_create_lib_ms "$(us_ms "$cl")" ms
rig_metric chaos_create_outside_lib_ms "$(us_ms "$(minus "$cc" "$cl")")" ms
# The same create on an open connection, interleaved with the CLI's.
sc=$(median single-wall.us); sl=$(median single-lib.us)
rig_metric open_conn_single_create_ms "$(us_ms "$sc")" ms
rig_metric open_conn_single_lib_ms "$(us_ms "$sl")" ms
rig_metric chaos_create_fixed_ms "$(us_ms "$(minus "$cc" "$sc")")" ms
rig_metric chaos_create_over_open_conn "$(ratio "$cc" "$sc")" x
# A pooled create's in-library time over the floor, and chaosd's part.
fl=$(median floor-floor_us.us)
rig_metric floor_ms "$(us_ms "$fl")" ms
rig_metric execute_over_floor "$(ratio "$(median phase-total.us)" "$fl")" x
rig_metric chaos_create_chaosd_outside_lib_ms "$(us_ms "$(median phase-outside.us)")" ms
cost() { awk -F, -v o="$1" '$1 == o { print $2 }' syscost.csv; }
rig_metric syscall_null_us "$(cost null)" us
rig_metric syscall_symlink_us "$(cost symlink)" us
rig_metric syscall_record_us "$(cost record)" us
rig_metric syscall_claim_staged_us "$(cost claim_staged)" us
rig_metric syscall_record_staged_us "$(cost record_staged)" us
rig_metric syscall_pwrite_us "$(cost pwrite)" us
rig_metric syscall_pwrite_allocated_us "$(cost pwrite_allocated)" us
rig_pass "$count creates with 1, 4 and 16 clients, CLI fixed costs measured, nothing left"
