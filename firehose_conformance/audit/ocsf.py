"""The audit as OCSF Detection Findings (OCSF 1.1, class ``detection_finding``, class_uid 2004).

A JSON array with one event per finding, for tools that ingest OCSF (Security Lake, SIEMs):
``finding_info`` (uid, title, desc, types), ``severity_id``/``severity`` from the finding's
severity, ``status_id``/``status`` from its verdict (``New`` for what needs attention,
``Resolved`` for a pass, ``Other``/"Not Applicable"), the delivery stream in ``resources``
and ``cloud``, ``metadata.product`` naming this tool, and the audit's own words (verdict,
requirement IDs, evidence) in ``unmapped``.
"""

from __future__ import annotations

import json
from typing import Any

from firehose_conformance.audit.findings import AuditReport, Finding, Severity, StreamAudit
from firehose_conformance.provenance import DISTRIBUTION, package_version
from firehose_conformance.verdicts import Verdict

OCSF_VERSION = "1.1.0"
CATEGORY_UID, CATEGORY = 2, "Findings"
CLASS_UID, CLASS = 2004, "Detection Finding"
ACTIVITY_ID, ACTIVITY = 1, "Create"
RESOURCE_TYPE = "AWS::KinesisFirehose::DeliveryStream"
SEVERITY_IDS = {
    Severity.INFORMATIONAL: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
}
STATUS = {
    Verdict.FAILED: (1, "New"),
    Verdict.ERROR: (1, "New"),
    Verdict.WARN: (1, "New"),
    Verdict.PASSED: (4, "Resolved"),
    Verdict.NOT_APPLICABLE: (99, "Not Applicable"),
}


def render_ocsf(report: AuditReport) -> str:
    events = [
        detection_finding(report, stream, finding)
        for stream in report.streams
        for finding in stream.findings
    ]
    return json.dumps(events, indent=2) + "\n"


def detection_finding(report: AuditReport, stream: StreamAudit, finding: Finding) -> dict[str, Any]:
    severity_id, severity = SEVERITY_IDS[finding.severity]
    status_id, status = STATUS[finding.verdict]
    time = int(report.generated_at.timestamp() * 1000)
    account = stream.account or report.caller_account
    resource: dict[str, Any] = {
        "uid": stream.label,
        "name": stream.name,
        "type": RESOURCE_TYPE,
        "region": stream.region,
        "cloud_partition": _partition(stream.arn),
    }
    cloud: dict[str, Any] = {"provider": "AWS", "region": stream.region}
    if account:
        cloud["account"] = {"uid": account, "type": "AWS Account", "type_id": 10}
    return {
        "activity_id": ACTIVITY_ID,
        "activity_name": ACTIVITY,
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY,
        "class_uid": CLASS_UID,
        "class_name": CLASS,
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": f"{CLASS}: {ACTIVITY}",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "message": finding.message,
        "finding_info": {
            "uid": f"{stream.label}#{finding.id}",
            "title": f"{finding.title}: {stream.name}",
            "desc": finding.message,
            "types": ["Firehose data protection", finding.id],
            "created_time": time,
            "analytic": {
                "uid": finding.id,
                "name": finding.title,
                "type": "Rule",
                "type_id": 1,
            },
        },
        "resources": [resource],
        "cloud": cloud,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "firehose-conformance audit",
                "vendor_name": DISTRIBUTION,
                "version": package_version(DISTRIBUTION),
            },
        },
        "unmapped": {
            "verdict": finding.verdict.value,
            "requirements": list(finding.requirements),
            "evidence": dict(finding.evidence),
            "source_type": stream.source_type,
        },
    }


def _partition(arn: str | None) -> str:
    parts = (arn or "").split(":")
    return parts[1] if len(parts) > 2 and parts[1] else "aws"
