#!/bin/sh
# Run fuzz targets on their corpora, FUZZ_JOBS at a time (default: one
# per CPU; each target gets a CPU of its own for its whole run).
#   fuzz/run.sh time SECONDS target...   each for SECONDS (make fuzz)
#   fuzz/run.sh runs N target...         each for N executions (make fuzz-long)
# Prints "fuzz: <target> <execs> execs, <n> findings" per target, in the
# order given; exits 1 if any target found something (the inputs are in
# $FUZZ_DIR/artifacts/<target>/, the log in $FUZZ_DIR/logs/<target>.log).
set -u
mode=$1 amount=$2
shift 2
bin=${FUZZ_BIN:-build/fuzz/bin}
dir=${FUZZ_DIR:-build/fuzz}
nice_level=${FUZZ_NICE:-19}
here=$(dirname "$0")

case $mode in
time) limit="-max_total_time=$amount" ;;
runs) limit="-runs=$amount" ;;
*) echo "usage: $0 time|runs N target..." >&2; exit 2 ;;
esac

jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# run_one TARGET: its run; its lines on stdout, status 1 on a finding.
run_one() {
	t=$1
	seeds=$here/corpus/$t
	work=$dir/corpus/$t
	art=$dir/artifacts/$t
	log=$dir/logs/$t.log
	opts=""
	[ -f "$here/options/$t" ] && opts=$(cat "$here/options/$t")
	mkdir -p "$work" "$art" "$dir/logs"
	rm -f "$art"/*
	# New inputs go to the work corpus in $(BUILD); the committed seeds
	# are only read.
	# shellcheck disable=SC2086
	nice -n "$nice_level" "$bin/fuzz_$t" $limit -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$art/" \
		$opts "$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	# A "slow unit" is timed on a loaded machine (the fuzzer runs at nice
	# 19 beside the rig): it counts only if it is slow again alone.
	for f in "$art"/slow-unit-*; do
		[ -e "$f" ] || continue
		t0=$(date +%s%N)
		# shellcheck disable=SC2086
		"$bin/fuzz_$t" $opts "$f" >/dev/null 2>&1
		ms=$((($(date +%s%N) - t0) / 1000000))
		if [ "$ms" -lt 1000 ]; then
			echo "fuzz: $t: $(basename "$f") took $(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -1) s under load, $ms ms alone: not a finding"
			mkdir -p "$dir/slow-alone-ok/$t"
			mv "$f" "$dir/slow-alone-ok/$t/"
		fi
	done
	findings=$(find "$art" -type f | wc -l)
	if [ "$rc" -ne 0 ] && [ "$findings" -eq 0 ]; then
		findings=1   # died without an artifact: see the log
	fi
	echo "fuzz: $t ${execs:-0} execs, $findings findings"
	[ "$findings" -eq 0 ] && return 0
	grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehavior)|runtime error' "$log" | sed 's/^/fuzz:   /'
	find "$art" -type f | sed 's/^/fuzz:   input: /'
	echo "fuzz:   log: $log"
	return 1
}

# In groups of $jobs: each target's lines are kept apart, then shown in
# order once its group is done.
failed=0
mkdir -p "$dir/logs"
while [ $# -gt 0 ]; do
	group=""
	n=0
	while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
		(run_one "$1" > "$dir/logs/$1.result"; echo $? > "$dir/logs/$1.rc") &
		group="$group $1"
		n=$((n + 1))
		shift
	done
	wait
	for t in $group; do
		cat "$dir/logs/$t.result"
		[ "$(cat "$dir/logs/$t.rc")" = 0 ] || failed=1
	done
done
exit $failed
