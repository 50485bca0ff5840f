# xl-noop: the noop unikernel boots under stock xl (XenStore is there and the
# guest ignores it), prints its boot banner and "ready", and blocks. Reports
# the image size, the guest-measured boot time and the least memory (MiB) it
# boots in under xl.
# rig-timeout: 300

img=/rig/guests/noop.elf
[ -r "$img" ] || rig_fail "$img missing"
rig_start_xenstore

rig_metric noop_image_bytes "$(wc -c < "$img")" bytes

# boot NAME MEMORY_MIB [CMDLINE]: create, wait for "ready" (or the domain dying),
# keep the console log as NAME.log, destroy. Succeeds if "ready" was seen.
boot() {
	name=$1
	log=/var/log/xen/console/guest-$name.log
	cat > "$name.cfg" <<CFG
name = "$name"
type = "pv"
kernel = "$img"
memory = $2
vcpus = 1
on_crash = "preserve"
extra = "${3:-}"
CFG
	rm -f "$log"
	if ! xl create "$name.cfg" > "$name.xl" 2>&1; then
		rig_log "$2 MiB: xl create failed:"
		grep -iv '^Parsing' "$name.xl" | head -n 5
		xl destroy "$name" 2>/dev/null
		return 1
	fi
	rig_wait_for 30 sh -c "grep -q '^ready' $log ||
		xl list $name 2>/dev/null | grep -q ' [-r]*[cs]' ||
		! xl list $name >/dev/null 2>&1"
	# Still alive a moment later (blocked, not crashed)?
	sleep 1
	cp "$log" "$name.log" 2>/dev/null
	state=$(xl list "$name" 2>/dev/null | awk 'NR == 2 { print $5 }')
	xl destroy "$name" 2>/dev/null
	if ! grep -q '^ready' "$name.log" 2>/dev/null; then
		rig_log "$2 MiB: no ready (state ${state:-gone}); console:"
		cat "$name.log" 2>/dev/null
		return 1
	fi
	case $state in
	*c* | *s* | "")
		rig_log "$2 MiB: ready, then state ${state:-gone}; console:"
		cat "$name.log"
		xl dmesg | tail -n 10
		return 1 ;;
	esac
	return 0
}

boot noop 32 || rig_fail "noop did not print ready with 32 MiB"
cat noop.log
grep -q '^noop: booted in [0-9]* us' noop.log ||
	rig_fail "no boot banner on the console"
rig_metric noop_boot_in_guest_us \
	"$(sed -n 's/^noop: booted in \([0-9]*\) us.*/\1/p' noop.log)" us

# t0 on the command line: the banner adds the time since then. Xen system
# time 1 ns stands in for "the toolstack's start": the result is about
# the hypervisor's uptime.
boot noopt0 32 "t0=1" || rig_fail "noop with t0= did not print ready"
grep -q '^noop: booted in [0-9]* us, since-create [0-9]* us$' noopt0.log ||
	rig_fail "no since-create in the banner: $(head -n 1 noopt0.log)"
# A malformed t0 is ignored, not misread.
boot noopbad 32 "t0=12x" || rig_fail "noop with a bad t0= did not boot"
grep -q 'since-create' noopbad.log && rig_fail "bad t0= was accepted"

min=""
for mem in 1 2 3 4 5 6 8 12 16; do
	if boot "noop$mem" "$mem"; then
		min=$mem
		break
	fi
done
[ -n "$min" ] || rig_fail "noop booted with 32 MiB but with none of 1-16 MiB"
rig_metric noop_min_memory_mib "$min" MiB
rig_pass "noop booted under xl, ready; least memory $min MiB"
