"""The merged JSON document (schema ``firehose-conformance/merged/v1``): one view, all targets.

Requirements keep catalog order; scenarios are joined across targets by pytest node ID, so a
consumer can compare one scenario's verdicts side by side.
"""

from __future__ import annotations

import json
from typing import Any

from firehose_conformance.reports.merge import Merged

SCHEMA = "firehose-conformance/merged/v1"


def merged_document(merged: Merged) -> dict[str, Any]:
    targets = [
        {
            "label": run.label,
            "target": run.results.target,
            "started_at": run.results.started_at,
            "duration_s": run.results.duration_s,
            "summary": run.results.summary,
            "requirement_summary": run.results.requirement_summary,
            "mandatory_failed_or_errored": len(run.results.blocking_failures),
        }
        for run in merged.runs
    ]
    requirements = [
        {
            "id": row.id,
            "area": row.area,
            "level": row.level,
            "mandatory": row.mandatory,
            "sentence": row.sentence,
            "verdicts": {
                label: {"verdict": cell.verdict, "reason": cell.reason}
                for label, cell in row.cells.items()
            },
        }
        for row in merged.rows
    ]
    scenarios: dict[str, dict[str, Any]] = {}
    for run in merged.runs:
        for s in run.results.scenarios:
            entry = scenarios.setdefault(
                s.nodeid,
                {
                    "nodeid": s.nodeid,
                    "feature": s.feature,
                    "name": s.name,
                    "requirements": s.requirements,
                    "capabilities": s.capabilities,
                    "results": {},
                },
            )
            entry["results"][run.label] = {
                "verdict": s.verdict,
                "reason": s.reason,
                "duration_s": s.duration_s,
            }
    return {
        "schema": SCHEMA,
        "targets": targets,
        "requirements": requirements,
        "scenarios": [scenarios[nodeid] for nodeid in sorted(scenarios)],
    }


def render_json(merged: Merged) -> str:
    return json.dumps(merged_document(merged), indent=2, ensure_ascii=False) + "\n"
