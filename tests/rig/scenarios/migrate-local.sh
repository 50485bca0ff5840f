# migrate-local: chaos migrate to the same host, once over a pipe to
# `chaos migrate-receive` (ssh's place taken by -s ''), once over TCP with a
# pre-shared key. Each time the guest moves to a new domain under the same
# name and keeps counting; the source copy is gone; nothing leaks.
# rig-timeout: 300

. /rig/extra/migrate-lib
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }

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

shut_down_clean
rig_metric migrate_local_ms "$(ms "$pipe_us")" ms
rig_metric migrate_local_tcp_psk_ms "$(ms "$tcp_us")" ms
rig_pass "migrated over a pipe and over TCP+PSK, counter went on, nothing leaked"
