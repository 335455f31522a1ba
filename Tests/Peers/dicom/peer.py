"""A DICOM peer for Annulus's Storage SCP tests (pynetdicom 3.0.4 / pydicom 3.0.2, an implementation independent of
DCMTK), printing one JSON object per line.

usage: peer.py HOST PORT CALLED_AE SCENARIO [options]

Scenarios:
  echo [--calling AE]                  C-ECHO; or the rejection's result/source/reason
  store FILE... [--calling AE]         C-STORE each file (streamed from disk as is); status and Error Comment each
  unsupported                          propose only a storage SOP class the SCP does not list
  abort-mid FILE                       start a C-STORE, A-ABORT after a few P-DATA PDUs
  hold SECONDS [--until FILE]          open an association and keep it (for the association limit), releasing
                                       it after SECONDS or as soon as FILE exists
  flood --count N --associations K --record FILE [--start I]
                                       send synthetic 64x64 MR instances I..N-1 over K parallel associations,
                                       appending "<index> <status>" to FILE as each response arrives; indexes
                                       already recorded with status 0 are not sent again (a retry after a crash)
  write-synthetic INDEX FILE           write synthetic instance INDEX as a Part 10 file
  write-mismatch FILE                  a file whose meta says MR but whose data set is a CT image
  write-short-pixels FILE              an MR image whose Pixel Data is shorter than its rows x columns say
  nest DEPTH                           a C-STORE command set nesting DEPTH undefined-length elements (crafted)
"""
import json
import os
import socket
import struct
import sys
import threading
import time

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid
from pynetdicom import AE, _config
from pynetdicom.sop_class import CTImageStorage, MRImageStorage, Verification

# Files are sent as they are on disk (the command's UIDs from the file meta), never re-encoded.
_config.STORE_SEND_CHUNKED_DATASET = True

MR = "1.2.840.10008.5.1.4.1.1.4"
CT = "1.2.840.10008.5.1.4.1.1.2"
STUDY = "2.25.316091198811700111322114415331690"
SERIES = "2.25.316091198811700111322114415331691"


def emit(**fields):
    print(json.dumps(fields), flush=True)


