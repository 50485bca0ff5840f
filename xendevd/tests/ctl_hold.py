#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hold connections to xendevd's control socket (the slot-limit tests).

    ctl_hold.py SOCKET N EXPECT [--silent]

Opens N connections, each sending a wait for a vif that never comes (or
nothing, with --silent), and waits until EXPECT of them are answered (at
most 5 s, then 0.2 s more for stragglers). Prints one line:

    held <h> answered <a> last <ms> first '<answer>'

(<ms>: from the first connect to the last answer), then keeps the held
connections open until it is killed.
"""
import select
import signal
import socket
import sys
import time


def main():
    path, n, expect = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    silent = "--silent" in sys.argv[4:]
    t0 = time.monotonic()
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        if not silent:
            try:
                s.sendall(b"wait vif31999.0 600000\n")
            except OSError:
                pass    # answered and closed before we sent
        socks.append(s)
    answers = {}
    last = t0
    deadline = t0 + 5
    while True:
        now = time.monotonic()
        if len(answers) >= expect and deadline > now + 0.2:
            deadline = now + 0.2
        open_ = [s for s in socks if s not in answers]
        if now >= deadline or not open_:
            break
        ready, _, _ = select.select(open_, [], [], deadline - now)
        for s in ready:
            try:
                data = s.recv(256)
            except OSError:
                data = b""
            answers[s] = data.decode(errors="replace").strip()
            last = time.monotonic()
    first = next(iter(answers.values()), "")
    print("held %d answered %d last %d first '%s'" %
          (n - len(answers), len(answers), (last - t0) * 1000, first),
          flush=True)
    signal.pause()


if __name__ == "__main__":
    main()
