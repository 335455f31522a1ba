"""Logs every DICOMweb request dicomweb-client makes and answers with minimal valid bodies."""
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STUDY = {"0020000D": {"vr": "UI", "Value": ["1.2.3"]}, "00100020": {"vr": "LO", "Value": ["P1"]}}

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def note(self, body=b""):
        keep = ("Accept", "Content-Type", "Content-Length", "Transfer-Encoding", "Authorization")
        hdr = {k: v for k, v in self.headers.items() if k in keep}
        print(json.dumps({"method": self.command, "path": self.path, "headers": hdr, "body_bytes": len(body),
                          "body_head": body[:300].decode("latin-1")}), flush=True)
    def send(self, code, ctype, body):
        self.send_response(code); self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def do_GET(self):
        self.note()
        p = self.path.split("?")[0]
        if p.endswith("/metadata") or p.endswith("/studies") or p.endswith("/series") or p.endswith("/instances"):
            self.send(200, "application/dicom+json", json.dumps([STUDY]).encode())
        elif "/frames/" in p:
            b = b"--XYZ\r\nContent-Type: application/octet-stream\r\n\r\n" + bytes(8) + b"\r\n--XYZ--\r\n"
            self.send(200, 'multipart/related; type="application/octet-stream"; boundary=XYZ', b)
        elif p.endswith("/rendered"):
            self.send(200, "image/png", b"\x89PNG\r\n\x1a\n")
        else:
            self.send(404, "text/plain", b"no")
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0) or 0)
        body = self.rfile.read(n) if n else b""
        if not n and self.headers.get("Transfer-Encoding") == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0: self.rfile.readline(); break
                chunks.append(self.rfile.read(size)); self.rfile.readline()
            body = b"".join(chunks)
        self.note(body)
        resp = {"00081190": {"vr": "UR", "Value": ["http://x/studies/1.2.3"]},
                "00081199": {"vr": "SQ", "Value": [{"00081150": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.4"]},
                    "00081155": {"vr": "UI", "Value": ["1.2.3.4"]},
                    "00081190": {"vr": "UR", "Value": ["http://x/studies/1.2.3/series/1/instances/1.2.3.4"]}}]}}
        self.send(200, "application/dicom+json", json.dumps(resp).encode())

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