def option(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def new_ae(title=None):
    ae = AE(ae_title=title or option("--calling", "PYNET"))
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 30
    return ae


def synthetic(index, sop_class=MR, rows=64, pixel_bytes=None):
    """A small MR image with deterministic UIDs (the same index gives the same instance)."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = "2.25.%d" % (10**30 + index)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID = STUDY, SERIES
    ds.PatientID, ds.PatientName = "PEER-TEST", "PEER^TEST"
    ds.StudyDate, ds.Modality = "20261206", "MR" if sop_class == MR else "CT"
    ds.AccessionNumber, ds.StudyDescription = "PEER-1", "PEER TEST"
    ds.SeriesNumber, ds.InstanceNumber = 1, index + 1
    ds.ImagePositionPatient = [0.0, 0.0, float(index)]
    ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    ds.PixelSpacing = [1.0, 1.0]
    ds.SliceThickness = 1.0
    ds.Rows = ds.Columns = rows
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    count = pixel_bytes if pixel_bytes is not None else rows * rows * 2
    ds.PixelData = bytes((index + i) % 251 for i in range(count))
    return ds


def rejection(assoc):
    primitive = assoc.acceptor.primitive
    return {"result": primitive.result, "source": primitive.result_source, "reason": primitive.diagnostic}


def store_file(assoc, path):
    status = assoc.send_c_store(path)
    if not status:
        return {"status": None}
    comment = status.get("ErrorComment")
    return {"status": int(status.Status), "comment": str(comment) if comment is not None else None}


def main():
    host, port, called, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rest = [a for a in sys.argv[5:]]

    if scenario == "echo":
        ae = new_ae()
        ae.add_requested_context(Verification)
        assoc = ae.associate(host, port, ae_title=called)
        if assoc.is_established:
            emit(established=True, status=int(assoc.send_c_echo().Status))
            assoc.release()
        elif assoc.is_rejected:
            emit(established=False, rejected=rejection(assoc))
        else:
            emit(established=False, aborted=True)

    elif scenario == "store":
        files = [a for i, a in enumerate(rest) if not a.startswith("--") and (i == 0 or not rest[i - 1].startswith("--"))]
        ae = new_ae()
        from pydicom import dcmread
        for path in files:
            meta = dcmread(path, stop_before_pixels=True).file_meta
            ae.add_requested_context(meta.MediaStorageSOPClassUID, [meta.TransferSyntaxUID])
        assoc = ae.associate(host, port, ae_title=called)
        if not assoc.is_established:
            emit(established=False, rejected=rejection(assoc) if assoc.is_rejected else None)
            return
        for path in files:
            emit(file=os.path.basename(path), **store_file(assoc, path))
        assoc.release()

    elif scenario == "unsupported":
        ae = new_ae()
        ae.add_requested_context("1.2.840.10008.5.1.4.1.1.481.1", ExplicitVRLittleEndian)  # RT Image: not listed
        assoc = ae.associate(host, port, ae_title=called)
        if assoc.is_established:
            emit(established=True, accepted=[c.abstract_syntax for c in assoc.accepted_contexts])
            assoc.release()
        else:
            emit(established=False, rejected=rejection(assoc) if assoc.is_rejected else None,
                 aborted=assoc.is_aborted)

    elif scenario == "abort-mid":
        path = rest[0]
        ae = new_ae()
        from pydicom import dcmread
        meta = dcmread(path, stop_before_pixels=True).file_meta
        ae.add_requested_context(meta.MediaStorageSOPClassUID, [meta.TransferSyntaxUID])
        ae.maximum_pdu_size = 4096
        ae.dimse_timeout = 3  # pynetdicom waits this long for a response the aborted association cannot bring
        assoc = ae.associate(host, port, ae_title=called, max_pdu=4096)
        sent = {"pdus": 0}
        original = assoc.dul.send_pdu

        def counting(pdu):
            original(pdu)
            if type(pdu).__name__ in ("P_DATA", "P_DATA_TF"):
                sent["pdus"] += 1
                if sent["pdus"] == 3:
                    threading.Thread(target=assoc.abort).start()

        assoc.dul.send_pdu = counting
        try:
            assoc.send_c_store(path)
        except Exception:  # pynetdicom's reactor may complain once the association is gone
            pass
        emit(aborted=assoc.is_aborted, pdus=sent["pdus"])

    elif scenario == "hold":
        ae = new_ae()
        ae.add_requested_context(Verification)
        assoc = ae.associate(host, port, ae_title=called)
        if not assoc.is_established:
            emit(established=False, rejected=rejection(assoc) if assoc.is_rejected else None)
            return
        emit(established=True)
        deadline, until = time.monotonic() + float(rest[0]), option("--until")
        while time.monotonic() < deadline and not (until and os.path.exists(until)):
            time.sleep(0.05)
        assoc.release()

    elif scenario == "flood":
        count, associations = int(option("--count")), int(option("--associations", "4"))
        record = option("--record")
        done = set()
        if os.path.exists(record):
            for line in open(record):
                parts = line.split()
                if len(parts) == 2 and parts[1] == "0":
                    done.add(int(parts[0]))
        todo = [i for i in range(int(option("--start", "0")), count) if i not in done]
        lock = threading.Lock()
        out = open(record, "a", buffering=1)
        results = {"success": 0, "other": 0, "failed": 0}

        def worker(share):
            ae = new_ae()
            ae.dimse_timeout = 10  # a killed server answers nothing: give up on the response, record no status
            ae.add_requested_context(MR, ExplicitVRLittleEndian)
            assoc = ae.associate(host, port, ae_title=called)
            if not assoc.is_established:
                with lock:
                    results["failed"] += len(share)
                return
            for index in share:
                try:
                    status = assoc.send_c_store(synthetic(index))
                except Exception:
                    status = None
                if not status or not assoc.is_established:
                    with lock:
                        results["failed"] += 1
                    if not assoc.is_established:
                        return
                    continue
                with lock:
                    out.write("%d %d\n" % (index, int(status.Status)))
                    results["success" if status.Status == 0 else "other"] += 1
            assoc.release()

        threads = [threading.Thread(target=worker, args=(todo[k::associations],)) for k in range(associations)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        emit(sent=len(todo), **results)

    elif scenario == "write-synthetic":
        synthetic(int(rest[0])).save_as(rest[1], enforce_file_format=True)
        emit(written=rest[1])

    elif scenario == "write-mismatch":
        ds = synthetic(900001, sop_class=CT)
        ds.file_meta.MediaStorageSOPClassUID = MR  # what the sender will announce in the command
        ds.preamble = b"\0" * 128
        from pydicom.filewriter import dcmwrite
        dcmwrite(rest[0], ds, enforce_file_format=False)
        emit(written=rest[0])

    elif scenario == "write-short-pixels":
        ds = synthetic(900002, pixel_bytes=1000)  # 64 x 64 x 2 = 8192 bytes are due
        ds.save_as(rest[0], enforce_file_format=True)
        emit(written=rest[0])

    elif scenario == "nest":
        depth = int(rest[0])

        def item(kind, body):
            return struct.pack(">BBH", kind, 0, len(body)) + body

        context = item(0x30, MR.encode()) + item(0x40, b"1.2.840.10008.1.2")
        body = struct.pack(">HH", 1, 0) + called.encode().ljust(16) + option("--calling", "PYNET").encode().ljust(16)
        body += bytes(32) + item(0x10, b"1.2.840.10008.3.1.1.1")
        body += item(0x20, struct.pack(">BBBB", 1, 0, 0, 0) + context)
        body += item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4"))
        connection = socket.create_connection((host, port), timeout=30)
        connection.sendall(struct.pack(">BBI", 1, 0, len(body)) + body)
        answer = connection.recv(6)
        accepted = bool(answer) and answer[0] == 2
        connection.recv(65536)
        level = struct.pack("<HHI", 0x0000, 0x1234, 0xFFFFFFFF) + struct.pack("<HHI", 0xFFFE, 0xE000, 0xFFFFFFFF)
        command = level * depth
        outcome = "sent"
        try:
            for offset in range(0, len(command), 16000):
                part = command[offset:offset + 16000]
                last = offset + 16000 >= len(command)
                pdv = struct.pack(">IBB", len(part) + 2, 1, 0x03 if last else 0x01) + part
                connection.sendall(struct.pack(">BBI", 4, 0, len(pdv)) + pdv)
            reply = connection.recv(6)
            outcome = "answered" if reply else "closed"
        except OSError as error:
            outcome = "closed: %s" % error.__class__.__name__
        emit(accepted=accepted, outcome=outcome)

    else:
        emit(error="unknown scenario %s" % scenario)
        sys.exit(2)


main()
