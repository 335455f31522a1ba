"""pynetdicom peer for SCP tests: python peer.py HOST PORT CALLED SCENARIO [FILE]
Scenarios: echo, unlisted (calling AE NOT-LISTED), unsupported (store a made-up SOP class),
abort-mid (send part of a C-STORE data set, then A-ABORT), store FILE, status FILE (print status)."""
import sys
import threading

from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pynetdicom import AE, debug_logger
from pynetdicom.sop_class import MRImageStorage, Verification

host, port, called, scenario = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
arg = sys.argv[5] if len(sys.argv) > 5 else None


def ae(title="PYNET"):
    a = AE(ae_title=title)
    a.acse_timeout = a.dimse_timeout = a.network_timeout = 10
    return a


if scenario in ("echo", "unlisted"):
    a = ae("NOT-LISTED" if scenario == "unlisted" else "PYNET")
    a.add_requested_context(Verification)
    assoc = a.associate(host, port, ae_title=called)
    if assoc.is_established:
        print("established; echo status 0x%04X" % assoc.send_c_echo().Status)
        assoc.release()
    elif assoc.is_rejected:
        rj = assoc.acceptor.primitive
        print("rejected result=%d source=%d reason=%d" % (rj.result, rj.result_source, rj.diagnostic))
    else:
        print("aborted or failed")

elif scenario == "unsupported":
    uid = "1.2.3.4.5.6.7.8.9"  # not a storage SOP class the SCP offers
    a = ae()
    a.add_requested_context(uid, ExplicitVRLittleEndian)
    a.add_requested_context(Verification)
    assoc = a.associate(host, port, ae_title=called)
    if assoc.is_established:
        ctx = [c for c in assoc.accepted_contexts if c.abstract_syntax == uid]
        rej = [(c.abstract_syntax, c.result) for c in assoc.rejected_contexts]
        print("established; accepted for the unknown class: %s; rejected: %s" % (bool(ctx), rej))
        ds = Dataset()
        ds.SOPClassUID, ds.SOPInstanceUID = uid, generate_uid()
        ds.file_meta = Dataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        try:
            assoc.send_c_store(ds)
        except ValueError as error:  # pynetdicom refuses to send without an accepted context
            print("send_c_store refused locally:", error)
        assoc.release()
    else:
        print("association not established (rejected=%s)" % assoc.is_rejected)

elif scenario == "abort-mid":
    ds = dcmread(arg)
    a = ae()
    a.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
    a.maximum_pdu_size = 16384
    assoc = a.associate(host, port, ae_title=called, max_pdu=16384)
    assert assoc.is_established
    sent = {"pdus": 0}
    original = assoc.dul.send_pdu

    def counting(pdu):  # abort after a few P-DATA PDUs of the data set
        original(pdu)
        if pdu.__class__.__name__ in ("P_DATA", "P_DATA_TF"):
            sent["pdus"] += 1
            if sent["pdus"] == 5:
                threading.Thread(target=assoc.abort).start()

    assoc.dul.send_pdu = counting
    status = assoc.send_c_store(ds)
    print("after abort: status=%r aborted=%s pdus=%d" % (status, assoc.is_aborted, sent["pdus"]))

elif scenario in ("store", "status"):
    ds = dcmread(arg)
    a = ae()
    a.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
    assoc = a.associate(host, port, ae_title=called)
    if not assoc.is_established:
        print("not established")
        sys.exit(1)
    status = assoc.send_c_store(ds)
    print("C-STORE status 0x%04X" % status.Status if status else "no response (association aborted?)")
    assoc.release()
