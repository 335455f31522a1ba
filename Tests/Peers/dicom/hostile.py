#!/usr/bin/env python3
"""A hostile DICOM peer: raw sockets, no DICOM library, so nothing smooths the bytes over.

usage: hostile.py HOST PORT CALLED_AE --seconds S [--seed N] [--slow K]

For S seconds it opens connection after connection and sends, chosen at random (seeded, so a run can be repeated):
  garbage       random bytes of random length
  truncated     a valid A-ASSOCIATE-RQ cut short, then silence
  lying-length  an A-ASSOCIATE-RQ header claiming ~4 GiB that never come
  bitflip       a valid A-ASSOCIATE-RQ with a few random bytes changed
  oversized     an accepted association, then a P-DATA-TF announcing 2 GiB and sending a few MiB of it
  bad-pdv       an accepted association, then P-DATA whose PDV lengths disagree with the PDU's
  bad-command   an accepted association, then a command set of random bytes
  storm         20 connections at once, each sending an A-ASSOCIATE-RQ and holding
and keeps K slow-loris connections (one byte of an A-ASSOCIATE-RQ every 0.5 s) open throughout.

Between attacks it checks that the server still answers: a well-formed association with a C-ECHO must either
succeed or be rejected *transiently* (the association limit holding) within 5 s; anything else — a hang, a reset
before any answer — counts as a wedge. Prints one JSON line: attacks by kind, checks, answered, wedged (the indexes
of failed checks), and the last check's outcome (which must be a successful echo once the attacks stop).
"""
import json
import os
import random
import socket
import struct
import sys
import threading
import time

APPLICATION_CONTEXT = b"1.2.840.10008.3.1.1.1"
VERIFICATION = b"1.2.840.10008.1.1"
IMPLICIT_LE = b"1.2.840.10008.1.2"


def item(kind, payload):
    return struct.pack(">BBH", kind, 0, len(payload)) + payload


def associate_rq(called, calling=b"HOSTILE", context=VERIFICATION):
    presentation = item(0x20, bytes([1, 0, 0, 0]) + item(0x30, context) + item(0x40, IMPLICIT_LE))
    user = item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4") )
    body = (struct.pack(">HH", 1, 0) + called.ljust(16) + calling.ljust(16) + bytes(32)
            + item(0x10, APPLICATION_CONTEXT) + presentation + user)
    return struct.pack(">BBI", 0x01, 0, len(body)) + body


def p_data(pcid, header, data):
    pdv = struct.pack(">IBB", len(data) + 2, pcid, header) + data
    return struct.pack(">BBI", 0x04, 0, len(pdv)) + pdv


def element(group, elem, value):
    return struct.pack("<HHI", group, elem, len(value)) + value


def echo_command():
    body = (element(0x0000, 0x0002, VERIFICATION + b"\0") + element(0x0000, 0x0100, struct.pack("<H", 0x0030))
            + element(0x0000, 0x0110, struct.pack("<H", 1)) + element(0x0000, 0x0800, struct.pack("<H", 0x0101)))
    return element(0x0000, 0x0000, struct.pack("<I", len(body))) + body


def read_pdu(sock):
    header = b""
    while len(header) < 6:
        chunk = sock.recv(6 - len(header))
        if not chunk:
            return None, b""
        header += chunk
    kind, _, length = struct.unpack(">BBI", header)
    body = b""
    while len(body) < min(length, 1 << 20):
        chunk = sock.recv(min(length, 1 << 20) - len(body))
        if not chunk:
            break
        body += chunk
    return kind, body


def connect(host, port, timeout=5):
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def accepted(host, port, called):
    """A socket on an accepted Verification association, or None."""
    sock = connect(host, port)
    sock.sendall(associate_rq(called))
    kind, _ = read_pdu(sock)
    if kind != 0x02:
        sock.close()
        return None
    return sock


def check(host, port, called):
    """'echo' (C-ECHO answered Success), 'busy' (rejected transiently: the limit holds) or what went wrong."""
    try:
        sock = connect(host, port)
        sock.sendall(associate_rq(called, calling=b"PYNET"))
        kind, body = read_pdu(sock)
        if kind == 0x03:
            result, source, reason = body[1], body[2], body[3]
            sock.close()
            return "busy" if result == 2 else "rejected %d/%d/%d" % (result, source, reason)
        if kind != 0x02:
            return "no association answer (PDU %r)" % kind
        sock.sendall(p_data(1, 0x03, echo_command()))
        kind, body = read_pdu(sock)
        sock.sendall(struct.pack(">BBI", 0x05, 0, 4) + bytes(4))
        read_pdu(sock)
        sock.close()
        return "echo" if kind == 0x04 else "no echo answer (PDU %r)" % kind
    except (OSError, socket.timeout) as error:
        return "error: %s" % error


