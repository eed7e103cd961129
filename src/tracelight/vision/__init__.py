"""Images and faces: safe decoding, EXIF evidence, PDQ hashes, near-duplicate and face search.

Pure functions over bytes and arrays, with no database and no network, so the same code
runs in one process, in a worker pool and on Spark executors (see ``docs/vision.md``).
The heavy face models load lazily, once per process (:mod:`tracelight.vision.faces`).
"""

from __future__ import annotations

from tracelight.vision.decode import Decoded, DecodeLimits, Rejected, decode_image
from tracelight.vision.exif import ExifEvidence, read_exif
from tracelight.vision.pdq import PDQ_MATCH_THRESHOLD, PDQ_MIN_QUALITY, PdqHash, hamming, pdq_hash

__all__ = [
    "PDQ_MATCH_THRESHOLD",
    "PDQ_MIN_QUALITY",
    "DecodeLimits",
    "Decoded",
    "ExifEvidence",
    "PdqHash",
    "Rejected",
    "decode_image",
    "hamming",
    "pdq_hash",
    "read_exif",
]
