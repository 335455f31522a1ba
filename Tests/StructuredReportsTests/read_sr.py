"""Reads an exported SR (and KOS) with highdicom, independently of DCMTK, and prints what it found as JSON.

usage: python read_sr.py REPORT.dcm [KOS.dcm]
"""
import json
import sys

import highdicom as hd
import pydicom


def code(c):
    """A coded concept, or a CODE content item (its value), as [value, scheme, meaning]."""
    if c is None:
        return None
    if isinstance(c, hd.sr.CodeContentItem):
        c = c.value
    return [c.value, c.scheme_designator, c.meaning]


def group_summary(group, planar):
    summary = {
        "template": "1410" if planar else "1501",
        "trackingIdentifier": group.tracking_identifier,
        "trackingUID": str(group.tracking_uid),
        "finding": code(group.finding_type),
        "sites": [code(s) for s in group.finding_sites],
        "evaluations": [[code(e.name), code(e.value)] for e in group.get_qualitative_evaluations()],
    }
    if planar:
        roi = group.roi
        summary["graphicType"] = roi.graphic_type.value
        summary["points"] = roi.value.tolist()
        ref = roi.ContentSequence[0].ReferencedSOPSequence[0]
        summary["image"] = ref.ReferencedSOPInstanceUID
        frames = ref.get("ReferencedFrameNumber")
        summary["frames"] = [] if frames is None else [int(f) for f in (frames if isinstance(frames, list) else [frames])]
    return summary


def main():
    sr = hd.sr.srread(sys.argv[1])
    content = sr.content
    result = {
        "class": type(sr).__name__,
        "content": type(content).__name__,
        "verification": sr.VerificationFlag,
        "completion": sr.CompletionFlag,
        "preliminary": sr.get("PreliminaryFlag"),
        "observers": [
            [o.observer_type.meaning, getattr(o.observer_identifying_attributes, "name", None)
             or getattr(o.observer_identifying_attributes, "uid", None)]
            for o in content.get_observer_contexts()
        ],
        "planar": [group_summary(g, True) for g in content.get_planar_roi_measurement_groups()],
        "image": [group_summary(g, False) for g in content.get_image_measurement_groups()],
        "predecessors": [
            item.ReferencedSOPInstanceUID
            for study in sr.get("PredecessorDocumentsSequence", [])
            for series in study.ReferencedSeriesSequence
            for item in series.ReferencedSOPSequence
        ],
    }
    if len(sys.argv) > 2:
        kos = hd.ko.KeyObjectSelectionDocument.from_dataset(pydicom.dcmread(sys.argv[2]))
        result["keyObjects"] = {
            "title": code(hd.sr.CodedConcept.from_dataset(kos.content[0].ConceptNameCodeSequence[0])),
            "images": [
                ref.ReferencedSOPInstanceUID
                for item in kos.content[0].ContentSequence if item.ValueType == "IMAGE"
                for ref in item.ReferencedSOPSequence
            ],
        }
    print(json.dumps(result, default=str))


main()
