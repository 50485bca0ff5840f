# migrate-live: chaos migrate --live (pre-copy) on one host, beside a
# plain migration of the same guest in the same run. hello-loop counts on
# through both moves; each time it lands in a new domain under its name,
# the source copy is gone, and at the end nothing is left (no domain,
# noxs device, grant, port or memory). The pause each migration caused
# (suspended to running at the destination, as chaos reports it) is
# printed side by side, with the live one's rounds and re-sent pages.
# rig-timeout: 300

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
free0=$(rig-domains free-kib)
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }
domid() { chaos list | awk '$1 == "hl" {print $2}'; }
downtime() { sed -n 's/.*(downtime \([0-9.]*\) ms).*/\1/p' "$1"; }

printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json || rig_fail "chaos create failed"
chaos console hl --no-input --until 'hello 3' --timeout 30 > seen.txt ||
	rig_fail "hello-loop did not count to 3"

# moved HOW: hl is one new domain that goes on counting.
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

# --- not live: suspended for the whole transfer ----------------------------
old=$(domid)
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
chaos migrate hl 'chaos migrate-receive' -s '' > plain.out 2>&1 ||
	rig_fail "chaos migrate failed: $(cat plain.out)"
cat plain.out
moved plain

# --- live: pre-copy while it runs -------------------------------------------
old=$(domid)
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
chaos migrate hl 'chaos migrate-receive' -s '' --live > live.out 2>&1 ||
	rig_fail "chaos migrate --live failed: $(cat live.out)"
cat live.out
moved live
rounds=$(sed -n 's/^live: \([0-9]*\) rounds.*/\1/p' live.out)
resent=$(sed -n 's/^live: [0-9]* rounds, \([0-9]*\) pages.*/\1/p' live.out)
[ -n "$rounds" ] && [ "$rounds" -ge 2 ] || rig_fail "live: rounds '$rounds'"

# --- live, to a receiver that dies mid-stream ----------------------------
# Its input is cut 300 KB into round 0: the guest never stopped, keeps
# running here in its domain, log-dirty mode is off again.
old=$(domid)
rc=0
chaos migrate hl "head -c 300000 | chaos migrate-receive" -s '' --live > cut.out 2>&1 || rc=$?
cat cut.out
[ $rc -ne 0 ] || rig_fail "a cut live stream migrated"
grep -q "still runs here" cut.out || rig_fail "cut: $(cat cut.out)"
[ "$(domid)" = "$old" ] || rig_fail "after the failed live migration hl is '$(domid)'"
[ "$(rig-domains count)" = 1 ] || rig_fail "cut: $(rig-domains count) domains"
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
n=$(last_hello seen.txt)
chaos console hl --no-input --until "hello $((n + 1))" --timeout 20 > next.txt ||
	rig_fail "after the failed live migration: counter stuck at $n"

chaos shutdown hl --timeout 10 || rig_fail "shutdown failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left"
$N stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "devices left: $(cat stats.txt)"
[ "$(rig-domains free-kib)" = "$free0" ] || rig_fail "free memory not back"
rig_metric nonlive_downtime_ms "$(downtime plain.out)" ms
rig_metric live_downtime_ms "$(downtime live.out)" ms
rig_metric downtime_nonlive_over_live "$(awk -v a="$(downtime plain.out)" -v b="$(downtime live.out)" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric live_rounds "$rounds" rounds
rig_metric live_pages_resent "$resent" pages
rig_pass "plain and live migration, counter went on; a failed live one left the guest running here; nothing leaked"
