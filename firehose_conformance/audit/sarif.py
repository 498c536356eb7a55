"""The audit as SARIF 2.1.0, for code-scanning UIs and tools that ingest static-analysis results.

One run; one rule per finding id (``sse-status``, ``sse-key-policy``, ``alarm-KMSKeyDisabled``,
...) with its title; one result per finding that needs attention (``failed``, ``error``,
``warn``), its ``level`` from the finding's severity (high: ``error``, medium: ``warning``, low:
``note``), located at the delivery stream's ARN through ``logicalLocations``. Passed and not
applicable findings are counted in ``runs[0].properties.summary``, not listed. The result's
``properties`` keep the audit's own words: verdict, severity, requirement IDs, evidence.
"""

from __future__ import annotations

import json
from typing import Any

from firehose_conformance.audit.findings import (
    FINDING_TITLES,
    AuditReport,
    Finding,
    Severity,
    StreamAudit,
)
from firehose_conformance.provenance import DISTRIBUTION, package_version
from firehose_conformance.verdicts import Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVELS = {
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFORMATIONAL: "none",
}
LISTED = (Verdict.FAILED, Verdict.ERROR, Verdict.WARN)


def render_sarif(report: AuditReport) -> str:
    rule_ids = list(FINDING_TITLES)
    results = [
        _result(stream, finding, rule_ids.index(finding.id))
        for stream in report.streams
        for finding in stream.findings
        if finding.verdict in LISTED
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "firehose-conformance audit",
                        "organization": DISTRIBUTION,
                        "version": package_version(DISTRIBUTION),
                        "rules": [_rule(rule_id) for rule_id in rule_ids],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": report.complete,
                        "exitCode": report.exit_code,
                        "endTimeUtc": report.generated_at.isoformat(),
                    }
                ],
                "results": results,
                "properties": {
                    "accounts": list(report.accounts),
                    "regions": list(report.regions),
                    "endpoint_url": report.endpoint_url,
                    "summary": {"streams": len(report.streams), **report.counts()},
                },
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _rule(rule_id: str) -> dict[str, Any]:
    # The level a failure of this rule has: alarms never fail, at most warn (low).
    level = "note" if rule_id.startswith("alarm-") else "error"
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": FINDING_TITLES[rule_id]},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["security", "firehose", "encryption"]},
    }


def _result(stream: StreamAudit, finding: Finding, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{stream.name}: {finding.message}"},
        "locations": [
            {
                "logicalLocations": [
                    {
                        "name": stream.name,
                        "fullyQualifiedName": stream.label,
                        "kind": "resource",
                    }
                ]
            }
        ],
        "partialFingerprints": {"findingUid/v1": f"{stream.label}#{finding.id}"},
        "properties": {
            "verdict": finding.verdict.value,
            "severity": finding.severity.value,
            "requirements": list(finding.requirements),
            "region": stream.region,
            "source_type": stream.source_type,
            "evidence": dict(finding.evidence),
        },
    }
