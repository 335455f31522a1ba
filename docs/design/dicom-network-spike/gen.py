import pydicom, sys, os
from pydicom.uid import generate_uid
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
ds = pydicom.dcmread(src)
study, series = generate_uid(), generate_uid()
for i in range(n):
    ds.StudyInstanceUID = study; ds.SeriesInstanceUID = series
    u = generate_uid(); ds.SOPInstanceUID = u; ds.file_meta.MediaStorageSOPInstanceUID = u
    ds.InstanceNumber = i + 1
    ds.save_as(os.path.join(out, "IM%04d.dcm" % (i + 1)), enforce_file_format=True)
