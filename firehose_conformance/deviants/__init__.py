"""The suite's teeth: a catalog of deviant implementations of the reference.

Each deviant is a small, named, plausible emulator bug (the status jumps to ENABLED at once, HMAC
keys are taken, a grant is never retired, ...) with the requirement IDs it violates. It is a
function in the module of its area that patches the reference through ``unittest.mock`` while
active, so ``reference_impl`` stays clean and knows nothing of it:

- ``sse``: the SSE status machine (SSE-*); ``puts``: the Encrypted flag and KMS at ingest (PUT-*);
- ``sources``: data at rest by source, Kinesis sources and Kinesis Data Streams (SRC-*);
- ``keys``: the keys Firehose takes (KEY-01..07); ``kms``: the KMS behaviour mirrored (KEY-08..10);
- ``grants`` (GRT-*), ``retention`` (RET-*), ``metrics`` (MET-*), ``api`` (API-*).

Apply one with ``firehose-conformance run --target-option deviant=NAME``, or in Python with
``activate(NAME)`` (an ``ExitStack``; close it to restore the reference). ``firehose-conformance
selftest`` runs each against the scenarios of its requirements and prints the kill matrix.
"""

from __future__ import annotations

from firehose_conformance.deviants import api, grants, keys, kms, metrics, puts, retention, sources
from firehose_conformance.deviants import sse as _sse
from firehose_conformance.deviants.base import CATALOG, Deviant, Patcher, activate, get

# Mandatory requirements no deviant can be caught for on the reference target: their scenarios
# need a capability the reference lacks, so they are not applicable there (never a kill).
NOT_ON_THE_REFERENCE = {
    "PUT-03": "@needs-iam: the reference has no callers with restricted IAM permissions",
}
# Requirements deliberately without a deviant: not obligations of the service.
NOT_SERVICE_OBLIGATIONS = {
    "GRT-04": "SHOULD NOT (client): an obligation on the caller (and @needs-aged-credentials)",
    "API-12": "MAY: CloudTrail logging is optional (and @needs-cloudtrail)",
}

_AREAS = (api, grants, keys, kms, metrics, puts, retention, sources, _sse)

__all__ = [
    "CATALOG",
    "NOT_ON_THE_REFERENCE",
    "NOT_SERVICE_OBLIGATIONS",
    "Deviant",
    "Patcher",
    "activate",
    "get",
]
