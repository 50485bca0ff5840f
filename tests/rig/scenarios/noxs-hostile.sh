# noxs-hostile: scribbler guests write garbage into their power control
# page in every way they know (each starting with a different one) and
# flood their event channel. dom0 stays up, each device is closed with the
# error of the first garbage (noxsctl query), and a well-behaved noop guest
# next to them keeps working: it still shuts down through its power device.
# rig-timeout: 300

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
free0=$(rig-domains free-kib)

cat > good.json <<CFG
{ "name": "good", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
chaos create good.json || rig_fail "chaos create good failed"
chaos console good --no-input --until ready --timeout 30 > good.boot ||
	rig_fail "good did not print ready"

# first=K in the scribbler's list -> the backend's NOXS_ERR_* for it.
for case in "0 1 fe_state-range" "1 2 fe_state-backwards" "2 3 magic" \
	    "3 4 hdr-reserved" "4 5 ack_seq-ahead"; do
	set -- $case
	k=$1 want=$2 kind=$3
	name=scrib$k
	printf '{ "name": "%s", "kernel": "/rig/guests/scribbler.elf", "memory": 4, "cmdline": "first=%s flood=50000" }\n' \
		$name $k > $name.json
	chaos create $name.json || rig_fail "chaos create $name failed"
	chaos console $name --no-input --until 'scribbler: done' --timeout 60 \
		> $name.console || rig_fail "$name did not finish: $(cat $name.console)"
	cat $name.console
	grep -q "first garbage $kind" $name.console ||
		rig_fail "$name started with the wrong garbage"
	domid=$(chaos list | awk -v n=$name '$1 == n {print $2}')
	q=$($N query "$domid" power 0) || rig_fail "noxsctl query $name failed"
	rig_log "$name: $q"
	case $q in *" be Closed "*) ;; *) rig_fail "$name: device not closed: $q" ;; esac
	case $q in *" error $want "*) ;;
		*) rig_fail "$name: error is not $want ($kind): $q" ;; esac
done
dmesg | grep 'noxs: dom' | tail -n 10

# The others' garbage did not touch the good guest.
chaos list -l > list.txt
awk '/^[^ ]/ {g = ($1 == "good")} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected' ||
	rig_fail "good lost its power device: $(cat list.txt)"
chaos console good --no-input > good.console 2>&1 &
cpid=$!
sleep 1
chaos shutdown good --timeout 10 || rig_fail "good did not shut down"
( sleep 10; kill $cpid 2>/dev/null ) &
wait $cpid
grep -q 'noop: shutdown hook ran' good.console ||
	rig_fail "good did not run its shutdown hook: $(cat good.console)"

for k in 0 1 2 3 4; do
	chaos destroy scrib$k || rig_fail "chaos destroy scrib$k failed"
done
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_wait_for 5 sh -c "$N stats | grep -q '^devices 0 grants 0 ports 0 '" ||
	rig_fail "resources left: $($N stats)"
$N stats
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "5 scribblers closed with the right errors, dom0 up, good guest shut down cleanly"
