#!/bin/bash
# chaos-tls on 127.0.0.1, no Xen: strangers connecting first (garbage, a
# silent connection, a wrong key) do not stop the listener; the right key
# then carries 1 MiB each way intact; the bytes on the wire, recorded by a
# relay in between, never show the plaintext; the timeouts and the refused
# connect end with their own statuses; --help and bad options answer as
# a getopt_long program does.
#
#   chaos-tls/tests/integration.sh build/bin/chaos-tls
set -u

TLS=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$TLS" ] || { echo "usage: $0 path/to/chaos-tls" >&2; exit 2; }
dir=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"
failed=0
pass() { echo "chaos-tls-integration: PASS $*"; }
fail() { echo "chaos-tls-integration: FAIL $*"; failed=$((failed + 1)); }

# Two free ports of our own picking.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
LP=$(free_port)
RP=$(free_port)
while [ "$RP" = "$LP" ]; do RP=$(free_port); done

head -c 32 /dev/urandom > key
head -c 32 /dev/urandom > other
chmod 600 key other

# The plaintext: a marker between blocks of random bytes, each way.
MARK=CHAOS-TLS-PLAINTEXT-MARKER
mkdata() {
	for _ in $(seq 1 64); do
		printf '%s-%s\n' "$MARK" "$1"
		head -c 16384 /dev/urandom
	done
}
mkdata up > up.bin
mkdata down > down.bin

# A relay that records every byte it carries, both ways.
cat > relay.py <<'EOF'
import socket, sys, threading
lport, dport, rec = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = open(rec, "ab", buffering=0)
lock = threading.Lock()
def pump(a, b):
    while True:
        d = a.recv(65536)
        if not d:
            try: b.shutdown(socket.SHUT_WR)
            except OSError: pass
            return
        with lock: out.write(d)
        b.sendall(d)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", lport)); srv.listen(4)
print("ready", flush=True)
while True:
    c, _ = srv.accept()
    d = socket.create_connection(("127.0.0.1", dport))
    for a, b in ((c, d), (d, c)):
        threading.Thread(target=pump, args=(a, b), daemon=True).start()
EOF

timeout 60 "$TLS" listen "$LP" --psk-file key --timeout 50 < down.bin > got-up.bin 2> listen.err &
lpid=$!
pids+=($lpid)
for _ in $(seq 1 50); do grep -q "listening on port $LP" listen.err && break; sleep 0.1; done
grep -q "listening on port $LP" listen.err || fail "the listener did not start: $(cat listen.err)"
timeout 60 python3 relay.py "$RP" "$LP" wire.bin > relay.out 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do grep -q ready relay.out && break; sleep 0.1; done

# Strangers first: garbage, then one that stays silent (held open while
# the right sender comes), then a wrong key.
python3 - "$LP" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET / HTTP/1.0\r\n\r\n" + b"garbage" * 100)
s.settimeout(5)
try: s.recv(100)
except OSError: pass
EOF
python3 -c 'import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); time.sleep(8)' "$LP" > /dev/null 2>&1 &
pids+=($!)
rc=0
timeout 20 "$TLS" connect 127.0.0.1 "$LP" --psk-file other < up.bin > wrong.out 2> wrong.err || rc=$?
if [ $rc -eq 4 ] && [ ! -s wrong.out ] && grep -q 'wrong pre-shared key' wrong.err; then
	pass "a wrong key: handshake refused (status 4): $(cat wrong.err)"
else
	fail "a wrong key: status $rc, $(wc -c < wrong.out) bytes out, $(cat wrong.err)"
fi
if kill -0 $lpid 2>/dev/null; then
	pass "the listener still waits after a stranger, garbage and a wrong key"
else
	fail "the listener gave up: $(cat listen.err)"
fi

# The right key, through the recording relay.
rc=0
timeout 40 "$TLS" connect 127.0.0.1 "$RP" --psk-file key < up.bin > got-down.bin 2> right.err || rc=$?
[ $rc -eq 0 ] || fail "the right key: status $rc: $(cat right.err)"
lrc=0
wait $lpid || lrc=$?
[ $lrc -eq 0 ] || fail "the listener: status $lrc: $(cat listen.err)"
cat listen.err
if cmp -s up.bin got-up.bin && cmp -s down.bin got-down.bin; then
	pass "1 MiB each way intact ($(sha256sum < up.bin | cut -c1-16), $(sha256sum < down.bin | cut -c1-16))"
else
	fail "the bytes changed on the way: $(wc -c < got-up.bin) and $(wc -c < got-down.bin) bytes"
fi
[ "$(grep -c 'still waiting' listen.err)" -ge 2 ] ||
	fail "the listener did not log the strangers: $(cat listen.err)"
grep -q 'TLS1.3.*PSK key exchange' listen.err ||
	fail "not TLS 1.3 with an (EC)DHE-PSK key exchange: $(cat listen.err)"

wire=$(wc -c < wire.bin)
marks=$(grep -c -a -F "$MARK" wire.bin)
plain=$(grep -c -a -F "$MARK" up.bin)
if [ "$wire" -gt 2000000 ] && [ "$marks" -eq 0 ] && [ "$plain" -eq 64 ]; then
	pass "$wire bytes on the wire, the plaintext marker $marks times (64 in each input)"
else
	fail "on the wire: $wire bytes, the marker $marks times"
fi

# Nobody with the key: the listener's timeout, its own status.
rc=0
timeout 20 "$TLS" listen "$LP" --psk-file key --timeout 2 < /dev/null > /dev/null 2> t.err || rc=$?
if [ $rc -eq 5 ] && grep -q 'within 2 s' t.err; then
	pass "no sender: status 5 after 2 s"
else
	fail "no sender: status $rc: $(cat t.err)"
fi
# Nobody listening: refused, its own status.
rc=0
timeout 20 "$TLS" connect --psk-file=key -- 127.0.0.1 "$LP" < /dev/null > /dev/null 2> c.err || rc=$?
if [ $rc -eq 3 ] && grep -q 'refused' c.err; then
	pass "nobody listening: status 3 ($(cat c.err))"
else
	fail "nobody listening: status $rc: $(cat c.err)"
fi
# The key file's rules are chaos's: a key others can read is refused.
chmod 644 other
rc=0
timeout 20 "$TLS" connect 127.0.0.1 "$LP" --psk-file other < /dev/null 2> k.err || rc=$?
if [ $rc -eq 1 ] && grep -q 'readable by its owner only' k.err; then
	pass "a key file others can read: refused"
else
	fail "a loose key file: status $rc: $(cat k.err)"
fi

# Its command line (getopt_long): help on stdout with status 0, usage
# errors with status 2 and the bad option named.
for h in --help "connect --help" "listen -h"; do
	rc=0
	# shellcheck disable=SC2086
	"$TLS" $h > h.out 2> h.err || rc=$?
	if [ $rc -eq 0 ] && grep -q '^usage: chaos-tls connect' h.out && [ ! -s h.err ]; then
		pass "'$h': usage on stdout, status 0"
	else
		fail "'$h': status $rc: $(cat h.out h.err)"
	fi
done
rc=0
"$TLS" connect --bogus 127.0.0.1 1 --psk-file key > /dev/null 2> u.err || rc=$?
if [ $rc -eq 2 ] && grep -q -- '--bogus' u.err; then
	pass "an unknown option: status 2, named"
else
	fail "an unknown option: status $rc: $(cat u.err)"
fi

echo "chaos-tls-integration: $failed failed"
[ $failed -eq 0 ]
