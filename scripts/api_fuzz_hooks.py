# Schemathesis hooks for scripts/api-fuzz (loaded through SCHEMATHESIS_HOOKS=api_fuzz_hooks).
#
# STOW-RS (POST /dicomweb/studies[/{studyUID}]) takes multipart/related; type="application/dicom", which schemathesis
# cannot generate by itself. These hooks give it bodies to send: well-formed multipart messages whose parts are
# fragments of real SampleStudies instances (whole, truncated, bit-flipped) or random bytes, and malformed multipart
# (no closing delimiter, a boundary that never appears, random bytes). The request's Content-Type carries the
# boundary the body uses, or sometimes none at all. Every answer must still be one the OpenAPI document lists.
import os
import pathlib

import schemathesis
from hypothesis import strategies as st

STOW_MEDIA_TYPE = 'multipart/related; type="application/dicom"'
BOUNDARY = "annulus-fuzz-4f1c"


def _sample_instances():
    root = pathlib.Path(os.environ.get("ANNULUS_FUZZ_SAMPLES", "SampleStudies"))
    files = sorted(path for path in root.rglob("*.dcm") if path.is_file())
    # Small instances only: the point is the parser and the pipeline, not bandwidth.
    return [path.read_bytes() for path in files if path.stat().st_size <= 600_000][:4]


SAMPLES = _sample_instances()


def _part(payload: bytes) -> bytes:
    return b"--" + BOUNDARY.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + payload + b"\r\n"


def _mutated(sample: bytes, cut: int, flip: int) -> bytes:
    data = bytearray(sample[: max(1, cut % (len(sample) + 1))])
    if data:
        data[flip % len(data)] ^= 0xFF
    return bytes(data)


_payload = st.one_of(
    st.binary(max_size=2048),
    *(
        [
            st.sampled_from(SAMPLES),
            st.builds(_mutated, st.sampled_from(SAMPLES), st.integers(min_value=0), st.integers(min_value=0)),
        ]
        if SAMPLES
        else []
    ),
)
_well_formed = st.lists(_payload, min_size=0, max_size=3).map(
    lambda parts: b"".join(_part(part) for part in parts) + b"--" + BOUNDARY.encode() + b"--\r\n"
)
_unterminated = st.lists(_payload, min_size=1, max_size=2).map(lambda parts: b"".join(_part(part) for part in parts))
_foreign_boundary = _payload.map(lambda body: b"--another-boundary\r\n\r\n" + body + b"\r\n--another-boundary--\r\n")

schemathesis.openapi.media_type(
    STOW_MEDIA_TYPE, st.one_of(_well_formed, _unterminated, _foreign_boundary, st.binary(max_size=4096))
)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    """Puts the boundary into the Content-Type of a STOW-RS request (now and then leaves it out: a 400 is due)."""
    # Only STOW-RS bodies (the coverage phase also sends POST where the document has none, with no body at all).
    body = case.body
    if case.method.upper() == "POST" and case.path.startswith("/dicomweb/studies") and isinstance(body, bytes):
        with_boundary = (sum(body[:64]) % 8) != 0
        content_type = STOW_MEDIA_TYPE + (f"; boundary={BOUNDARY}" if with_boundary else "")
        case.headers = {**(case.headers or {}), "Content-Type": content_type}
