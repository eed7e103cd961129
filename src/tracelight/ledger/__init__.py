"""The evidence ledger: a tamper-evident log of every artifact and result.

* :mod:`~tracelight.ledger.merkle`: RFC 9162 hashing, compact ranges, proof generation.
* :mod:`~tracelight.ledger.log`: the log in the store (batched appends, proofs, checkpoints).
* :mod:`~tracelight.ledger.keys` and :mod:`~tracelight.ledger.note`: Ed25519 keys and C2SP
  signed notes, checkpoints and cosignatures.
* :mod:`~tracelight.ledger.evidence`: encrypted content-addressed items, crypto-shredding
  and the pipeline hooks :func:`record_ingest` and :func:`record_analysis`.
* :mod:`~tracelight.ledger.witness`: cosigning only consistent checkpoints.
* :mod:`~tracelight.ledger.bundle` and :mod:`~tracelight.ledger.verify`: evidence bundles
  and the standalone offline verifier.
"""

from __future__ import annotations

from tracelight.ledger.evidence import record_analysis, record_ingest

__all__ = ["record_analysis", "record_ingest"]
