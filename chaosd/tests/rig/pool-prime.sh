# pool-prime: `chaosd --prime-kernel PATH` reads a guest kernel at start
# and primes every flavour's shells for it.
#  - the first create of that kernel takes a primed shell (chaosd's log
#    says "pooled, primed"); without the option the first create's shell
#    is not primed (the log says "pooled"). Both first creates are timed
#    (wall and in-library, metrics only), same boot;
#  - the kept kernel is still checked as the client: a member may not
#    create from a root-only (0600) kernel chaosd was primed for; the
#    refusal says Permission denied and no guest is left;
#  - a kernel chaosd cannot read, or one larger than every flavour, stops
#    chaosd at start with a message naming the option and the file, and
#    leaves no domain.
# rig-timeout: 300

. /rig/extra/chaosd-lib
grep -q '^chaosusers:' /etc/group || echo 'chaosusers:x:2000:' >> /etc/group
chmod 0755 .
cp /rig/guests/noop.elf kept.elf
chmod 0644 kept.elf
echo "{ \"name\": \"NAME\", \"kernel\": \"$PWD/kept.elf\", \"memory\": 4 }" > tmpl.json
cfg() { sed "s/NAME/$1/" tmpl.json > "$1.json"; chmod 0644 "$1.json"; }
# first_create NAME: the create's wall and in-library time (us) in NAME.t.
first_create() {
	cfg "$1"
	wall=$(rigtime run chaos create --timing "$1.json" 2> "$1.out") ||
		{ cat "$1.out"; rig_fail "create of $1 failed"; }
	lib=$(sed -n 's/^timing_us .* total=\([0-9]*\).*/\1/p' "$1.out")
	[ -n "$lib" ] || { cat "$1.out"; rig_fail "$1: no timing line"; }
	echo "$wall $lib" > "$1.t"
	sed -n 's/^timing_us /'"$1"': /p' "$1.out"
	grep -q 'via=pool' "$1.out" || { cat "$1.out"; rig_fail "$1 was not pooled"; }
}

# --- without the option: the first create primes nothing ahead ------------
chaosd_start --group chaosusers --pool memory=4,vcpus=1,size=2
wait_until 60 pool_full 4 2 || rig_fail "pool did not fill"
sleep 1
first_create cold
grep -q "(cold) (pooled, " chaosd.log || { cat chaosd.log; rig_fail "no log line for cold"; }
grep -q "(cold) (pooled, primed" chaosd.log &&
	rig_fail "cold's shell was primed without --prime-kernel"
chaos destroy cold || rig_fail "destroy cold"
chaosd_stop
mv chaosd.log chaosd-cold.log

# --- with it ----------------------------------------------------------------
chaosd_start --group chaosusers --pool memory=4,vcpus=1,size=2 \
	--prime-kernel "$PWD/kept.elf"
grep -q "pool: priming every flavour for $PWD/kept.elf" chaosd.log ||
	{ cat chaosd.log; rig_fail "chaosd did not say it primed"; }
wait_until 60 pool_full 4 2 || rig_fail "pool did not fill"
sleep 1
first_create warm
grep -q "(warm) (pooled, primed" chaosd.log ||
	{ cat chaosd.log; rig_fail "warm's shell was not primed"; }
chaos console warm --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "warm did not print ready"
read -r cold_wall cold_lib < cold.t
read -r warm_wall warm_lib < warm.t
rig_metric first_create_unprimed_ms "$(ms "$cold_wall")" ms
rig_metric first_create_unprimed_lib_ms "$(ms "$cold_lib")" ms
rig_metric first_create_primed_ms "$(ms "$warm_wall")" ms
rig_metric first_create_primed_lib_ms "$(ms "$warm_lib")" ms

# A member may not use what chaosd read for itself.
chmod 0600 kept.elf
cfg mine
wait_until 60 pool_full 4 2 || rig_fail "pool did not refill"
rc=0
rig-as 2001 2001,2000 chaos create mine.json > mine.out 2>&1 || rc=$?
cat mine.out
[ $rc != 0 ] || rig_fail "a member created a guest from a root-only primed kernel"
grep -q 'Permission denied' mine.out || rig_fail "refusal does not say Permission denied"
chaos list | awk '$1 == "mine"' | grep -q . && rig_fail "a guest named mine exists"
chaos destroy warm || rig_fail "destroy warm"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "$(rig-domains count) domains left"

# --- a kernel chaosd cannot use stops it at start ---------------------------
# refused_start PATH WHAT: chaosd exits non-zero saying prime-kernel, PATH
# and WHAT.
refused_start() {
	rc=0
	timeout 60 chaosd -f --pool memory=4,vcpus=1,size=1 \
		--prime-kernel "$1" > start.out 2>&1 || rc=$?
	cat start.out
	[ $rc != 0 ] || rig_fail "chaosd started with --prime-kernel $1"
	[ $rc != 124 ] || rig_fail "chaosd with --prime-kernel $1 kept running"
	grep "prime-kernel: " start.out | grep -F "$1" | grep -q "$2" ||
		rig_fail "unclear message for $1: $(cat start.out)"
	[ "$(rig-domains count)" = 0 ] || rig_fail "$(rig-domains count) domains left after $1"
}
refused_start "$PWD/none.elf" "No such file"
# Debian's kernel decompresses to more than a 4 MiB flavour could hold.
refused_start /rig/guests/vmlinuz "more than 4 MiB"
rig_pass "first create primed ($(ms "$warm_lib") ms in-library, unprimed $(ms "$cold_lib") ms); member refused; bad kernels stop chaosd"
