# pool-fd-limit: chaosd under a tight open-file limit still fills a pool
# bigger than that limit allows record files for. A pooled shell keeps
# its create's record file open (made ahead, off the create's path);
# those files take at most the lower half of the descriptors chaosd may
# open, and a shell past that is kept without one (its create writes the
# record aside, as a full create does). The pool fills, no staged file
# sits at a descriptor in the upper half, creates from it work and are
# recorded, and once chaosd stops nothing is left: no domain, no name,
# no record file.
# rig-timeout: 300

. /rig/extra/chaosd-lib
limit=200
pool=100
# The limit for chaosd alone (hard and soft: chaosd raises its soft limit
# to the hard one).
(ulimit -n $limit && exec chaosd -f --no-virq --pool memory=1,vcpus=1,size=$pool) >> chaosd.log 2>&1 &
chaosd_pid=$!
trap 'chaosd_stop' EXIT
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
got=$(sed -n 's/^Max open files *\([0-9]*\) *\([0-9]*\).*/\1 \2/p' /proc/$chaosd_pid/limits)
[ "$got" = "$limit $limit" ] || rig_fail "chaosd's open file limit is '$got', want $limit"
wait_until 120 pool_full 1 $pool || { chaos pool; tail -20 chaosd.log; rig_fail "pool did not fill to $pool shells under a limit of $limit descriptors"; }
grep -q 'cannot make' chaosd.log && { grep 'cannot make' chaosd.log | head -3; rig_fail "a refill failed"; }

staged=$(ls /run/chaos/domains | grep -c '\.tmp$')
fds=$(ls /proc/$chaosd_pid/fd | wc -l)
rig_log "pool of $pool full: $staged shells with their record file made ahead, $fds descriptors open of $limit"
[ "$staged" -gt 0 ] || rig_fail "no shell has its record file made ahead"
[ "$staged" -lt "$pool" ] || rig_fail "all $pool shells have a record file: the limit did not bite"
for f in /proc/$chaosd_pid/fd/*; do
	n=${f##*/}
	[ "$n" -ge $((limit / 2)) ] || continue
	case $(readlink "$f") in
	/run/chaos/domains/*.tmp) rig_fail "descriptor $n (upper half of $limit) is a staged record file" ;;
	esac
done

# Creates from the pool: the shells made last (taken first) have no file.
for i in 1 2 3 4 5; do
	noop_json f$i 1 > f$i.json
	chaos create --timing f$i.json > out.txt 2>&1 || rig_fail "create f$i failed: $(cat out.txt)"
	grep -q 'via=pool' out.txt || { cat out.txt; rig_fail "create f$i did not take a pooled shell"; }
done
wait_until 60 pool_full 1 $pool || rig_fail "pool did not refill to $pool"
for i in 1 2 3 4 5; do
	id=$(chaos list --json | jq -r --arg n f$i '.[] | select(.name == $n) | .id')
	[ -n "$id" ] || rig_fail "f$i is not listed"
	[ -f /run/chaos/domains/$id ] || rig_fail "f$i (domain $id) has no record"
	chaos destroy f$i || rig_fail "destroy f$i failed"
done
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left after chaosd stopped: $(rig-domains count)"
left=$(ls -A /run/chaos/domains /run/chaos/names | grep -v '^/run\|^$' | tr '\n' ' ')
[ -z "$left" ] || rig_fail "left in /run/chaos: $left"
rig_pass "pool of $pool filled under $limit descriptors ($staged record files made ahead, none in the upper half); 5 creates recorded; nothing left"
