"""Variants of the reference: small, named changes of its behaviour, one at a time.

A *deviant* is a plausible emulator bug (the status jumps to ENABLED at once, HMAC keys are
taken, a grant is never retired, ...) that a conformance suite must catch; a *conforming*
variant takes a path the documents allow and the reference does not, which it must not fail.
Each is a function in the module of its area that changes the reference while active, so the
reference itself stays free of them:

- ``sse``: the SSE status machine (SSE-*); ``puts``: the Encrypted flag and KMS at ingest (PUT-*);
- ``sources``: data at rest by source, Kinesis sources and Kinesis Data Streams (SRC-*);
- ``keys``: the keys Firehose takes (KEY-01..07); ``kms``: the KMS behaviour mirrored (KEY-08..10);
- ``grants`` (GRT-*), ``retention`` (RET-*), ``metrics`` (MET-*), ``api`` (API-*).

Run one with ``ReferenceCloud(variant=NAME)`` (undone by ``close()``), ``python -m reference_impl
--variant NAME``, or ``firehose-conformance run --target-option variant=NAME``; list them with
``catalog()``. ``firehose-conformance selftest`` runs each deviant against the scenarios of its
requirements and prints the kill matrix.
"""

from reference_impl.variants import patching
from reference_impl.variants.patching import ActiveVariant, Patcher
from reference_impl.variants.registry import (
    UnknownVariant,
    Variant,
    VariantKind,
    catalog,
    conforming,
    deviant,
    get,
    variant,
)


def activate(name: str) -> ActiveVariant:
    """Apply the named variant process-wide; close the result to restore the reference."""
    return patching.activate(name, get(name).apply)


__all__ = [
    "ActiveVariant",
    "Patcher",
    "UnknownVariant",
    "Variant",
    "VariantKind",
    "activate",
    "catalog",
    "conforming",
    "deviant",
    "get",
    "variant",
]
