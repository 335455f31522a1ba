#!/usr/bin/env python3
"""Builds the fuzzers' inputs at run time, never stored in the repository.

  fuzzinputs.py seeds CORPUS OUTDIR        seed corpora per harness from the DICOM corpus (files as they are,
                                           and the codec harnesses' codestreams and RLE frames cut out of the
                                           corpus files' fragments)
  fuzzinputs.py regressions CORPUS OUTDIR  one small crafted input per known crash, hang or refusal: patched
                                           HTJ2K/J2K headers and RLE headers (see docs/reliability.md)

The RLE harness takes an 8-byte prefix before the RLE frame: rows (u16 LE), columns (u16 LE), samples per
pixel, bits allocated, planar configuration, a spare byte. Every input is written by this code; no corpus
byte is copied into the repository.
"""
import os
import struct
import sys

PIXEL_DATA = b"\xe0\x7f\x10\x00"
ITEM = b"\xfe\xff\x00\xe0"
SEQUENCE_END = b"\xfe\xff\xdd\xe0"

HTJ2K = ("1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203")
J2K = ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91")
RLE = ("1.2.840.10008.1.2.5",)


def transfer_syntax(data):
    """The TransferSyntaxUID of the meta header (explicit VR little endian), or ''."""
    index = data.find(b"\x02\x00\x10\x00UI")
    if index < 0 or index > 4096:
        return ""
    (length,) = struct.unpack_from("<H", data, index + 6)
    return data[index + 8 : index + 8 + length].rstrip(b"\0 ").decode("ascii", "replace")


def encapsulated_pixel_data(data):
    """(offset of the first item, fragments) of top-level encapsulated PixelData; fragments[0] is the basic
    offset table. Returns (None, []) when the file has none."""
    search = len(data)
    while True:
        index = data.rfind(PIXEL_DATA, 0, search)
        if index < 0:
            return None, []
        header = data[index + 4 : index + 12]
        if header[:2] in (b"OB", b"OW") and header[4:8] == b"\xff\xff\xff\xff":
            break
        search = index
    position = index + 12
    first = position
    fragments = []
    while position + 8 <= len(data):
        tag = data[position : position + 4]
        (length,) = struct.unpack_from("<I", data, position + 4)
        if tag == SEQUENCE_END or tag != ITEM or position + 8 + length > len(data):
            break
        fragments.append((position, data[position + 8 : position + 8 + length]))
        position += 8 + length
    return first, fragments


def us(data, tag):
    """The first value of a US attribute of the top-level data set (explicit VR little endian), or None."""
    group, element = tag
    needle = struct.pack("<HH", group, element) + b"US\x02\x00"
    index = data.find(needle)
    return None if index < 0 else struct.unpack_from("<H", data, index + 8)[0]


def frames_of(data):
    """Per-frame byte strings of encapsulated pixel data (one fragment per frame, or all for one frame)."""
    _, fragments = encapsulated_pixel_data(data)
    fragments = [value for _, value in fragments[1:]]
    if not fragments:
        return []
    index = data.find(b"\x28\x00\x08\x00IS")
    frames = 1
    if index >= 0:
        (length,) = struct.unpack_from("<H", data, index + 6)
        try:
            frames = int(data[index + 8 : index + 8 + length].strip(b"\0 ") or b"1")
        except ValueError:
            frames = 1
    if frames <= 1:
        return [b"".join(fragments)]
    if frames == len(fragments):
        return fragments
    return [fragments[0]]


def corpus_files(corpus):
    for root, _, names in os.walk(corpus):
        for name in sorted(names):
            if name.endswith((".md", ".csv")) or name == "SHA256SUMS":
                continue
            yield os.path.join(root, name)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        out.write(data)


def rle_prefix(rows, columns, samples, bits, planar):
    return struct.pack("<HHBBBB", rows, columns, samples, bits, planar, 0)


