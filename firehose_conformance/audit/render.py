"""The audit report as a terminal table (default), Markdown, JSON (schema ``audit/v3``), OCSF
Detection Findings (``ocsf.py``) or SARIF 2.1.0 (``sarif.py``)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from tabulate import SEPARATING_LINE, tabulate

from firehose_conformance.audit.findings import AuditReport, Finding, Severity, StreamAudit
from firehose_conformance.audit.ocsf import render_ocsf
from firehose_conformance.audit.sarif import render_sarif
from firehose_conformance.verdicts import Verdict

FORMATS = ("table", "json", "md", "ocsf", "sarif")
UNKNOWN_SOURCE = "source type not read"
MESSAGE_WIDTH = 64
IDS_PER_LINE = 3


def render(report: AuditReport, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "table":
        return render_table(report)
    if fmt == "ocsf":
        return render_ocsf(report)
    if fmt == "sarif":
        return render_sarif(report)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"


def summary_line(report: AuditReport) -> str:
    """``3 stream(s) of account 123456789012 in us-east-1: 14 passed, 1 failed, ...``."""
    counts = report.counts()
    accounts = report.accounts
    if accounts:
        whose = f"account{'s' if len(accounts) > 1 else ''} {', '.join(accounts)}"
    else:
        whose = "an unknown account"
    where = ", ".join(report.regions)
    if report.endpoint_url:
        where += f" at {report.endpoint_url}"
    text = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    return f"{len(report.streams)} stream(s) of {whose} in {where}: {text}"


def completeness_line(report: AuditReport) -> str:
    """Empty for a complete audit; else what could not be evaluated and what it means."""
    if report.complete:
        return ""
    count = f"{report.errors} finding(s) could not be evaluated (error)"
    if report.allow_partial:
        return f"partial audit (--allow-partial): {count}"
    return f"could not complete: {count}; exit 2 (--allow-partial accepts a partial audit)"


def _summary(report: AuditReport) -> str:
    lines = [summary_line(report), completeness_line(report)]
    return "\n".join(line for line in lines if line) + "\n"


def render_table(report: AuditReport) -> str:
    several = len(report.regions) > 1
    rows: list[Any] = []
    for index, stream in enumerate(report.streams):
        if index:
            rows.append(SEPARATING_LINE)
        for position, finding in enumerate(stream.findings):
            row = [
                "" if position else _stream_label(stream, several),
                finding.id,
                _verdict_cell(finding),
                _wrap_ids(finding.requirements),
                _wrap(finding.message, MESSAGE_WIDTH),
            ]
            rows.append(row)
    if not rows:
        return f"no delivery streams\n{_summary(report)}"
    table = tabulate(
        rows,
        headers=["stream", "finding", "verdict", "requirements", "message"],
        tablefmt="simple",
    )
    return f"{table}\n\n{_summary(report)}"


def render_markdown(report: AuditReport) -> str:
    lines = ["# Firehose data-protection audit", "", summary_line(report), ""]
    if not report.complete:
        lines += [f"**{completeness_line(report)}**", ""]
    for stream in report.streams:
        source = f"`{stream.source_type}`" if stream.source_type else UNKNOWN_SOURCE
        lines += [
            f"## {stream.name} ({stream.region}): {stream.verdict.value}",
            "",
            f"Source: {source}" + (f"; ARN `{stream.arn}`" if stream.arn else ""),
            "",
            "| finding | verdict | severity | requirements | message | evidence |",
            "|---|---|---|---|---|---|",
        ]
        for finding in stream.findings:
            evidence = "<br>".join(
                f"`{_cell(key)}`: `{_cell(json.dumps(value))}`"
                for key, value in finding.evidence.items()
            )
            lines.append(
                f"| {finding.id} | {_verdict_md(finding.verdict)} | {finding.severity.value} | "
                f"{', '.join(finding.requirements)} | {_cell(finding.message)} | {evidence} |"
            )
        lines.append("")
    return "\n".join(lines)


def _stream_label(stream: StreamAudit, several_regions: bool) -> str:
    name = f"{stream.region}/{stream.name}" if several_regions else stream.name
    return f"{name}\n({stream.source_type or UNKNOWN_SOURCE})"


def _verdict_cell(finding: Finding) -> str:
    """The verdict, and its severity unless informational: ``failed (high)``."""
    if finding.severity is Severity.INFORMATIONAL:
        return finding.verdict.value
    return f"{finding.verdict.value} ({finding.severity.value})"


def _wrap(text: str, width: int) -> str:
    """Wrapped at spaces only: ARNs and key ids stay whole (tabulate would split at hyphens)."""
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False)


def _wrap_ids(ids: tuple[str, ...]) -> str:
    lines = [ids[i : i + IDS_PER_LINE] for i in range(0, len(ids), IDS_PER_LINE)]
    return "\n".join(" ".join(line) for line in lines)


def _verdict_md(verdict: Verdict) -> str:
    emphasised = (Verdict.FAILED, Verdict.ERROR)
    return f"**{verdict.value}**" if verdict in emphasised else verdict.value


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
