#!/usr/bin/env python3
# Seeds for fuzz_noxs_checks (its header comment explains the layout): a
# power device through two requests to Closed, a vif connecting.
import os, socket, struct, sys

out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else 'fuzz/corpus',
                   'noxs_checks')
os.makedirs(out, exist_ok=True)
UNKNOWN, INITIALISING, INITWAIT, INITIALISED, CONNECTED, CLOSING, CLOSED = range(7)

def step(op, fields):
    return bytes([op]) + fields.ljust(64, b'\0')

def power(fe, ack, reply):
    return struct.pack('<IIi', fe, ack, reply)

def ip(a):
    return socket.inet_aton(a)

def put(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)

put('power-two-requests', b'\x00' +
    step(0, power(INITIALISING, 0, 0)) + step(0, power(CONNECTED, 0, 0)) +
    step(1 | (1 << 2), power(CONNECTED, 0, 0)) +      # poweroff asked
    step(0, power(CONNECTED, 1, 0)) +                 # done
    step(1 | (3 << 2), power(CONNECTED, 1, 0)) +      # suspend asked
    step(0, power(CONNECTED, 2, -22)) +               # refused
    step(0, power(CLOSING, 2, -22)) + step(0, power(CLOSED, 2, -22)))
put('power-bad-ack', b'\x00' + step(0, power(CONNECTED, 5, 0)))
params = (b'\x00\x16\x3e\x01\x02\x03' + b'\0\0' + ip('10.0.0.2') +
          ip('255.255.255.0') + ip('10.0.0.1') + b'br0'.ljust(16, b'\0'))
params = params.ljust(64, b'\0')
net = lambda fe, feat, tx, rx, etx, erx: struct.pack('<IIIIII', fe, feat, tx, rx, etx, erx)
put('vif-connect', b'\x01' + params +
    step(0, net(INITIALISING, 0, 0, 0, 0, 0)) +
    step(0, net(INITIALISED, 1, 8, 9, 5, 5)) +
    step(0, net(CONNECTED, 1, 8, 9, 5, 5)) +
    step(0, net(CONNECTED, 1, 8, 10, 5, 5)) +         # ring moved: closed
    step(0, net(CLOSED, 1, 8, 10, 5, 5)))
put('vif-split-evtchn', b'\x01' + params + step(0, net(INITIALISED, 1, 8, 9, 5, 6)))
put('netfront', b'\x00' + step(3, struct.pack('<III', 70, 10, 74) +
    struct.pack('<HHhH', 3, 0, 60, 0) + struct.pack('<Hh', 3, 0) + b'\0' * 4 +
    b'\xff' * 8))
