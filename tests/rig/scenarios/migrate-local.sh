# migrate-local: chaos migrate to the same host, once over a pipe to
# `chaos migrate-receive` (ssh's place taken by -s ''), once over TCP with a
# pre-shared key. Each time the guest moves to a new domain under the same
# name and keeps counting; the source copy is gone; nothing leaks.
# rig-timeout: 300

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
free0=$(rig-domains free-kib)
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }
domid() { chaos list | awk '$1 == "hl" {print $2}'; }

printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json || rig_fail "chaos create failed"
chaos console hl --no-input --until 'hello 3' --timeout 30 > seen.txt ||
	rig_fail "hello-loop did not count to 3"

# moved HOW: after a migration, hl is one new domain that goes on counting.
moved() {
	new=$(domid)
	[ -n "$new" ] || rig_fail "$1: hl is not listed after the migration"
	[ "$new" != "$old" ] || rig_fail "$1: hl is still domain $old"
	[ "$(rig-domains count)" = 1 ] || rig_fail "$1: $(rig-domains count) domains"
	chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
		--timeout 20 > after.txt || rig_fail "$1: no resume line: $(cat after.txt)"
	cat after.txt >> seen.txt
	n=$(last_hello seen.txt)
	chaos console hl --no-input --until "hello $((n + 1))" --timeout 20 > next.txt ||
		rig_fail "$1: counter stuck at $n: $(cat next.txt)"
	first=$(awk '$1 == "hello" {print $2; exit}' next.txt)
	[ "$first" = "$((n + 1))" ] || rig_fail "$1: counted $first after $n"
	cat next.txt >> seen.txt
	$N stats > stats.txt
	grep -q '^devices 1 ' stats.txt || rig_fail "$1: devices: $(cat stats.txt)"
	rig_log "$1: domain $old -> $new, counter $n -> $first"
}

# --- over a pipe (what ssh carries) ---------------------------------------
old=$(domid)
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
pipe_us=$(rig_time_us chaos migrate hl 'chaos migrate-receive' -s '' --timing)
moved pipe

# --- over TCP with a pre-shared key -----------------------------------------
head -c 32 /dev/urandom > psk
chmod 600 psk
old=$(domid)
chaos migrate-receive --listen 7010 --psk-file psk 2> recv.err &
rpid=$!
rig_wait_for 10 grep -q 'listening on port 7010' recv.err ||
	rig_fail "the receiver did not listen: $(cat recv.err)"
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
tcp_us=$(rig_time_us chaos migrate hl 127.0.0.1 --port 7010 --psk-file psk)
wait $rpid || rig_fail "the receiver failed: $(cat recv.err)"
cat recv.err
moved tcp

chaos shutdown hl --timeout 10 || rig_fail "shutdown failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left"
$N stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "devices left: $(cat stats.txt)"
[ "$(rig-domains free-kib)" = "$free0" ] || rig_fail "free memory not back"
rig_metric migrate_local_ms "$(ms "$pipe_us")" ms
rig_metric migrate_local_tcp_psk_ms "$(ms "$tcp_us")" ms
rig_pass "migrated over a pipe and over TCP+PSK, counter went on, nothing leaked"
