#!/usr/bin/env python3
# Seeds for fuzz_migrate_wire (fuzz/targets/fuzz_migrate_wire.c explains the
# layout): a good session each way, raw and through the threaded peer.
import os, struct, sys

out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else 'fuzz/corpus',
                   'migrate_wire')
os.makedirs(out, exist_ok=True)

HELLO, AUTH, IMAGE, IMAGE_MAC, STATUS, GO, RUNNING, DONE, PART = range(1, 10)

def msg(t, payload=b''):
    return struct.pack('<IIQ', t, 0, len(payload)) + payload

def rec(t, payload=b''):
    return struct.pack('<BH', t, len(payload)) + payload

hello = struct.pack('<II', 1, 0) + bytes(range(1, 33))
# A live stream's start: header (version 11), MEMORY (256 pages, 1 vCPU)
# and CPU (one leaf, no MSR, the TSC as Xen makes it), then one BATCH of
# one page (pfn 0) and its page.
cpu = (struct.pack('<IIIIIIQ', 1, 0, 0, 0, 0, 0, 0) +
       struct.pack('<IIIIII', 0, 0xffffffff, 0xd, 0, 0, 0))
cpu += bytes(4096 - len(cpu))
live = (b'CHAOSIMG' + struct.pack('<IIQQ', 11, 32, 0, 0) +
        struct.pack('<IIQ', 7, 0, 16) + struct.pack('<QII', 256, 1, 0) +
        struct.pack('<IIQ', 12, 0, 4096) + cpu +
        struct.pack('<IIQ', 8, 0, 16 + 4096) + struct.pack('<II', 0, 1) +
        struct.pack('<Q', 0) + bytes(4096))
status_ok = struct.pack('<i', 0) + b'restored'

def put(name, data):
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)

# Raw bytes, no key.
put('raw-destination', b'\x00' + msg(HELLO, hello) + msg(PART, live[:16 + 48]) +
    msg(PART, live[64:]) + msg(GO) + msg(DONE))
put('raw-destination-status', b'\x00' + msg(HELLO, hello) +
    msg(STATUS, struct.pack('<i', -5) + b'no room here'))
put('raw-source', b'\x04' + msg(HELLO, hello) + msg(STATUS, status_ok) +
    msg(RUNNING))
put('raw-key-destination', b'\x01' + msg(HELLO, struct.pack('<II', 1, 1) +
    bytes(range(1, 33))) + msg(AUTH, bytes(32)))
# Threaded peer with the key: messages sealed by the peer itself.
put('peer-key-destination', b'\x03' + rec(PART, live[:64]) +
    rec(0x80, struct.pack('<IIQ', PART, 0, len(live) - 64) + live[64:]) +
    rec(IMAGE_MAC, bytes(32)) + rec(GO) + rec(DONE))
put('peer-key-source', b'\x07' + rec(STATUS, status_ok) + rec(RUNNING))
v6 = b'CHAOSIMG' + struct.pack('<IIQQ', 6, 32, 1048720, 0)
put('peer-destination-v6', b'\x02' + rec(0x80, struct.pack('<IIQ', IMAGE, 0,
    1048720) + v6) + rec(GO) + rec(DONE))
