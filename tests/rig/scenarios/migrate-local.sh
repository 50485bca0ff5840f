# migrate-local: chaos migrate to the same host, once over a pipe to
# `chaos migrate-receive` (ssh's place taken by -s ''), once over TCP (TLS
# keyed by a pre-shared key, through chaos-tls). Before the real sender, a
# wrong key and garbage connect to the receiver: it logs them and keeps
# waiting. Each time the guest moves to a new domain under the same name
# and keeps counting; the source copy is gone; nothing leaks.
# rig-timeout: 300

. /rig/extra/migrate-lib
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }

# --- over a pipe (what ssh carries) ---------------------------------------
old=$(domid)
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
pipe_us=$(rig_time_us chaos migrate hl 'chaos migrate-receive' -s '' --timing)
moved pipe

# --- over TCP (TLS) with a pre-shared key -----------------------------------
head -c 32 /dev/urandom > psk
head -c 32 /dev/urandom > wrong.psk
chmod 600 psk wrong.psk
old=$(domid)
chaos migrate-receive --listen 7010 --psk-file psk 2> recv.err &
rpid=$!
rig_wait_for 10 grep -q 'listening on port 7010' recv.err ||
	rig_fail "the receiver did not listen: $(cat recv.err)"
# Strangers first: a wrong key, then garbage.
chaos-tls connect 127.0.0.1 7010 --psk-file wrong.psk < /dev/null > /dev/null 2> wrong.err &&
	rig_fail "a wrong key got through"
cat wrong.err
echo garbage | timeout 10 nc 127.0.0.1 7010 > /dev/null 2>&1
rig_wait_for 10 sh -c "[ \$(grep -c 'still waiting' recv.err) -ge 2 ]" ||
	rig_fail "the receiver did not turn the strangers away: $(cat recv.err)"
kill -0 $rpid 2>/dev/null || rig_fail "the receiver gave up after strangers: $(cat recv.err)"
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
tcp_us=$(rig_time_us chaos migrate hl 127.0.0.1 --port 7010 --psk-file psk)
wait $rpid || rig_fail "the receiver failed: $(cat recv.err)"
cat recv.err
moved tcp

shut_down_clean
rig_metric migrate_local_ms "$(ms "$pipe_us")" ms
rig_metric migrate_local_tcp_psk_ms "$(ms "$tcp_us")" ms
rig_pass "migrated over a pipe and over TLS+PSK (after a wrong key and garbage were turned away), counter went on, nothing leaked"
