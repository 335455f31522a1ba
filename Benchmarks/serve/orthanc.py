#!/usr/bin/env python3
"""Benchmarks/serve/orthanc.py: Orthanc (Debian's 1.10.1) as the named alternative for the serve benchmark.

Starts a private Orthanc on loopback with its storage under Benchmarks/.data (kept between runs, keyed by the
series' fingerprint), uploads a series once through its REST API, and measures GET /instances/{id}/rendered with
wrk at several numbers of keep-alive connections, each connection walking the series' instances in turn.

Used by Benchmarks/serve/run (which measures `annulus serve` on the same files in the same run); runnable alone:
  Benchmarks/serve/orthanc.py SERIES_FOLDER [--connections 1,8,32] [--seconds 10]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = REPO / "Benchmarks" / ".data"


def log(message):
    print("orthanc: " + message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Orthanc:
    """A private Orthanc process: loopback HTTP, no authentication, its own storage; a DICOM port (AE title ORTHANC,
    any caller, Nagle off through DCMTK's TCP_NODELAY=1) only when `dicom` is true."""

    def __init__(self, storage: Path, binary="/usr/sbin/Orthanc", dicom=False):
        if not Path(binary).exists():
            raise RuntimeError("Orthanc is not installed (apt-get install orthanc)")
        self.storage = storage
        self.port = free_port()
        self.dicom_port = free_port() if dicom else None
        self.binary = binary
        self.process = None

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def __enter__(self):
        self.storage.mkdir(parents=True, exist_ok=True)
        config = {
            "Name": "annulus-benchmark",
            "StorageDirectory": str(self.storage / "storage"),
            "IndexDirectory": str(self.storage / "index"),
            "HttpPort": self.port,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "DicomServerEnabled": self.dicom_port is not None,
            "DicomPort": self.dicom_port or 4242,
            "DicomAet": "ORTHANC",
            "DicomCheckCalledAet": True,
            "HttpCompressionEnabled": False,
            "HttpThreadsCount": 50,
            "KeepAlive": True,
            "Plugins": [],
            "StableAge": 1,
        }
        self.config = Path(tempfile.mkdtemp(prefix="orthanc-config-")) / "orthanc.json"
        self.config.write_text(json.dumps(config))
        self.log = open(DATA / "orthanc.log", "wb")
        self.process = subprocess.Popen([self.binary, str(self.config)], stdout=self.log, stderr=subprocess.STDOUT,
                                        env=dict(os.environ, TCP_NODELAY="1"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Orthanc exited at start (see Benchmarks/.data/orthanc.log)")
            try:
                with urllib.request.urlopen(self.url("/system"), timeout=2) as response:
                    self.version = json.load(response).get("Version", "?")
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError("Orthanc did not answer within 60 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.config.parent, ignore_errors=True)

    def get_json(self, path):
        with urllib.request.urlopen(self.url(path), timeout=60) as response:
            return json.load(response)

    def upload(self, folder: Path):
        """Every DICOM file of the folder, sent once (Orthanc answers AlreadyStored for the rest)."""
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        started = time.perf_counter()
        for path in files:
            request = urllib.request.Request(
                self.url("/instances"), data=path.read_bytes(), method="POST",
                headers={"Content-Type": "application/dicom"})
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
        log("uploaded %d files in %.1f s" % (len(files), time.perf_counter() - started))

    def instances(self):
        """Instance ids in instance-number order (the order a reader scrolls)."""
        ids = self.get_json("/instances")
        numbered = []
        for identifier in ids:
            tags = self.get_json("/instances/%s/simplified-tags" % identifier)
            numbered.append((int(tags.get("InstanceNumber", "0") or 0), identifier))
        return [identifier for _, identifier in sorted(numbered)]


WRK_SCRIPT = r"""
-- Each connection walks the list of paths from its own starting point; latency is reported by wrk.
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local counter = 0
setup = function(thread)
  thread:set("offset", counter * 37)
  counter = counter + 1
end
local index = 0
request = function()
  index = index + 1
  local path = paths[((offset or 0) + index) % #paths + 1]
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format("WRKJSON {\"requests\": %d, \"seconds\": %.3f, \"errors\": %d, \"non2xx\": %d, " ..
    "\"p50_ms\": %.3f, \"p99_ms\": %.3f}\n", summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk(base_url, paths, connections, seconds, headers=()):
    """Requests/s and latency for `connections` keep-alive connections over `seconds`, cycling `paths`."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="wrk-"))
    try:
        (workdir / "paths.txt").write_text("\n".join(paths) + "\n")
        (workdir / "walk.lua").write_text(WRK_SCRIPT)
        threads = max(1, min(2, connections))
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", "%ds" % seconds, "--latency",
                   "--timeout", "30s", "-s", str(workdir / "walk.lua")]
        for header in headers:
            command += ["-H", header]
        command.append(base_url)
        completed = subprocess.run(command, capture_output=True, text=True,
                                   env=dict(os.environ, WRK_PATHS=str(workdir / "paths.txt")), timeout=seconds + 120)
        match = re.search(r"WRKJSON (\{.*\})", completed.stdout)
        if completed.returncode != 0 or not match:
            raise RuntimeError("wrk failed: %s %s" % (completed.stdout[-500:], completed.stderr[-500:]))
        result = json.loads(match.group(1))
        result["rate"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
        result["connections"] = connections
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(series: Path, connections, seconds):
    """Orthanc's rendered-frame rate on the series at each number of connections."""
    storage = DATA / ("orthanc-" + series.name)
    with Orthanc(storage) as orthanc:
        log("Orthanc %s on port %d" % (orthanc.version, orthanc.port))
        if len(orthanc.get_json("/instances")) == 0:
            orthanc.upload(series)
        ids = orthanc.instances()
        paths = ["/instances/%s/rendered" % identifier for identifier in ids]
        # One request first: Orthanc's answer is checked to be a PNG before anything is timed.
        with urllib.request.urlopen(orthanc.url(paths[0]), timeout=60) as response:
            body = response.read()
            if not body.startswith(b"\x89PNG"):
                raise RuntimeError("Orthanc's /rendered did not answer a PNG")
        results = []
        for count in connections:
            result = wrk(orthanc.url(""), paths, count, seconds)
            log("%2d connections: %.1f frames/s, p50 %.1f ms, p99 %.1f ms, errors %d, non-2xx %d" % (
                count, result["rate"], result["p50_ms"], result["p99_ms"], result["errors"], result["non2xx"]))
            results.append(result)
        return {"version": orthanc.version, "instances": len(ids), "results": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", type=Path)
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    connections = [int(c) for c in args.connections.split(",") if c.strip()]
    print(json.dumps(measure(args.series.resolve(), connections, args.seconds), indent=2))


if __name__ == "__main__":
    main()