def seeds(corpus, outdir):
    counts = {}
    for number, path in enumerate(corpus_files(corpus)):
        with open(path, "rb") as handle:
            data = handle.read()
        if len(data) > 4 * 1024 * 1024:
            continue  # libFuzzer's default -max_len is far below; large files add nothing as seeds
        name = "%03d-%s" % (number, os.path.basename(path))
        for harness in ("prescan", "header", "pixels"):
            write(os.path.join(outdir, harness, name), data)
            counts[harness] = counts.get(harness, 0) + 1
        if b"1.2.840.10008.5.1.4.1.1.88." in data[:8192]:  # a structured report: a seed of the SR reader
            write(os.path.join(outdir, "sr", name), data)
            counts["sr"] = counts.get("sr", 0) + 1
        syntax = transfer_syntax(data)
        harness = "htj2k" if syntax in HTJ2K else "j2k" if syntax in J2K else "rle" if syntax in RLE else None
        if harness is None:
            continue
        for index, frame in enumerate(frames_of(data)[:2]):
            if harness == "rle":
                rows, columns = us(data, (0x28, 0x10)) or 0, us(data, (0x28, 0x11)) or 0
                samples, bits = us(data, (0x28, 0x02)) or 1, us(data, (0x28, 0x100)) or 8
                planar = us(data, (0x28, 0x06)) or 0
                frame = rle_prefix(rows, columns, samples, bits, planar) + frame
            write(os.path.join(outdir, harness, "%s-%d" % (name, index)), frame)
            counts[harness] = counts.get(harness, 0) + 1
    # Annulus's own report and key images (docs/examples, made by scripts/sr-example) seed the SR reader too.
    examples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "examples")
    for name in ("sr-report.dcm", "sr-key-images.dcm"):
        if os.path.exists(os.path.join(examples, name)):
            with open(os.path.join(examples, name), "rb") as handle:
                write(os.path.join(outdir, "sr", name), handle.read())
            counts["sr"] = counts.get("sr", 0) + 1
    for harness in sorted(counts):
        print("  %-8s %d seed(s)" % (harness, counts[harness]))


# --- Crafted inputs ---------------------------------------------------------------------------------------


def j2k_markers(codestream):
    """{marker: offset of its first byte} for the main header (up to the first SOT)."""
    found = {}
    position = 2
    while position + 4 <= len(codestream):
        (marker,) = struct.unpack_from(">H", codestream, position)
        found.setdefault(marker, position)
        if marker == 0xFF90:
            break
        (length,) = struct.unpack_from(">H", codestream, position + 2)
        position += 2 + length
    return found


def patched(codestream, marker, offset, fmt, value):
    """A copy of `codestream` with the field at `offset` bytes after the marker's length field set."""
    where = j2k_markers(codestream)[marker] + 4 + offset
    data = bytearray(codestream)
    struct.pack_into(fmt, data, where, value)
    return bytes(data)


# Each entry: name, marker, offset after the marker segment's length field, struct format, value, the
# field the refusal must name. SIZ: Rsiz(0) Xsiz(2) Ysiz(6) XOsiz(10) YOsiz(14) XTsiz(18) YTsiz(22)
# XTOsiz(26) YTOsiz(30) Csiz(34) Ssiz(36) XRsiz(37) YRsiz(38); COD: Scod(0) order(1) layers(2) MCT(4)
# levels(5) xcb(6) ycb(7) style(8) transform(9).
J2K_CASES = [
    ("cod-progression-7", 0xFF52, 1, ">B", 7, "progression order"),
    ("cod-transform-5", 0xFF52, 9, ">B", 5, "transform"),
    ("cod-levels-40", 0xFF52, 5, ">B", 40, "decomposition levels"),
    ("cod-levels-20", 0xFF52, 5, ">B", 20, "decomposition levels"),
    ("cod-xcb-9", 0xFF52, 6, ">B", 9, "code-block"),
    ("cod-xcb-7", 0xFF52, 6, ">B", 7, "code-block"),
    ("cod-layers-0", 0xFF52, 2, ">H", 0, "quality layers"),
    ("cod-9-7-without-expounded-qcd", 0xFF52, 9, ">B", 0, "quantization style"),
    ("siz-xtsiz-0", 0xFF51, 18, ">I", 0, "XTsiz"),
    ("siz-ytsiz-0", 0xFF51, 22, ">I", 0, "YTsiz"),
    ("siz-ytosiz-1", 0xFF51, 30, ">I", 1, "YTOsiz"),
    ("siz-xtosiz-1", 0xFF51, 26, ">I", 1, "XTOsiz"),
    ("siz-xsiz-0", 0xFF51, 2, ">I", 0, "Xsiz"),
    ("siz-csiz-2", 0xFF51, 34, ">H", 2, "Csiz"),
    ("siz-precision-40", 0xFF51, 36, ">B", 39, "precision"),
    ("siz-xrsiz-0", 0xFF51, 37, ">B", 0, "XRsiz"),
]


