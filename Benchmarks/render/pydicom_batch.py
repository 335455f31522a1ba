"""The pydicom + numpy + Pillow baseline of Benchmarks/render: one Python process renders every frame of every
file to an 8-bit PNG, the way a short batch script would.

Per file: pydicom.dcmread; per frame (pydicom.pixels.iter_pixels, so a cine is decoded one frame at a time):
Modality rescale (RescaleSlope/Intercept), the file's first VOI window (DICOM linear function) or else min-max,
MONOCHROME1 inverted, scaled to 8 bits, saved with Pillow at zlib level 1 (Pillow's fastest setting; annulus also
uses level 1 for previews; Pillow's default, 6, is about 3x slower here).

Usage (with the benchmark venv's python):
    pydicom_batch.py --out DIR [--plugin NAME] PATH...
PATHs are files or folders (walked recursively). Prints "images N" on success.
"""

import argparse
import os
import sys

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixels import iter_pixels


def first_value(value):
    """The first number of a possibly multi-valued DS element, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple, pydicom.multival.MultiValue)):
        return float(value[0]) if len(value) else None
    return float(value)


def to_8bit(frame, slope, intercept, center, width, invert):
    values = frame.astype(np.float32)
    if slope != 1 or intercept != 0:
        values = values * np.float32(slope) + np.float32(intercept)
    if center is not None and width is not None and width >= 1:
        # PS3.3 C.11.2.1.2.1: linear VOI function.
        scaled = ((values - np.float32(center - 0.5)) / np.float32(width - 1) + np.float32(0.5)) * np.float32(255)
    else:
        low, high = float(values.min()), float(values.max())
        scaled = (values - np.float32(low)) * np.float32(255 / (high - low if high > low else 1))
    out = np.clip(scaled + np.float32(0.5), 0, 255).astype(np.uint8)
    return 255 - out if invert else out


def files_under(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    if not name.startswith("."):
                        yield os.path.join(root, name)
        else:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--plugin", default="", help="pydicom decoding plugin (default: pydicom's choice)")
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    images = 0
    for index, path in enumerate(files_under(args.paths)):
        dataset = pydicom.dcmread(path)
        slope = float(dataset.get("RescaleSlope", 1) or 1)
        intercept = float(dataset.get("RescaleIntercept", 0) or 0)
        center = first_value(dataset.get("WindowCenter"))
        width = first_value(dataset.get("WindowWidth"))
        invert = dataset.get("PhotometricInterpretation", "") == "MONOCHROME1"
        options = {"decoding_plugin": args.plugin} if args.plugin else {}
        stem = os.path.join(args.out, "%05d" % index)
        for number, frame in enumerate(iter_pixels(dataset, **options)):
            if frame.ndim != 2:
                sys.exit("%s: only greyscale images are handled (frame shape %s)" % (path, frame.shape))
            image = Image.fromarray(to_8bit(frame, slope, intercept, center, width, invert))
            image.save("%s-f%04d.png" % (stem, number + 1), compress_level=1)
            images += 1
    print("images %d" % images)


if __name__ == "__main__":
    main()
