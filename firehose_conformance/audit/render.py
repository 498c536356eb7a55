"""The audit report as a terminal table (default), Markdown, or JSON (schema ``audit/v2``)."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from tabulate import SEPARATING_LINE, tabulate

from firehose_conformance.audit.findings import AuditReport, StreamAudit
from firehose_conformance.verdicts import Verdict

FORMATS = ("table", "json", "md")
MESSAGE_WIDTH = 64
IDS_PER_LINE = 3


def render(report: AuditReport, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "table":
        return render_table(report)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"


def summary_line(report: AuditReport) -> str:
    counts = report.counts()
    where = ", ".join(report.regions)
    if report.endpoint_url:
        where += f" at {report.endpoint_url}"
    text = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    return f"{len(report.streams)} stream(s) in {where}: {text}"


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
                finding.verdict.value,
                _wrap_ids(finding.requirements),
                _wrap(finding.message, MESSAGE_WIDTH),
            ]
            rows.append(row)
    if not rows:
        return f"no delivery streams\n{summary_line(report)}\n"
    table = tabulate(
        rows,
        headers=["stream", "finding", "verdict", "requirements", "message"],
        tablefmt="simple",
    )
    return f"{table}\n\n{summary_line(report)}\n"


def render_markdown(report: AuditReport) -> str:
    lines = ["# Firehose data-protection audit", "", summary_line(report), ""]
    for stream in report.streams:
        lines += [
            f"## {stream.name} ({stream.region}): {stream.verdict.value}",
            "",
            f"Source: `{stream.source_type}`" + (f"; ARN `{stream.arn}`" if stream.arn else ""),
            "",
            "| finding | verdict | requirements | message | evidence |",
            "|---|---|---|---|---|",
        ]
        for finding in stream.findings:
            evidence = "<br>".join(
                f"`{_cell(key)}`: `{_cell(json.dumps(value))}`"
                for key, value in finding.evidence.items()
            )
            lines.append(
                f"| {finding.id} | {_verdict_md(finding.verdict)} | "
                f"{', '.join(finding.requirements)} | {_cell(finding.message)} | {evidence} |"
            )
        lines.append("")
    return "\n".join(lines)


def _stream_label(stream: StreamAudit, several_regions: bool) -> str:
    name = f"{stream.region}/{stream.name}" if several_regions else stream.name
    return f"{name}\n({stream.source_type})"


def _wrap(text: str, width: int) -> str:
    """Wrapped at spaces only: ARNs and key ids stay whole (tabulate would split at hyphens)."""
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False)


def _wrap_ids(ids: tuple[str, ...]) -> str:
    lines = [ids[i : i + IDS_PER_LINE] for i in range(0, len(ids), IDS_PER_LINE)]
    return "\n".join(" ".join(line) for line in lines)


def _verdict_md(verdict: Verdict) -> str:
    return f"**{verdict.value}**" if verdict is Verdict.FAILED else verdict.value


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