def rle_frame_cases(frame, rows, columns, samples, bits):
    """(name, frame bytes, field) for crafted RLE headers made from a valid frame."""
    (count,) = struct.unpack_from("<I", frame, 0)
    offsets = list(struct.unpack_from("<15I", frame, 4))

    def header(count, offsets):
        return struct.pack("<I15I", count, *offsets) + frame[64:]

    cases = []
    bad = list(offsets)
    bad[count - 1] = len(frame) + 0x40000000
    cases.append(("rle-offset-past-fragment", header(count, bad), "segment"))
    bad = list(offsets)
    bad[0] = 60
    cases.append(("rle-first-offset-60", header(count, bad), "segment 1"))
    cases.append(("rle-segments-0", header(0, offsets), "segment count"))
    cases.append(("rle-segments-16", header(16, offsets), "segment count"))
    if count > 1:
        bad = list(offsets)
        bad[1] = bad[0]
        cases.append(("rle-offsets-decreasing", header(count, bad), "segment"))
    cases.append(("rle-short-fragment", frame[:40], "RLE header"))
    return cases


def find_corpus_file(corpus, syntaxes, name_hint=None):
    for path in corpus_files(corpus):
        if name_hint and name_hint not in path:
            continue
        with open(path, "rb") as handle:
            head = handle.read(4096)
        if transfer_syntax(head) in syntaxes:
            return path
    return None


def regressions(corpus, outdir):
    made = 0
    codestreams = {}
    ht = find_corpus_file(corpus, HTJ2K, "HTJ2KLossless_08_RGB") or find_corpus_file(corpus, HTJ2K)
    j2 = find_corpus_file(corpus, J2K, "MR_small_jp2klossless") or find_corpus_file(corpus, J2K)
    rle = find_corpus_file(corpus, RLE, "MR_small_RLE") or find_corpus_file(corpus, RLE)
    for harness, path in (("htj2k", ht), ("j2k", j2)):
        if path is None:
            print("  no %s file in the corpus: its regressions are skipped" % harness)
            continue
        with open(path, "rb") as handle:
            codestream = frames_of(handle.read())[0]
        codestreams[harness] = codestream
        for name, marker, offset, fmt, value, _ in J2K_CASES:
            if harness == "j2k" and name == "cod-9-7-without-expounded-qcd":
                continue  # an OpenJPH limitation; OpenJPEG decodes this pairing
            write(os.path.join(outdir, harness, name), patched(codestream, marker, offset, fmt, value))
            made += 1
        write(os.path.join(outdir, harness, "truncated-main-header"), codestream[:60])
        made += 1
    if rle is None:
        print("  no RLE file in the corpus: its regressions are skipped")
    else:
        with open(rle, "rb") as handle:
            data = handle.read()
        rows, columns = us(data, (0x28, 0x10)), us(data, (0x28, 0x11))
        samples, bits = us(data, (0x28, 0x02)) or 1, us(data, (0x28, 0x100))
        frame = frames_of(data)[0]
        for name, value, _ in rle_frame_cases(frame, rows, columns, samples, bits):
            write(os.path.join(outdir, "rle", name), rle_prefix(rows, columns, samples, bits, 0) + value)
            made += 1
    # Found by fuzz_pixels: DCMTK's image pipeline (rendering) reached the per-frame RLE decoder without the
    # header check; a two-frame RGB RLE file whose first frame's segment 3 offset points 4 GB away.
    two_frames = find_corpus_file(corpus, RLE, "SC_rgb_rle_2frame")
    if two_frames:
        with open(two_frames, "rb") as handle:
            data = bytearray(handle.read())
        _, fragments = encapsulated_pixel_data(bytes(data))
        position = fragments[1][0] + 8
        struct.pack_into("<I", data, position + 12, 0xFFFF01D0)
        write(os.path.join(outdir, "pixels", "render-rle-offset-past-fragment"), bytes(data))
        made += 1
    # Found by the fuzzers (see docs/reliability.md): each is rebuilt here from its description.
    for name, data in found_by_fuzzing(codestreams):
        write(os.path.join(outdir, name), data)
        made += 1
    print("  %d regression input(s) in %s" % (made, outdir))


def found_by_fuzzing(codestreams):
    """Inputs the fuzzers found, rebuilt by code from a valid frame and the finding's description, named
    harness/name (defects of the shim: must be refused) or library/harness/name (crashes inside a library on tile
    data, which no header check can refuse: replayed to notice a fix, see docs/reliability.md)."""
    found = []
    if "htj2k" in codestreams:
        # OpenJPH 0.9 asserts (num_bits <= 32 in bb_read_bits, precinct::parse) on a packet header of all 1
        # bits: the first tile's data overwritten by 256 bytes of 0xFF, cut after 8137 bytes.
        data = bytearray(codestreams["htj2k"][:8137])
        data[2588 : 2588 + 256] = b"\xff" * 256
        found.append(("library/htj2k/tile-packet-header-all-ones", bytes(data)))
    return found


def main(arguments):
    if len(arguments) == 3 and arguments[0] == "seeds":
        seeds(arguments[1], arguments[2])
    elif len(arguments) == 3 and arguments[0] == "regressions":
        regressions(arguments[1], arguments[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
