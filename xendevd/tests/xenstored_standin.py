#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A stand-in for xenstored on a machine without Xen.

The benchmark runs Debian's vif-bridge hotplug script unchanged, and that
script calls Debian's real xenstore-read / xenstore-write. Those talk to
xenstored over its Unix socket (XENSTORED_PATH). A real xenstored needs a
hypervisor, so this serves the same wire protocol (xen/io/xs_wire.h) over a
socket from an in-memory tree: enough for read, write, mkdir, rm, directory
and transactions (which it applies at once). Relative paths are taken
relative to /local/domain/0, as xenstored does for dom0.

    xenstored_standin.py SOCKET_PATH
"""
import os
import socketserver
import struct
import sys
import threading

XS_DIRECTORY, XS_READ, XS_GET_PERMS = 1, 2, 3
XS_TRANSACTION_START, XS_TRANSACTION_END = 6, 7
XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM = 10, 11, 12, 13
XS_ERROR = 16
HDR = struct.Struct("<IIII")
MAX_PAYLOAD = 4096

store = {"/": b""}
lock = threading.Lock()


def absolute(path):
    path = path.rstrip("/") or "/"
    return path if path.startswith("/") else "/local/domain/0/" + path


def parents(path):
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]


def handle(mtype, payload):
    """Return (type, reply payload) for one request."""
    args = payload.split(b"\0")
    path = absolute(args[0].decode("ascii", "replace")) if args else "/"
    with lock:
        if mtype == XS_READ:
            if path not in store:
                return XS_ERROR, b"ENOENT\0"
            return XS_READ, store[path]
        if mtype in (XS_WRITE, XS_MKDIR):
            value = payload[len(args[0]) + 1:] if mtype == XS_WRITE else b""
            for p in parents(path):
                store.setdefault(p, b"")
            if mtype == XS_WRITE or path not in store:
                store[path] = value
            return mtype, b"OK\0"
        if mtype == XS_RM:
            for p in [p for p in store if p == path or
                      p.startswith(path + "/")]:
                del store[p]
            return XS_RM, b"OK\0"
        if mtype == XS_DIRECTORY:
            if path not in store:
                return XS_ERROR, b"ENOENT\0"
            prefix = "" if path == "/" else path
            kids = sorted({p[len(prefix) + 1:].split("/")[0] for p in store
                           if p.startswith(prefix + "/") and p != path})
            return XS_DIRECTORY, b"".join(k.encode() + b"\0" for k in kids)
        if mtype == XS_GET_PERMS:
            if path not in store:
                return XS_ERROR, b"ENOENT\0"
            return XS_GET_PERMS, b"n0\0"
        if mtype == XS_TRANSACTION_START:
            return mtype, b"1\0"
        if mtype == XS_TRANSACTION_END:
            return mtype, b"OK\0"
        if mtype == XS_GET_DOMAIN_PATH:
            return mtype, b"/local/domain/" + args[0] + b"\0"
    return XS_ERROR, b"ENOSYS\0"


class Handler(socketserver.BaseRequestHandler):
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.request.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def handle(self):
        while True:
            hdr = self.recv_exact(HDR.size)
            if hdr is None:
                return
            mtype, req_id, tx_id, length = HDR.unpack(hdr)
            if length > MAX_PAYLOAD:
                return
            payload = self.recv_exact(length) if length else b""
            if payload is None:
                return
            rtype, reply = handle(mtype, payload)
            self.request.sendall(HDR.pack(rtype, req_id, tx_id, len(reply))
                                 + reply)


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    with Server(path, Handler) as srv:
        srv.serve_forever()


if __name__ == "__main__":
    main()
