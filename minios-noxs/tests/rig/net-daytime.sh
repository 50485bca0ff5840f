# net-daytime: UDP through the guest stack. A daytime unikernel answers a
# query on port 13 with the date as RFC 867 text (and nothing on another
# port); a udp-echo unikernel (every port) returns 10,000 datagrams of
# mixed sizes (4 to 1472 bytes) intact, none lost, at a modest rate; one
# started with port=7 echoes there only. Metrics: echo throughput.
# rig-timeout: 600

. /rig/extra/net-lib
UC=/rig/guests/udp-client
net_start
net_bridge

net_json daytime daytime.elf 10.10.0.3 > daytime.json
net_create daytime.json
net_attach "$net_domid"
net_ready daytime
cat daytime.console
$UC query 10.10.0.3 13 5000 > answer.txt || rig_fail "no daytime answer"
cat answer.txt
rig_log "dom0's clock: $(date -u)"
days='(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'
months='(January|February|March|April|May|June|July|August|September|October|November|December)'
grep -Eq "^$days, $months [0-9]{1,2}, [0-9]{4} [0-2][0-9]:[0-5][0-9]:[0-6][0-9]-UTC" answer.txt ||
	rig_fail "not a daytime answer: $(cat answer.txt)"
$UC query 10.10.0.3 14 1000 > other.txt 2>&1 &&
	rig_fail "daytime answered on port 14: $(cat other.txt)"

net_json echo udp-echo.elf 10.10.0.4 > echo.json
net_create echo.json
net_attach "$net_domid"
net_ready echo
grep -q 'udp-echo: every port' echo.console || rig_fail "echo: not on every port"
$UC echo 10.10.0.4 9999 10000 400 16 > echo.txt 2>&1
st=$?
cat echo.txt
[ $st = 0 ] || rig_fail "udp echo: $(cat echo.txt)"
set -- $(cat echo.txt)
# "sent N received N corrupt 0 duplicate 0 lost 0 bytes B elapsed_us T"
bytes=${12}
us=${14}
rig_metric udp_echo_kbit_s "$(awk -v b="$bytes" -v t="$us" 'BEGIN {printf "%.0f", b * 8 * 2 / t * 1000}')" kbit/s
rig_metric udp_echo_datagrams_s "$(awk -v t="$us" 'BEGIN {printf "%.0f", 10000 / t * 1000000}')" datagrams/s

net_json echo7 udp-echo.elf 10.10.0.5 port=7 > echo7.json
net_create echo7.json
net_attach "$net_domid"
net_ready echo7
grep -q 'udp-echo: port 7' echo7.console || rig_fail "echo7: not on port 7"
$UC query 10.10.0.5 7 5000 > seven.txt || rig_fail "echo7: no echo on port 7"
[ "$(cat seven.txt)" = "?" ] || rig_fail "echo7 answered '$(cat seven.txt)'"
$UC query 10.10.0.5 8 1000 > eight.txt 2>&1 && rig_fail "echo7 answered on port 8"

# A clean shutdown: the app's counters on its console, every device closed.
chaos console echo --no-input --timeout 20 > echo.end 2>&1 &
cpid=$!
sleep 1
chaos shutdown echo --timeout 10 || rig_fail "chaos shutdown echo failed"
wait $cpid
cat echo.end
grep -q 'udp-echo: 10000 datagrams echoed' echo.end ||
	rig_fail "udp-echo's count is not 10000"
for g in daytime echo7; do
	chaos destroy $g || rig_fail "chaos destroy $g failed"
done
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" ||
	rig_fail "vif devices left: $(ls /sys/class/net)"
net_no_leaks "after destroy"
net_dmesg_check
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_pass "daytime answered, 10000 datagrams echoed intact, port=7 honoured, nothing left"
