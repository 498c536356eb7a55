"""A read-only, source-aware audit of an account's Firehose data protection.

``firehose-conformance audit`` (``commands/audit.py``) checks every delivery stream against the
requirement catalog: DirectPut streams by their own SSE and its CMK, Kinesis-sourced streams by
the SSE of their source data stream (Firehose SSE does not apply to them, SRC-08), and the
CloudWatch alarms on the four KMSKey* metrics. Its clients can only read (``guard``). A finding
that could not be evaluated is ``error``, never a pass; reports render as a table, JSON,
Markdown, OCSF Detection Findings (``ocsf``) and SARIF (``sarif``).
"""

from firehose_conformance.audit.auditor import RegionClients, audit, audit_stream
from firehose_conformance.audit.findings import AuditReport, Finding, Severity, StreamAudit
from firehose_conformance.audit.guard import ReadOnlyClient, WriteRefused, iam_actions
from firehose_conformance.audit.reads import AuditAborted, Patience
from firehose_conformance.verdicts import Verdict

__all__ = [
    "AuditAborted",
    "AuditReport",
    "Finding",
    "Patience",
    "ReadOnlyClient",
    "RegionClients",
    "Severity",
    "StreamAudit",
    "Verdict",
    "WriteRefused",
    "audit",
    "audit_stream",
    "iam_actions",
]
