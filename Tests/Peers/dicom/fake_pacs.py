"""A hostile Study Root C-FIND SCP for `annulus pull`'s tests (pynetdicom 3.0.4): prints `listening PORT`, answers
C-FINDs as the mode says, and stops by itself after 120 s.

usage: fake_pacs.py MODE
  many N     N pending matches with valid UIDs (stops early, status Cancel, when the SCU sends C-CANCEL); the
             number of matches sent is printed as `sent K` after each query
  hostile    matches a PACS should never send: a bad UID, a repeated UID, control characters, over-long values,
             a wrong date, then one good match
"""
import sys
import time

from pydicom.dataset import Dataset
from pynetdicom import AE, evt
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelFind


def match(uid, description="FAKE STUDY", date="20240101", patient_id="FAKE-1", instances="3"):
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID = uid
    ds.StudyDate = date
    ds.StudyDescription = description
    ds.ModalitiesInStudy = "MR"
    ds.PatientID = patient_id
    ds.PatientName = "FAKE^PATIENT"
    ds.NumberOfStudyRelatedInstances = instances
    return ds


def many(count):
    def handler(event):
        sent = 0
        for index in range(count):
            if event.is_cancelled:
                print("sent %d" % sent, flush=True)
                yield (0xFE00, None)
                return
            sent += 1
            yield (0xFF00, match("2.25.%d" % (index + 1)))
        print("sent %d" % sent, flush=True)

    return handler


def hostile(event):
    yield (0xFF00, match("1.2.x.4"))  # not a UID: dropped
    yield (0xFF00, match("2.25.7", description="EVIL\x1b[31mRED\x1b[2J", date="2024-01-01"))
    yield (0xFF00, match("2.25.7"))  # the same UID again: dropped
    yield (0xFF00, match("2.25.8", description="X" * 200, patient_id="P" * 200, instances="-5"))


def main():
    mode = sys.argv[1]
    handler = many(int(sys.argv[2])) if mode == "many" else hostile
    ae = AE(ae_title="FAKEPACS")
    ae.add_supported_context(StudyRootQueryRetrieveInformationModelFind)
    ae.require_called_aet = False
    server = ae.start_server(("127.0.0.1", 0), block=False, evt_handlers=[(evt.EVT_C_FIND, handler)])
    print("listening %d" % server.server_address[1], flush=True)
    time.sleep(120)
    server.shutdown()


if __name__ == "__main__":
    main()
