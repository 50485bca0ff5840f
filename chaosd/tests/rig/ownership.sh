# ownership: every guest belongs to the uid that created it, and a chaosd
# client that is not root sees and touches only its own (issue #12).
#  - audit finding 9: a member's list shows its own guests only (no
#    Domain-0, no shells, no root's or another member's guests), and
#    destroy, pause, unpause, shutdown and console of someone else's guest
#    are refused with a message naming the domain; its own work;
#  - audit finding 3: a member naming a root-only (0600) file as ramdisk,
#    kernel or config path is refused, by chaosd opening it with the
#    member's rights (also through a symlink of the member's), and learns
#    nothing of it: no guest, not a byte in any reply or log; a file the
#    member may read works; a restart rereads the member's config with its
#    rights, so rewriting it after the create to name the secret fails;
#  - audit finding 9: 64 idle member connections hold every ordinary slot;
#    another member is turned away, root is still served;
#  - the same for console streams: a member holding 64 streams of her own
#    guest takes every ordinary stream slot, another member's attach is
#    refused, root still attaches to a console through chaosd;
#  - audit finding 9: quotas (guests, memory, pool) refuse a member with a
#    message naming the quota and the numbers; root is exempt.
# rig-timeout: 300

. /rig/extra/chaosd-lib
grep -q '^chaosusers:' /etc/group || echo 'chaosusers:x:2000:' >> /etc/group
chaosd_start --group chaosusers --pool memory=4,vcpus=1,size=1 \
	--quota guests=2,memory=12,pool=2
wait_until 60 pool_full 4 1 || rig_fail "pool did not fill"
chmod 0755 .
alice() { rig-as 2001 2001,2000 "$@"; }
bob() { rig-as 2002 2002,2000 "$@"; }
# probe_as WHO JSON: one request as WHO (root when "root"); the reply in
# probe.out, the exit status 0 for an ok reply.
probe_as() {
	_who=$1
	shift
	if [ "$_who" = root ]; then
		/rig/guests/chaosd-probe call "$1" > probe.out 2>&1
	else
		$_who /rig/guests/chaosd-probe call "$1" > probe.out 2>&1
	fi
}
id_of() { chaos list | awk -v n="$1" '$1 == n {print $2}'; }
# refused WHO WHAT CMD...: CMD fails and its message says WHAT.
refused() {
	_who=$1 _what=$2
	shift 2
	_rc=0
	$_who "$@" > refused.out 2>&1 || _rc=$?
	cat refused.out
	[ $_rc != 0 ] || rig_fail "$_who $*: not refused"
	grep -q "$_what" refused.out ||
		rig_fail "$_who $*: unclear message: $(cat refused.out)"
}

# --- owners ---------------------------------------------------------------
for g in rootg a1 b1; do noop_json $g > $g.json; chmod 0644 $g.json; done
chaos create rootg.json > /dev/null || rig_fail "root's create failed"
alice chaos create a1.json > c.out 2>&1 || { cat c.out; rig_fail "alice's create failed"; }
bob chaos create b1.json > c.out 2>&1 || { cat c.out; rig_fail "bob's create failed"; }
chaos list --json > all.json || rig_fail "chaos list --json failed"
jq -c '[.[] | select(.kind == "guest") | [.name, .owner]] | sort' all.json > owners
cat owners
[ "$(cat owners)" = '[["a1",2001],["b1",2002],["rootg",0]]' ] ||
	rig_fail "owners in list JSON: $(cat owners)"
[ "$(jq -c '[.[] | select(.kind != "guest") | .owner] | unique' all.json)" = '[0]' ] ||
	rig_fail "Domain-0 and shells are not root's"
ra=$(id_of a1) rb=$(id_of b1) rr=$(id_of rootg)

# --- finding 9: a member sees its own guests only ------------------------
probe_as alice '{"op":"list"}' || { cat probe.out; rig_fail "alice's list failed"; }
sed -n 's/^probe: call: //p' probe.out | jq -c '[.domains[] | [.name, .owner]]' > alice.list
cat alice.list
[ "$(cat alice.list)" = '[["a1",2001]]' ] || rig_fail "alice sees $(cat alice.list)"
probe_as root '{"op":"list"}' || rig_fail "root's list failed"
sed -n 's/^probe: call: //p' probe.out | jq '.domains | length' > root.n
[ "$(cat root.n)" -ge 5 ] || rig_fail "root sees only $(cat root.n) domains"

