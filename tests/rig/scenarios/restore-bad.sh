# restore-bad: damaged, foreign and hostile saved images are refused with a
# message naming what is wrong. The restore streams the image into the new
# domain, so what is caught while it is being built (a damaged page: the
# checksum at the end; a page table pointing outside memory, Xen's L4
# slots filled, a bad start info, a page table the hypervisor refuses) is
# rolled back: no domain, device, grant, port, record, name or memory is
# left. The good image still restores afterwards.
# rig-timeout: 400

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
B=mkbadsave

no_leaks() { # no_leaks WHEN
	$N stats > stats.txt || rig_fail "noxsctl stats failed"
	grep -q '^devices 0 grants 0 ports 0 ' stats.txt ||
		rig_fail "$1: devices left: $(cat stats.txt)"
	[ "$(rig-domains count)" = 0 ] || rig_fail "$1: a domain was left"
	[ "$(rig-domains free-kib)" = "$free0" ] ||
		rig_fail "$1: free memory $(rig-domains free-kib) KiB, was $free0 KiB"
	[ -z "$(ls /run/chaos/domains 2>/dev/null)" ] ||
		rig_fail "$1: records left: $(ls /run/chaos/domains)"
	chaos list | grep -q '^hl ' && rig_fail "$1: the name hl is taken"
	return 0
}

printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json || rig_fail "chaos create failed"
chaos console hl --no-input --until 'hello 2' --timeout 30 > c1.txt ||
	rig_fail "hello-loop did not start: $(cat c1.txt)"
chaos save hl good.img || rig_fail "chaos save failed"
free0=$(rig-domains free-kib)
no_leaks "after the save"

refused() { # refused FILE TEXT
	rc=0
	chaos restore "$1" > out.txt 2>&1 || rc=$?
	cat out.txt
	[ $rc -ne 0 ] || rig_fail "$1 was restored"
	grep -qF "$2" out.txt || rig_fail "$1: expected \"$2\", got: $(cat out.txt)"
	no_leaks "after $1"
}
bad() { # bad MUTATION TEXT
	$B "$1" good.img "$1.img" || rig_fail "mkbadsave $1 failed"
	refused "$1.img" "$2"
}

# Damage and foreign files: refused before anything is created.
bad truncate "truncated or padded"
bad magic "bad magic (not a chaos saved guest)"
bad version "version 6, this chaos reads version 10"
refused /rig/guests/noop.elf "bad magic (not a chaos saved guest)"
: > empty.img
refused empty.img "too short for a saved guest"
mkdir dir.img
refused dir.img "not a regular file"
# Checksum recomputed: the field checks themselves.
bad vcpus0 "DOMAIN nr_vcpus 0 is not from 1 to 128"
# A guest bigger than the host's free memory: refused from DOMAIN alone,
# before its head is allocated (a migration peer announces any size).
bad huge "DOMAIN nr_pages 4194304 (16384 MiB): more than this host's free memory"
bad cr3 "is not a pinned L4 table"
bad name "CONFIG name is not a valid guest name"
# A CPU feature this host does not have (AVX-512F: no emulated CPU here
# has it): refused before any domain exists, naming the register.
bad cpu-feature "CPU features this host does not give a PV guest: CPUID leaf 0x7 subleaf 0 ebx bits 0x10000"
# Caught while building the new domain: rolled back. A flipped bit in the
# pages shows when the END record's checksum is read, after the pages
# went straight into the new domain, and before any of them is believed.
bad flip "checksum mismatch: the image is damaged"
bad pte-range "is outside the guest's 1024 pages"
bad xen-slot "Xen's slot is not empty"
bad start-info "start info console.domU.mfn (pfn 0x7fffffff) is outside the guest's memory"
bad pt-writable "the hypervisor refused the image's page tables"

# The good image is still good: restored, counting, then shut down.
chaos restore good.img || rig_fail "the good image was refused"
chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
	--timeout 20 > c2.txt || rig_fail "restored guest did not resume: $(cat c2.txt)"
chaos shutdown hl --timeout 10 || rig_fail "shutdown failed"
no_leaks "at the end"
rig_pass "16 bad images refused with clear messages (one for a CPU feature this host lacks), 5 of them rolled back mid-build, nothing leaked"