def attack(kind, host, port, called, rng):
    try:
        if kind == "garbage":
            sock = connect(host, port)
            sock.sendall(rng.randbytes(rng.randint(1, 65536)))
        elif kind == "truncated":
            rq = associate_rq(called)
            sock = connect(host, port)
            sock.sendall(rq[: rng.randint(1, len(rq) - 1)])
            time.sleep(0.3)
        elif kind == "lying-length":
            sock = connect(host, port)
            sock.sendall(struct.pack(">BBI", 0x01, 0, 0xFFFFFFF0) + rng.randbytes(200))
            time.sleep(0.3)
        elif kind == "bitflip":
            rq = bytearray(associate_rq(called))
            for _ in range(rng.randint(1, 8)):
                rq[rng.randrange(len(rq))] = rng.randrange(256)
            sock = connect(host, port)
            sock.sendall(bytes(rq))
            read_pdu(sock)
        elif kind == "oversized":
            sock = accepted(host, port, called)
            if sock is None:
                return
            sock.sendall(struct.pack(">BBI", 0x04, 0, 0x7FFFFFFF) + struct.pack(">IBB", 0x7FFFFFF0, 1, 0))
            block = rng.randbytes(1 << 16)
            for _ in range(64):
                sock.sendall(block)
        elif kind == "bad-pdv":
            sock = accepted(host, port, called)
            if sock is None:
                return
            data = rng.randbytes(rng.randint(0, 512))
            pdv = struct.pack(">IBB", rng.choice([0, 1, 0xFFFFFFFF, len(data) + 1000]), rng.choice([1, 3, 255]),
                              rng.randrange(256)) + data
            sock.sendall(struct.pack(">BBI", 0x04, 0, len(pdv)) + pdv)
            read_pdu(sock)
        elif kind == "bad-command":
            sock = accepted(host, port, called)
            if sock is None:
                return
            command = bytearray(echo_command()) if rng.random() < 0.5 else bytearray(rng.randbytes(64))
            for _ in range(rng.randint(1, 6)):
                command[rng.randrange(len(command))] = rng.randrange(256)
            sock.sendall(p_data(1, 0x03, bytes(command)))
            read_pdu(sock)
        elif kind == "storm":
            socks = []
            for _ in range(20):
                try:
                    s = connect(host, port, timeout=2)
                    s.sendall(associate_rq(called))
                    socks.append(s)
                except OSError:
                    pass
            time.sleep(0.5)
            for s in socks:
                s.close()
            return
        sock.close()
    except (OSError, socket.timeout):
        pass  # the server cutting us off is the expected answer to most of these


def slow_loris(host, port, called, stop):
    while not stop.is_set():
        try:
            sock = connect(host, port, timeout=30)
            for byte in associate_rq(called):
                if stop.is_set():
                    break
                sock.sendall(bytes([byte]))
                time.sleep(0.5)
            sock.close()
        except OSError:
            time.sleep(0.2)


def main():
    host, port, called = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    args = sys.argv[4:]
    option = lambda name, default: args[args.index(name) + 1] if name in args else default
    seconds, seed, slow = float(option("--seconds", "20")), int(option("--seed", "1")), int(option("--slow", "2"))
    rng = random.Random(seed)
    stop = threading.Event()
    lorises = [threading.Thread(target=slow_loris, args=(host, port, called, stop), daemon=True) for _ in range(slow)]
    for t in lorises:
        t.start()
    kinds = ["garbage", "truncated", "lying-length", "bitflip", "oversized", "bad-pdv", "bad-command", "storm"]
    counts = {k: 0 for k in kinds}
    checks, answered, wedged = 0, {}, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        attack(kind, host, port, called, rng)
        counts[kind] += 1
        if sum(counts.values()) % 5 == 0:
            outcome = check(host, port, called)
            checks += 1
            answered[outcome] = answered.get(outcome, 0) + 1
            if outcome not in ("echo", "busy"):
                wedged.append({"check": checks, "after": kind, "outcome": outcome})
    stop.set()
    # Once the attacks stop, the server must be back to answering within its association deadline.
    final = "none"
    for _ in range(60):
        final = check(host, port, called)
        if final == "echo":
            break
        time.sleep(0.5)
    print(json.dumps({"attacks": counts, "checks": checks, "answered": answered, "wedged": len(wedged), "first_wedges": wedged[:10],
                      "final": final}), flush=True)


if __name__ == "__main__":
    main()
