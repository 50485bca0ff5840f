# checkpoint-scale: save, restore and live migration (to this host) of
# guests of 4, 32, 128 and 512 MiB, with chaos and with xl, in one boot.
# Two kinds of guest: "idle" (mostly untouched memory: hello-loop for
# chaos, Debian's Linux with the tiny initramfs for xl) and "dirty" (every
# page it can take filled with random bytes: memfill for chaos, the tiny
# initramfs with tiny.fill for xl), the worst case for leaving zero pages
# out. Every dirty chaos guest checks all its pages after each restore and
# migration ("memfill: verified").
#
# Times are each command's wall time (rigtime run: fork to exit). The
# downtime of a live migration is read the same way for both toolstacks by
# rig-downtime: from the source's stop for the suspend to the new domain
# running, as the hypervisor shows them. xl's Linux guest cannot be made
# smaller than 128 MiB (the kernel needs the room), so xl's rows start at
# RIG_VAR_CKPT_XL_MIN (128); chaos runs every size.
#
# The host's speed drifts by a factor of two over minutes, so one pair of
# measurements can favour either toolstack. Each size is measured
# RIG_VAR_CKPT_REPEAT times (3), chaos then xl each time, and every
# figure is the median of its repeats; checkpoint-scale-runs.csv keeps
# them all.
#
# Results: checkpoint-scale.csv (kind,size_mib,tool,op,value: ms, or KiB
# for op=image_kib; medians) handed back to the host, a RIG-METRIC line
# per ratio <op>_xl_over_chaos_<size>mib_<kind> (xl's median over
# chaos's), and the --timing split of a chaos save and restore of 4 and
# 128 MiB idle guests.
# RIG_VAR_CKPT_SIZES overrides the sizes, comma-separated (e.g. 4,128).
# rig-timeout: 7200

sizes=$(echo "${RIG_VAR_CKPT_SIZES:-4,32,128,512}" | tr ',' ' ')
xl_min=${RIG_VAR_CKPT_XL_MIN:-128}
reps=${RIG_VAR_CKPT_REPEAT:-3}
for s in $sizes $xl_min $reps; do
	case $s in ''|*[!0-9]*) rig_fail "size '$s' is not a number of MiB" ;; esac
done

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
ckpt-hashbench 64 | tee hashbench.txt
rig_log "sizes: $sizes MiB (xl from $xl_min MiB), $(rig-domains free-kib) KiB free"

: > runs.csv
ms() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }'; }
row() { echo "$1,$2,$3,$4,$rep,$5" >> runs.csv; } # kind size tool op value
# This repeat's figures of one toolstack, for the log.
this_rep() { grep "^$1,$2,$3,[a-z_]*,$rep," runs.csv | cut -d, -f4,6 | tr '\n' ' '; }
# fill_mib SIZE: how much the dirty Linux guest fills (its kernel needs the rest).
fill_mib() { echo $(($1 * 7 / 8 - 40)); }

# chaos_wait NAME KIND TEXT: the guest printed TEXT since the last look.
chaos_wait() {
	chaos console "$1" --no-input --until "$3" --timeout 600 > con.txt 2>&1 ||
		rig_fail "$1 ($2): no '$3': $(tail -5 con.txt)"
	if grep -q corrupt con.txt; then
		rig_fail "$1: $(grep corrupt con.txt)"
	fi
}

# --- chaos ------------------------------------------------------------------
# chaos_ops KIND SIZE: save, restore and live migration of one chaos guest.
chaos_ops() {
	kind=$1 size=$2
	# What is free once xl's guest is gone: chaos must give all of it back.
	# (Xen keeps a little for dom0 as xl and xenstored use it, so this is
	# taken afresh each time.)
	rig_wait_for 30 sh -c '[ "$(rig-domains count)" = 0 ]' ||
		rig_fail "domains left before chaos ($kind, $size MiB)"
	free0=$(rig-domains free-kib)
	app=hello-loop up='hello 2' back='resumed in a new domain'
	if [ $kind = dirty ]; then
		app=memfill up='memfill: alive 1' back='memfill: verified'
	fi
	printf '{ "name": "ck", "kernel": "/rig/guests/%s.elf", "memory": %s }\n' \
		$app $size > ck.json
	chaos create ck.json > /dev/null || rig_fail "chaos create ($kind, $size MiB) failed"
	chaos_wait ck $kind "$up"
	if [ $rep = 1 ] && [ $kind = idle ] && { [ $size = 4 ] || [ $size = 128 ]; }; then
		echo "== chaos save --timing, $size MiB idle"
		chaos save ck timing.img --keep-running --timing || rig_fail "save --timing failed"
		chaos_wait ck $kind 'resumed'
		rm -f timing.img
	fi
	t=$(rig_time_us chaos save ck ck.img)
	row $kind $size chaos save "$(ms "$t")"
	row $kind $size chaos image_kib $(($(wc -c < ck.img) / 1024))
	if [ $rep = 1 ] && [ $kind = idle ] && { [ $size = 4 ] || [ $size = 128 ]; }; then
		echo "== chaos restore --timing, $size MiB idle"
		cp ck.img timing.img
		chaos restore timing.img --timing || rig_fail "restore --timing failed"
		chaos destroy ck || rig_fail "destroy after restore --timing failed"
		rm -f timing.img
	fi
	t=$(rig_time_us chaos restore ck.img)
	row $kind $size chaos restore "$(ms "$t")"
	rm -f ck.img
	chaos_wait ck $kind "$back"
	dom=$(chaos list | awk '$1 == "ck" {print $2}')
	rig-downtime "$dom" 300 > down.txt &
	down_pid=$!
	t=$(rig_time_us chaos migrate ck 'chaos migrate-receive' -s '' --live)
	wait $down_pid || rig_fail "no downtime seen for the chaos migration ($kind, $size MiB)"
	row $kind $size chaos migrate "$(ms "$t")"
	row $kind $size chaos downtime "$(ms "$(cat down.txt)")"
	chaos_wait ck $kind "$back"
	chaos destroy ck || rig_fail "chaos destroy ($kind, $size MiB) failed"
	[ "$(rig-domains count)" = 0 ] || rig_fail "domains left after chaos ($kind, $size MiB)"
	rig_wait_for 30 sh -c "[ \$(rig-domains free-kib) = $free0 ]" ||
		rig_fail "free memory $(rig-domains free-kib) KiB after chaos ($kind, $size MiB), was $free0 KiB"
	rig_log "chaos $kind $size MiB, run $rep: $(this_rep $kind $size chaos)"
}

