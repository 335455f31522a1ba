"""Writes a TID 1500 measurement report as another tool would, with highdicom (not DCMTK): one planar ROI group
Annulus can map (a fissure at L4-L5 in the tool's own codes, with the SNOMED CT disc as finding site) and one it
cannot (an osteophyte).

usage: python make_foreign_sr.py IMAGE.dcm OUT.dcm
"""
import sys

import highdicom as hd
import numpy as np
import pydicom
from pydicom.sr.codedict import codes
from highdicom.sr import CodedConcept

image = pydicom.dcmread(sys.argv[1])
source = hd.sr.SourceImageForRegion.from_source_image(image)


def group(identifier, finding, site, point, evaluations):
    return hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(uid=hd.UID(), identifier=identifier),
        referenced_region=hd.sr.ImageRegion(
            graphic_type=hd.sr.GraphicTypeValues.POINT, graphic_data=np.array([point]), source_image=source),
        finding_type=finding,
        finding_sites=[hd.sr.FindingSite(anatomic_location=site)],
        qualitative_evaluations=[hd.sr.QualitativeEvaluation(name, value) for name, value in evaluations],
    )


fissure = group(
    "fissure 1", CodedConcept("F-001", "99TOOLX", "Annular fissure"),
    CodedConcept("84020006", "SCT", "Intervertebral disc of fourth to fifth lumbar vertebra"),
    [88.0, 131.5],
    [(CodedConcept("T-1", "99TOOLX", "type"), CodedConcept("T-2", "99TOOLX", "radial")),
     (CodedConcept("T-3", "99TOOLX", "confidence"), CodedConcept("T-4", "99TOOLX", "high"))])
osteophyte = group(
    "osteophyte 1", CodedConcept("F-002", "99TOOLX", "Osteophyte"),
    CodedConcept("715056000", "SCT", "L5-S1 disc"), [60.0, 150.0], [])
observer = hd.sr.ObserverContext(
    observer_type=codes.DCM.Person,
    observer_identifying_attributes=hd.sr.PersonObserverIdentifyingAttributes(name="Tool^X"))
report = hd.sr.MeasurementReport(
    observation_context=hd.sr.ObservationContext(observer_person_context=observer),
    procedure_reported=CodedConcept("18748-4", "LN", "Diagnostic imaging study"),
    imaging_measurements=[fissure, osteophyte])
document = hd.sr.EnhancedSR(
    evidence=[image], content=report, series_number=77, series_instance_uid=hd.UID(), sop_instance_uid=hd.UID(),
    instance_number=1, manufacturer="Tool X")
document.save_as(sys.argv[2])
