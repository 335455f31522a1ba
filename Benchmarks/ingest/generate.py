"""The data set of Benchmarks/ingest: N copies of the SampleStudies instances with new identifiers, grouped into
studies of a fixed size, written flat into one folder (the watched folder of a modality export is usually flat).

File k (0-based) is a copy of template k mod T, where the T templates are the SampleStudies files in sorted path
order, so every study mixes the three sample studies' series in their proportions (about 1 file in 71 is the
2 MB RF cine, the rest 130-240 KB MR slices). File k belongs to study k // per_study. The pixel data and transfer
syntax are kept as they are; these are replaced:
  Study, Series and SOP Instance UID (and the file meta's Media Storage SOP Instance UID), Frame of Reference UID:
      2.25.<integer> derived from a SHA-256 of the file's place, so the same on every run and machine;
  Patient ID and Name, Accession Number, Study ID: one per generated study;
  Instance Number: 1, 2, ... within each generated series;
  Number of Study Related Instances (0020,1208) and friends are removed (they would announce the samples' counts).

Usage (with the benchmark venv's python):
    generate.py --samples DIR --out DIR --count N --per-study M [--jobs J]
Writes DIR/b<study>-<index>.dcm and prints "files N studies S bytes B".
"""

import argparse
import hashlib
import multiprocessing
import os
import sys

import pydicom

SALT = "annulus-benchmarks-ingest/1"
REMOVED = [(0x0020, 0x1200), (0x0020, 0x1202), (0x0020, 0x1204), (0x0020, 0x1206), (0x0020, 0x1208),
           (0x0020, 0x1209)]


def uid(*parts):
    digest = hashlib.sha256(("/".join([SALT] + [str(part) for part in parts])).encode()).hexdigest()
    return "2.25.%d" % int(digest[:30], 16)  # 120 bits: at most 42 characters


def templates(samples):
    paths = sorted(os.path.join(folder, name) for folder, _, names in os.walk(samples) for name in names
                   if name.lower().endswith(".dcm"))
    if not paths:
        sys.exit("no .dcm files under %s" % samples)
    return paths


def file_name(study, index):
    return "b%05d-%04d.dcm" % (study, index)


def plan(count, per_study, template_paths, template_series):
    """(k, study, index in study, template index, series key, instance number) for every file, in order."""
    counters = {}
    rows = []
    for k in range(count):
        study, index = divmod(k, per_study)
        template = k % len(template_paths)
        series = template_series[template]
        counters[(study, series)] = counters.get((study, series), 0) + 1
        rows.append((k, study, index, template, series, counters[(study, series)]))
    return rows


def write_part(arguments):
    samples, out, rows = arguments
    paths = templates(samples)
    datasets = [pydicom.dcmread(path) for path in paths]
    written = 0
    for k, study, index, template, series, number in rows:
        dataset = datasets[template]
        dataset.StudyInstanceUID = uid("study", study)
        dataset.SeriesInstanceUID = uid("series", study, series)
        dataset.SOPInstanceUID = uid("sop", k)
        dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
        if "FrameOfReferenceUID" in dataset:
            dataset.FrameOfReferenceUID = uid("frame-of-reference", study, series.split("/")[0])
        dataset.PatientID = "BENCH-%05d" % study
        dataset.PatientName = "BENCH^STUDY%05d" % study
        dataset.AccessionNumber = "BENCH%05d" % study
        dataset.StudyID = "%d" % (study + 1)
        dataset.InstanceNumber = number
        for tag in REMOVED:
            if tag in dataset:
                del dataset[tag]
        path = os.path.join(out, file_name(study, index))
        dataset.save_as(path)
        written += os.path.getsize(path)
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--per-study", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    paths = templates(args.samples)
    # The series of a template: its sample study folder and series folder (e.g. patient1-lumbar-mr/series-01-sag-t2).
    template_series = [os.path.relpath(os.path.dirname(path), args.samples) for path in paths]
    rows = plan(args.count, args.per_study, paths, template_series)
    os.makedirs(args.out, exist_ok=True)
    jobs = max(1, min(args.jobs, len(rows)))
    parts = [(args.samples, args.out, rows[job::jobs]) for job in range(jobs)]
    if jobs == 1:
        sizes = [write_part(parts[0])]
    else:
        with multiprocessing.Pool(jobs) as pool:
            sizes = pool.map(write_part, parts)
    studies = (args.count + args.per_study - 1) // args.per_study
    print("files %d studies %d bytes %d" % (args.count, studies, sum(sizes)))


if __name__ == "__main__":
    main()