# --- xl ---------------------------------------------------------------------
log=/var/log/xen/console/guest-xck.log
# xl_ops KIND SIZE: the same with xl and Linux.
xl_ops() {
	kind=$1 size=$2
	extra="console=hvc0 tiny.stay"
	[ $kind = dirty ] && extra="$extra tiny.fill=$(fill_mib $size)"
	cat > xck.cfg <<CFG
name = "xck"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
extra = "$extra"
memory = $size
vcpus = 1
CFG
	rm -f "$log"
	xl create xck.cfg > /dev/null 2>&1 || rig_fail "xl create ($kind, $size MiB) failed"
	rig_wait_for 600 grep -q TINY-INITRD-UP "$log" ||
		rig_fail "the xl guest ($kind, $size MiB) did not come up: $(tail -3 "$log")"
	t=$(rig_time_us xl save xck xck.img)
	xl list | grep -q '^xck ' && rig_fail "xl save left xck running"
	row $kind $size xl save "$(ms "$t")"
	row $kind $size xl image_kib $(($(wc -c < xck.img) / 1024))
	t=$(rig_time_us xl restore xck.img)
	rm -f xck.img
	xl list | grep -q '^xck ' || rig_fail "xl restore did not bring xck back"
	row $kind $size xl restore "$(ms "$t")"
	dom=$(xl domid xck)
	rig-downtime "$dom" 300 > down.txt &
	down_pid=$!
	t=$(rig_time_us xl migrate -s '' xck 'xl migrate-receive')
	wait $down_pid || rig_fail "no downtime seen for the xl migration ($kind, $size MiB)"
	xl list | grep -q '^xck ' || rig_fail "xl migrate lost xck"
	row $kind $size xl migrate "$(ms "$t")"
	row $kind $size xl downtime "$(ms "$(cat down.txt)")"
	xl destroy xck || rig_fail "xl destroy failed"
	rig_log "xl $kind $size MiB, run $rep: $(this_rep $kind $size xl)"
}

# Each size with chaos, then at once with xl: the two measured as close
# together as they can be, so a noisy host weighs on both alike.
# xenstored runs throughout (xl needs it; chaos does not use it).
rig_start_xenstore
for kind in idle dirty; do
	for size in $sizes; do
		rep=1
		while [ $rep -le $reps ]; do
			chaos_ops $kind $size
			[ "$size" -ge "$xl_min" ] && xl_ops $kind $size
			rep=$((rep + 1))
		done
	done
done
rig_stop_xenstore

# The median of each figure's repeats (of the middle two for an even count).
sort -t, -k1,1 -k2,2n -k3,3 -k4,4 -k6,6g runs.csv | awk -F, '
	function flush() {
		if (!n) return
		m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%s,%.1f\n", key, m
		n = 0
	}
	{ k = $1 "," $2 "," $3 "," $4; if (k != key) { flush(); key = k }; v[++n] = $6 }
	END { flush() }' > results.csv

# --- results ----------------------------------------------------------------
{
	echo "kind,size_mib,tool,op,value"
	cat results.csv
} > checkpoint-scale.csv
rig_file checkpoint-scale.csv < checkpoint-scale.csv
{
	echo "kind,size_mib,tool,op,run,value"
	cat runs.csv
} | rig_file checkpoint-scale-runs.csv
rig_file hashbench.txt < hashbench.txt
for kind in idle dirty; do
	for size in $sizes; do
		for op in save restore migrate downtime; do
			c=$(awk -F, -v k=$kind -v s=$size -v o=$op '$1 == k && $2 == s && $3 == "chaos" && $4 == o {print $5}' results.csv)
			x=$(awk -F, -v k=$kind -v s=$size -v o=$op '$1 == k && $2 == s && $3 == "xl" && $4 == o {print $5}' results.csv)
			rig_metric "${op}_chaos_${size}mib_${kind}" "$c" ms
			[ -n "$x" ] || continue
			rig_metric "${op}_xl_${size}mib_${kind}" "$x" ms
			rig_metric "${op}_xl_over_chaos_${size}mib_${kind}" \
				"$(awk -v x="$x" -v c="$c" 'BEGIN { printf "%.2f", x / (c > 0 ? c : 0.1) }')" x
		done
	done
done
rig_pass "checkpoints of $sizes MiB, idle and dirty, chaos and xl (from $xl_min MiB), medians of $reps runs each; every dirty guest verified after each restore and migration"
