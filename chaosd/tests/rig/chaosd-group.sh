# chaosd-group: with --group, chaosd serves root and members of that group
# (primary or supplementary) and refuses everyone else, both by the
# socket's mode and, were that opened up, by the peer-credential check.
# A member can use the pool, create a guest and attach its console with
# the ordinary CLI, without root. rig-as switches uid and groups.
# rig-timeout: 240

. /rig/extra/chaosd-lib
grep -q '^chaosusers:' /etc/group || echo 'chaosusers:x:2000:' >> /etc/group
chaosd_start --group chaosusers --pool memory=4,vcpus=1,size=2
ls -ln /run/chaos/chaosd.sock
set -- $(ls -ln /run/chaos/chaosd.sock)
[ "$1" = "srw-rw----" ] && [ "$4" = 2000 ] ||
	rig_fail "socket is $1 group $4, want srw-rw---- group 2000"

# Members: by a supplementary group, and by the primary group.
rig-as 2001 2001,2000 chaos pool > supp.out 2>&1 ||
	{ cat supp.out; rig_fail "a member by supplementary group was not served"; }
rig-as 2002 2000 chaos pool > prim.out 2>&1 ||
	{ cat prim.out; rig_fail "a member by primary group was not served"; }
grep -q '^ *4 ' supp.out || { cat supp.out; rig_fail "member's pool listing lacks the 4 MiB flavour"; }

# A member creates a guest and watches its console, all through chaosd.
noop_json member > member.json
chmod 0644 member.json
chmod 0755 .
rig-as 2001 2001,2000 chaos create member.json > create.out 2>&1 ||
	{ cat create.out; rig_fail "a member could not create a guest"; }
grep -q 'created domain' create.out || rig_fail "no created line for the member"
rig-as 2001 2001,2000 chaos console member --no-input --until ready --timeout 30 > mcons.out 2>&1 ||
	{ cat mcons.out; rig_fail "a member could not attach to the console"; }

# Not a member: the socket's mode keeps it out...
rig-as 2003 2003 chaos pool > other.out 2>&1 && { cat other.out; rig_fail "a non-member was served"; }
cat other.out
grep -qi 'permission denied' other.out || rig_fail "non-member refusal does not say permission denied"
rig-as 2003 2003 chaos create member.json > other2.out 2>&1 && rig_fail "a non-member created a guest"
# ... and with the mode opened up, the daemon itself refuses it.
chmod 0777 /run/chaos /run/chaos/chaosd.sock
rig-as 2003 2003 /rig/guests/chaosd-probe call '{"op":"ping"}' > probe.out 2>&1 &&
	{ cat probe.out; rig_fail "a non-member was served on an open socket"; }
cat probe.out
grep -q 'permission denied' probe.out || rig_fail "no permission-denied reply for a non-member"
grep -q 'refused a client (uid 2003' chaosd.log || rig_fail "chaosd did not log the refusal"
# A member connecting over the open socket is still served by the check.
rig-as 2001 2001,2000 /rig/guests/chaosd-probe call '{"op":"ping"}' > probe2.out 2>&1 ||
	{ cat probe2.out; rig_fail "a member was refused by the peer check"; }
chaos destroy member || rig_fail "destroy member failed"
chaosd_stop

# A numeric gid works the same (a group missing from /etc/group).
chmod 0755 /run/chaos
chaosd_start --group 3000 --pool memory=4,vcpus=1,size=0
rig-as 2004 2004,3000 chaos pool > num.out 2>&1 || { cat num.out; rig_fail "member of numeric gid 3000 not served"; }
rig-as 2001 2001,2000 chaos pool > num2.out 2>&1 && rig_fail "a member of another group was served"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "members (supplementary, primary, numeric gid) served and can create and attach; non-members refused by mode and by peer check"
