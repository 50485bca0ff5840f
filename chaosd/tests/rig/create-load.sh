# create-load: several clients at once, each on its own open connection
# (rig-create-load, the public client API), create guests from the pool
# and destroy them: 8 creates with 1 client, then with 4. Every create
# answered with a guest and chaosd's timing, every guest gone after its
# destroy; four creates of one name at once leave one guest and three
# "already used" errors; nothing left once chaosd stops. The figures are the bench's
# (tests/rig/bench/create-concurrency.sh); this only proves it works.
# rig-timeout: 300

. /rig/extra/chaosd-lib
chaosd_start --pool memory=4,vcpus=1,size=8
for clients in 1 4; do
	wait_until 120 pool_full 4 8 || rig_fail "pool did not fill to 8 shells"
	rig-create-load $clients 8 /rig/guests/noop.elf 4 load$clients > load.txt 2> load.err ||
		{ cat load.err; rig_fail "rig-create-load with $clients clients failed: $(tail -1 load.err)"; }
	cat load.txt
	[ "$(grep -c '^create .* lib_us=[0-9]' load.txt)" = 8 ] ||
		rig_fail "$clients clients: not 8 creates answered"
	# chaosd's timing came back: a create's own may read 0 when dom0's
	# clock stood still during it. A pooled create takes under 2 ms, and
	# in the rig dom0's vCPU 1 reads the same CLOCK_MONOTONIC value for
	# up to about 9 ms at a time (its Xen clock is behind vCPU 0's, and
	# Linux keeps the clock monotonic across vCPUs: tests/rig/README.md).
	# Never a whole round's.
	grep -q '^create .* lib_us=[1-9]' load.txt ||
		rig_fail "$clients clients: no create with chaosd's timing"
	grep -q "^summary clients=$clients creates=8 " load.txt ||
		rig_fail "$clients clients: no summary of 8 creates"
	left=$(chaos list | grep -c "^load$clients-")
	[ "$left" = 0 ] || rig_fail "$clients clients: $left guests left after their destroys"
done
# Four creates of one name at once (creates are built side by side): one
# gets the name, the others fail with it taken, and leave no domain.
wait_until 120 pool_full 4 8 || rig_fail "pool did not refill"
noop_json same > same.json
for k in 1 2 3 4; do
	chaos create same.json > same$k.out 2>&1 &
	eval "pid$k=\$!"
done
won=0
for k in 1 2 3 4; do
	eval "wait \$pid$k" && won=$((won + 1))
done
cat same*.out
[ "$won" = 1 ] || rig_fail "$won of 4 creates of one name succeeded"
[ "$(grep -l "already used" same*.out | wc -l)" = 3 ] || rig_fail "the losers did not say the name is taken"
[ "$(chaos list | grep -c '^same ')" = 1 ] || rig_fail "not exactly one guest named same"
chaos destroy same || rig_fail "destroy same"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "8 creates and destroys with 1 and with 4 concurrent clients, one of 4 same-name creates at once won, nothing left"