# --- finding 9: and touches its own guests only ----------------------------
for target in b1 rootg "$rb"; do
	refused alice "refusing to destroy domain" chaos destroy "$target"
	grep -q "belongs to uid" refused.out || rig_fail "no owner in: $(cat refused.out)"
	refused alice "refusing to pause domain" chaos pause "$target"
	refused alice "refusing to unpause domain" chaos unpause "$target"
	refused alice "refusing to shut down domain" chaos shutdown "$target" --timeout 5
	refused alice "refusing to attach to the console of domain" \
		chaos console "$target" --no-input --timeout 5
done
refused alice "refusing to destroy domain $rb ('b1'): it belongs to uid 2002, not to you (uid 2001)" \
	chaos destroy b1
refused alice "refusing to destroy Domain-0" chaos destroy 0
shell=$(jq '[.[] | select(.kind == "shell") | .id][0]' all.json)
refused alice "unused shell" chaos destroy "$shell"
[ "$(id_of b1)" = "$rb" ] && [ "$(id_of rootg)" = "$rr" ] ||
	rig_fail "someone else's guest went away"
chaos list | awk '$1 == "b1" || $1 == "rootg" {print $5}' | grep -q paused &&
	rig_fail "someone else's guest was paused"
alice chaos pause a1 > m.out 2>&1 || { cat m.out; rig_fail "alice cannot pause her guest"; }
alice chaos unpause a1 > m.out 2>&1 || { cat m.out; rig_fail "alice cannot unpause her guest"; }
alice chaos console a1 --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "alice cannot attach to her guest's console"
chaos pause b1 || rig_fail "root cannot pause bob's guest"
chaos unpause b1 || rig_fail "root cannot unpause bob's guest"

