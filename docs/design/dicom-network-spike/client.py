import sys
from pydicom import dcmread
from dicomweb_client.api import DICOMwebClient
c = DICOMwebClient(url="http://127.0.0.1:%s/dicomweb" % sys.argv[1], headers={"Authorization": "Bearer TOKEN"})
print("studies", len(c.search_for_studies(search_filters={"PatientID": "P1", "PatientName": "Doe^J*"}, fuzzymatching=True,
      limit=10, offset=20, fields=["StudyDescription"])))
c.search_for_series(study_instance_uid="1.2.3", search_filters={"Modality": "MR"})
c.search_for_instances(study_instance_uid="1.2.3", series_instance_uid="4.5")
ds = dcmread(sys.argv[2])
r = c.store_instances(datasets=[ds, ds])
print("stow answer keys", list(r.keys()))
c.retrieve_study_metadata("1.2.3")
c.retrieve_series_metadata("1.2.3", "4.5")
c.retrieve_instance_metadata("1.2.3", "4.5", "6.7")
c.retrieve_instance_frames("1.2.3", "4.5", "6.7", frame_numbers=[1, 2], media_types=(("application/octet-stream", "*"),))
c.retrieve_instance_rendered("1.2.3", "4.5", "6.7", media_types=(("image/png",),))
try:
    c.retrieve_instance("1.2.3", "4.5", "6.7")
except Exception as e:
    print("retrieve_instance against 404:", type(e).__name__)
