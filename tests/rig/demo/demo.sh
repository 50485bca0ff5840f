# demo: chaos at work on the emulated Xen host: the host, a guest's life,
# and creates from chaosd's pool of pre-created shells next to full creates.
# rig-timeout: 300

show() { echo; echo "== $*"; "$@"; }

show chaos info || rig_fail "chaos info failed"
show chaos list || rig_fail "chaos list failed"

cat > noop.json <<CFG
{ "name": "demo", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
show chaos create noop.json --timing || rig_fail "chaos create failed"
show chaos console demo --no-input --until ready --timeout 30 ||
	rig_fail "the guest did not print ready"
echo
show chaos list
show chaos pause demo
show chaos list
show chaos unpause demo
show chaos destroy demo

echo
echo "== chaosd with a pool of 10 noop shells"
chaosd -f --pool memory=4,vcpus=1,size=10 > chaosd.log 2>&1 &
pid=$!
rig_wait_for 60 sh -c 'chaos pool 2>/dev/null | awk "\$1 == 4 && \$3 == 0 && \$5 == 10 {ok = 1} END {exit !ok}"' ||
	{ cat chaosd.log; kill $pid; rig_fail "the pool did not fill"; }
show chaos pool
i=1
while [ $i -le 5 ]; do
	printf '{ "name": "p%s", "kernel": "/rig/guests/noop.elf", "memory": 4 }\n' $i > p$i.json
	printf '{ "name": "f%s", "kernel": "/rig/guests/noop.elf", "memory": 4 }\n' $i > f$i.json
	echo "-- pooled:  $(chaos create --timing p$i.json | grep timing_us)"
	echo "-- full:    $(chaos create --no-chaosd --timing f$i.json | grep timing_us)"
	i=$((i + 1))
done
show chaos list
i=1
while [ $i -le 5 ]; do
	chaos destroy p$i
	chaos destroy f$i
	i=$((i + 1))
done
kill -TERM $pid
wait $pid
rig_pass "demo shown"
