#!/usr/bin/env python3
"""Benchmarks/serve/studies.py: many small DICOM studies for the list benchmark, written without any library.

Each study is a spine clinic's: one or two series of one 8 x 8 16-bit image each (explicit VR little endian, Part 10
file meta), modalities MR about two in three, then CR, CT and RF, dates spread over 2016-2025, four studies per
patient on average. The same N always gives the same files (UIDs under 2.25 from a hash of the study number), so
the folder is made once and cached.

usage: Benchmarks/serve/studies.py N OUT     (OUT must not exist; it is written as OUT.partial and renamed)
"""

import datetime
import hashlib
import random
import struct
import sys
from pathlib import Path

EXPLICIT_LITTLE = "1.2.840.10008.1.2.1"
SOP_CLASSES = {"MR": "1.2.840.10008.5.1.4.1.1.4", "CT": "1.2.840.10008.5.1.4.1.1.2",
               "CR": "1.2.840.10008.5.1.4.1.1.1", "RF": "1.2.840.10008.5.1.4.1.1.12.2"}
DESCRIPTIONS = {"MR": "MR LUMBAR SPINE", "CT": "CT LUMBAR SPINE", "CR": "XR LUMBAR SPINE 2 VIEWS",
                "RF": "FLUORO GUIDED INJECTION"}
LONG_LENGTH_VRS = {"OB", "OW", "OF", "SQ", "UT", "UN"}


def uid(*parts):
    """A UID under 2.25 (UUID-derived root) from a hash of `parts`: at most 44 characters."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return "2.25.%d" % int.from_bytes(digest[:16], "big")


def element(group, number, vr, value):
    """One explicit VR little endian data element; text padded to even length as its VR wants."""
    if isinstance(value, str):
        data = value.encode("ascii")
        if len(data) % 2:
            data += b"\0" if vr == "UI" else b" "
    else:
        data = value
        if len(data) % 2:
            data += b"\0"
    header = struct.pack("<HH", group, number) + vr.encode("ascii")
    if vr in LONG_LENGTH_VRS:
        return header + b"\0\0" + struct.pack("<I", len(data)) + data
    return header + struct.pack("<H", len(data)) + data


def us(value):
    return struct.pack("<H", value)


def instance(fields):
    """A Part 10 file: preamble, file meta (group 2 with its length), then the data set in tag order."""
    meta = b"".join([
        element(0x0002, 0x0001, "OB", b"\0\1"),
        element(0x0002, 0x0002, "UI", fields["sop_class"]),
        element(0x0002, 0x0003, "UI", fields["sop_instance"]),
        element(0x0002, 0x0010, "UI", EXPLICIT_LITTLE),
        element(0x0002, 0x0012, "UI", "2.25.1"),
    ])
    dataset = b"".join([
        element(0x0008, 0x0016, "UI", fields["sop_class"]),
        element(0x0008, 0x0018, "UI", fields["sop_instance"]),
        element(0x0008, 0x0020, "DA", fields["date"]),
        element(0x0008, 0x0030, "TM", fields["time"]),
        element(0x0008, 0x0050, "SH", fields["accession"]),
        element(0x0008, 0x0060, "CS", fields["modality"]),
        element(0x0008, 0x1030, "LO", fields["description"]),
        element(0x0008, 0x103E, "LO", fields["series_description"]),
        element(0x0010, 0x0010, "PN", "SAMPLE^LIST^BENCHMARK"),
        element(0x0010, 0x0020, "LO", fields["patient"]),
        element(0x0018, 0x0015, "CS", "LSPINE"),
        element(0x0020, 0x000D, "UI", fields["study"]),
        element(0x0020, 0x000E, "UI", fields["series"]),
        element(0x0020, 0x0011, "IS", str(fields["series_number"])),
        element(0x0020, 0x0013, "IS", "1"),
        element(0x0028, 0x0002, "US", us(1)),
        element(0x0028, 0x0004, "CS", "MONOCHROME2"),
        element(0x0028, 0x0010, "US", us(8)),
        element(0x0028, 0x0011, "US", us(8)),
        element(0x0028, 0x0100, "US", us(16)),
        element(0x0028, 0x0101, "US", us(12)),
        element(0x0028, 0x0102, "US", us(11)),
        element(0x0028, 0x0103, "US", us(0)),
        element(0x7FE0, 0x0010, "OW", struct.pack("<64H", *range(0, 4096, 64))),
    ])
    group_length = element(0x0002, 0x0000, "UL", struct.pack("<I", len(meta)))
    return b"\0" * 128 + b"DICM" + group_length + meta + dataset


def studies(count):
    """(relative path, bytes) of every file of `count` studies, deterministic."""
    rng = random.Random(20260301)
    first_day = datetime.date(2016, 1, 1)
    days = (datetime.date(2025, 12, 31) - first_day).days + 1
    patients = max(1, count // 4)
    for index in range(count):
        modality = rng.choices(["MR", "CR", "CT", "RF"], weights=[65, 20, 10, 5])[0]
        second = rng.random() < 0.3
        extra = "CR" if modality in ("CT", "RF") else modality
        date = (first_day + datetime.timedelta(days=rng.randrange(days))).strftime("%Y%m%d")
        time = "%02d%02d%02d" % (rng.randrange(7, 20), rng.randrange(60), rng.randrange(60))
        study = uid("list-benchmark", index)
        common = {"study": study, "date": date, "time": time, "accession": "LB%07d" % index,
                  "patient": "SYNTH-L%05d" % rng.randrange(patients), "description": DESCRIPTIONS[modality]}
        for number, series_modality in enumerate([modality] + ([extra] if second else []), start=1):
            series = uid("list-benchmark", index, number)
            fields = dict(common, modality=series_modality, sop_class=SOP_CLASSES[series_modality],
                          series=series, sop_instance=uid("list-benchmark", index, number, 1),
                          series_number=number, series_description="%s SERIES %d" % (series_modality, number))
            yield "%03d/%05d-%d.dcm" % (index // 1000, index, number), instance(fields)


def write(count, out):
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    if out.exists():
        raise SystemExit("%s exists" % out)
    partial.mkdir(parents=True, exist_ok=True)
    for relative, data in studies(count):
        path = partial / relative
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    partial.rename(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    write(int(sys.argv[1]), sys.argv[2])
