# hostile-start-info: audit finding 7. A guest (si-liar) writes absurd
# values into its start_info right before it suspends for a save: nr_pages
# far beyond its memory, a p2m list pointer (mfn_list) that is not aligned
# or maps nowhere, console and store pfns beyond its memory. Each
# `chaos save` is refused with a message naming the field; the saver's
# peak resident memory (rigtime peak) stays under 64 MiB, where believing
# nr_pages would have it allocate GiBs. The guest is resumed (the suspend
# is cancelled: the same domain runs on, says so and keeps counting) and
# no image is left. In the end every domain, device, name and byte of
# memory is back.
# rig-timeout: 120

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
# Warm up (the first domain grows the hypervisor's tables once).
printf '{ "name": "probe", "kernel": "/rig/guests/noop.elf", "memory": 4 }\n' > probe.json
chaos create probe.json > /dev/null || rig_fail "warm-up create failed"
chaos destroy probe || rig_fail "warm-up destroy failed"
free0=$(rig-domains free-kib)

# connected NAME: NAME's power device is connected at both ends.
connected() {
	chaos list -l > list.txt &&
		awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
		grep -Eq '^ +power +0 .* be connected +fe connected'
}
# lie N PATTERN FIELD: a si-liar telling lie N; its save is refused with a
# message matching PATTERN, which names FIELD.
lie() {
	name=liar$1
	printf '{ "name": "%s", "kernel": "/rig/guests/si-liar.elf", "memory": 8, "cmdline": "lie=%s" }\n' \
		"$name" "$1" > "$name.json"
	rig_log "lie $1: $2"
	chaos create "$name.json" > /dev/null || rig_fail "create $name failed"
	chaos console "$name" --no-input --until 'si-liar 2' --timeout 30 > /dev/null ||
		rig_fail "$name did not count"
	wait_until 10 connected "$name" || rig_fail "power device of $name not connected"
	dom=$(chaos list | awk -v n="$name" '$1 == n {print $2}')
	t0=$(rig_now_us)
	# rigtime peak: the saver's peak resident memory in KiB.
	peak=$(rigtime peak chaos save "$name" "$name.img" 2> save.out) &&
		rig_fail "save of $name (lie $1) succeeded: $(cat save.out)"
	ms=$(( ($(rig_now_us) - t0) / 1000 ))
	cat save.out
	grep -q "$2" save.out || rig_fail "refusal of lie $1 does not name $3: $(cat save.out)"
	grep -q "domain $dom resumed" save.out || rig_fail "lie $1: the guest was not resumed: $(cat save.out)"
	[ "$peak" -lt 65536 ] || rig_fail "lie $1: the saver peaked at $peak KiB"
	ls "$name".img* > /dev/null 2>&1 && rig_fail "lie $1 left an image: $(ls "$name".img*)"
	# The same domain runs on, and said so.
	chaos list | awk -v n="$name" -v d="$dom" '$1 == n && $2 == d' | grep -q . ||
		rig_fail "$name is not domain $dom any more: $(chaos list)"
	chaos console "$name" --no-input --until 'resumed (suspend cancelled)' --timeout 20 > res.out ||
		rig_fail "$name did not say it resumed: $(tail -n 3 res.out)"
	n=$(awk '$1 == "si-liar" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' res.out)
	chaos console "$name" --no-input --until "si-liar $((n + 2))" --timeout 20 > /dev/null ||
		rig_fail "$name stopped counting after the refused save"
	chaos destroy "$name" || rig_fail "destroy $name failed"
	rig_metric "hostile_si_lie${1}_refused_ms" "$ms" ms
	rig_metric "hostile_si_lie${1}_saver_peak" "$peak" KiB
	[ "$peak" -gt "$peak_max" ] && peak_max=$peak
	refused="$refused $3"
}

# wait_until SECONDS CMD...: retry a shell function.
wait_until() {
	_end=$(( $(rig_now_us) + $1 * 1000000 ))
	shift
	while ! "$@"; do
		[ "$(rig_now_us)" -lt "$_end" ] || return 1
		sleep 0.1
	done
}

refused=
peak_max=0
lie 1 'start info nr_pages [0-9]* does not match' nr_pages
lie 2 'start info mfn_list .* is not page-aligned' mfn_list
lie 3 'start info mfn_list .*is not mapped' mfn_list
lie 4 'start info console.domU.mfn .* is outside' console.domU.mfn
lie 5 'start info store_mfn .* is outside' store_mfn

$N stats > stats.txt || rig_fail "noxsctl stats failed"
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "devices left: $(cat stats.txt)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(chaos list)"
[ "$(rig-domains free-kib)" = "$free0" ] ||
	rig_fail "free memory $(rig-domains free-kib) KiB, was $free0 KiB"
[ -z "$(ls /run/chaos/names 2>/dev/null)" ] || rig_fail "names left: $(ls /run/chaos/names)"
rig_pass "saves of a guest lying in its start_info refused naming the field ($refused) in a saver of at most $peak_max KiB, the guest resumed each time, nothing leaked"