# --- finding 3: root-only files are not read for a member ----------------
secret="TOPSECRET-$$-ownership"
echo "$secret" > /etc/rig-secret
chmod 0600 /etc/rig-secret
alice cat /etc/rig-secret > /dev/null 2>&1 && rig_fail "alice can read the secret herself"
mkdir adir && chown 2001:2001 adir
alice ln -s /etc/rig-secret adir/link || rig_fail "alice cannot make a symlink"
cp /etc/rig-secret public && chmod 0644 public
leak() {
	echo "{\"op\":\"create\",\"config\":{\"name\":\"leak\",\"kernel\":\"$1\",\"ramdisk\":\"$2\",\"memory\":4}$3}"
}
for try in "/rig/guests/noop.elf|/etc/rig-secret|" \
	   "/rig/guests/noop.elf|$PWD/adir/link|" \
	   "/etc/rig-secret|$PWD/public|" \
	   "/rig/guests/noop.elf|$PWD/public|,\"config_path\":\"/etc/rig-secret\""; do
	k=${try%%|*} rest=${try#*|}
	r=${rest%%|*} extra=${rest#*|}
	probe_as alice "$(leak "$k" "$r" "$extra")" &&
		{ cat probe.out; rig_fail "alice created a guest from $k, $r$extra"; }
	cat probe.out
	grep -q 'Permission denied' probe.out ||
		rig_fail "refusal does not say Permission denied: $(cat probe.out)"
	grep -q "$secret" probe.out && rig_fail "the secret reached alice"
	id_of leak | grep -q . && rig_fail "a guest named leak exists"
done
# The same request with a file alice may read works: the refusal was the
# file's mode, nothing else.
probe_as alice "$(leak /rig/guests/noop.elf "$PWD/public" "")" ||
	{ cat probe.out; rig_fail "alice's create with a readable ramdisk failed"; }
alice chaos destroy leak > m.out 2>&1 || { cat m.out; rig_fail "alice cannot destroy leak"; }
# A restart reads the config again, with the owner's rights too: a config
# the member rewrites after its create to name the secret gets nothing.
noop_json ar > adir/ar.json && chown 2001:2001 adir/ar.json
alice chaos create adir/ar.json > m.out 2>&1 || { cat m.out; rig_fail "alice's ar failed"; }
alice chaos console ar --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "ar did not print ready"
echo "{ \"name\": \"ar\", \"kernel\": \"/rig/guests/noop.elf\", \"ramdisk\": \"/etc/rig-secret\", \"memory\": 4 }" > ar2.json
alice cp ar2.json adir/ar.json || rig_fail "alice cannot rewrite her config"
alice chaos reboot ar --timeout 10 > reboot.out 2>&1
cat reboot.out
wait_until 20 sh -c "! chaos list | grep -q '^ar '" ||
	rig_fail "ar was restarted from a config naming the secret"
cat reboot.out chaosd.log | grep -q 'ramdisk /etc/rig-secret: Permission denied' ||
	rig_fail "the restart was not refused for the ramdisk's mode"
grep -rq "$secret" chaosd.log /var/log/chaos reboot.out 2>/dev/null &&
	rig_fail "the secret is in a log"
rm -f public

# --- finding 9: quotas ----------------------------------------------------
noop_json a2 > a2.json && noop_json a3 > a3.json && noop_json big 12 > big.json
chmod 0644 a2.json a3.json big.json
alice chaos create a2.json > m.out 2>&1 || { cat m.out; rig_fail "alice's second guest refused"; }
refused alice "quota guests: uid 2001 may have at most 2 guests (has 2)" chaos create a3.json
alice chaos destroy a2 > /dev/null 2>&1 || rig_fail "alice cannot destroy a2"
refused alice "quota memory: uid 2001 may hold at most 12 MiB (has 4 MiB in guests and 0 MiB in pool shells; this guest needs 12 MiB)" \
	chaos create big.json
refused alice "was set by uid 0; only it or root may change it" \
	chaos pool set memory=4,vcpus=1,size=3
refused alice "quota pool: uid 2001 may keep at most 2 pool shells (asked for 3" \
	chaos pool set memory=4,vcpus=2,size=3
refused alice "quota memory: uid 2001 may hold at most 12 MiB" \
	chaos pool set memory=12,vcpus=1,size=1
alice chaos pool set memory=4,vcpus=2,size=1 > m.out 2>&1 ||
	{ cat m.out; rig_fail "alice's pool-set within her quota failed"; }
refused bob "was set by uid 2001" chaos pool set memory=4,vcpus=2,size=0
alice chaos pool set memory=4,vcpus=2,size=0 > m.out 2>&1 ||
	{ cat m.out; rig_fail "alice cannot empty her flavour"; }
# Root is exempt: a third and fourth guest.
noop_json r2 > r2.json && noop_json r3 > r3.json
chaos create r2.json > /dev/null && chaos create r3.json > /dev/null ||
	rig_fail "root was held to the members' quota"

# --- finding 9: root is never locked out ----------------------------------
# rig-as itself in the background (not the alice function, a subshell
# that a kill would leave its probe behind): the kill ends the holder.
rig-as 2001 2001,2000 /rig/guests/chaosd-probe hold 64 60 > hold.out 2>&1 &
holder=$!
wait_until 20 grep -q 'holding 64' hold.out || rig_fail "the holder did not connect"
sleep 1
rc=0
bob /rig/guests/chaosd-probe call '{"op":"ping"}' > busy.out 2>&1 || rc=$?
cat busy.out
[ $rc != 0 ] && grep -q 'busy: too many clients' busy.out ||
	rig_fail "a 65th member connection was served"
probe_as root '{"op":"list"}' || { cat probe.out; rig_fail "root locked out: list"; }
chaos pool > /dev/null || rig_fail "root locked out: chaos pool"
chaos pause rootg && chaos unpause rootg || rig_fail "root locked out: pause"
chaos list | grep -q '^rootg ' || rig_fail "root's chaos list lost rootg"
kill "$holder"
wait "$holder" 2>/dev/null
wait_until 10 probe_as alice '{"op":"ping"}' ||
	{ cat probe.out; rig_fail "the holder's slots were not given back"; }
# Console streams leave the connection slots (the console thread serves
# them), so they have slots of their own, and root's among them.
rig-as 2001 2001,2000 /rig/guests/chaosd-probe streams 64 a1 60 > streams.out 2>&1 &
streamer=$!
wait_until 30 grep -q 'streaming 64' streams.out ||
	{ cat streams.out; rig_fail "the member could not hold 64 console streams"; }
refused bob "busy: too many console streams" chaos console b1 --no-input --timeout 5
chaos console rootg --no-input --until ready --timeout 20 > rootcon.out 2>&1 ||
	{ cat rootcon.out; rig_fail "root locked out of consoles by 64 member streams: $(cat rootcon.out)"; }
kill "$streamer"
wait "$streamer" 2>/dev/null

for g in a1 b1 rootg r2 r3; do chaos destroy $g || rig_fail "destroy $g"; done
chaosd_stop
rm -f /etc/rig-secret
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "members see and touch only their own guests (finding 9), root-only ramdisk, kernel and config path refused with nothing leaked (finding 3), root served past 64 idle member connections and 64 member console streams, guest/memory/pool quotas refused with numbers, root exempt"
