#!/usr/bin/env python3
"""A real local HTTP server standing in for a FHIR endpoint in delivery tests.

Usage: flaky_fhir_server.py FAILURES STATUS LOG PORTFILE [PORT]
  Answers the first FAILURES POSTs with STATUS (e.g. 503 or 400), later ones with 200 and a transaction-response
  Bundle. Appends one JSON line per request to LOG (method, path, status, authorization, content type, body size,
  resourceType and entry count of the body). Listens on PORT (default: any free port), writes the port to PORTFILE
  atomically once listening, then serves until killed. No pipes: the test reads files, so nothing it waits on can
  be held open by this long-lived process.
"""
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

# Close descriptors inherited from the test process (pipes of other tests' commands running in parallel): a
# long-lived server holding them open would keep those commands' output from ever reaching end of file.
os.closerange(3, 65536)
# The test process may block SIGTERM in the thread that spawned us, and a blocked mask is inherited.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

failures = int(sys.argv[1])
failure_status = int(sys.argv[2])
log_path = sys.argv[3]
port_path = sys.argv[4]
port = int(sys.argv[5]) if len(sys.argv) > 5 else 0
seen = {"count": 0}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        seen["count"] += 1
        status = failure_status if seen["count"] <= failures else 200
        try:
            parsed = json.loads(body)
            resource_type = parsed.get("resourceType")
            entries = len(parsed.get("entry", []))
        except ValueError:
            resource_type, entries = None, 0
        with open(log_path, "a") as log:
            log.write(json.dumps({
                "method": "POST", "path": self.path, "status": status,
                "authorization": self.headers.get("Authorization"),
                "contentType": self.headers.get("Content-Type"), "size": len(body), "resourceType": resource_type, "entries": entries,
            }) + "\n")
        if status == 200:
            answer = {"resourceType": "Bundle", "type": "transaction-response", "entry": []}
        else:
            answer = {"resourceType": "OperationOutcome",
                      "issue": [{"severity": "error", "code": "transient" if status >= 500 else "invalid",
                                 "diagnostics": "simulated failure %d" % seen["count"]}]}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


HTTPServer.allow_reuse_address = True
server = HTTPServer(("127.0.0.1", port), Handler)
with open(port_path + ".tmp", "w") as handle:
    handle.write(str(server.server_address[1]))
os.rename(port_path + ".tmp", port_path)
server.serve_forever()
