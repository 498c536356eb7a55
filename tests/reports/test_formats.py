"""The four renderings of a merged view, checked without a browser."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

from firehose_conformance.catalog import load_catalog
from firehose_conformance.features import (
    load_all_scenario_texts,
    scenarios_by_requirement,
)
from firehose_conformance.reports.html import render_html
from firehose_conformance.reports.jsondoc import SCHEMA, merged_document
from firehose_conformance.reports.markdown import render_markdown
from firehose_conformance.reports.merge import merge
from firehose_conformance.reports.normalise import stable_reason
from firehose_conformance.reports.symbols import legend_line, needs_ascii
from firehose_conformance.reports.table import render_table

HOSTILE = '<script>window.pwned = 1</script> | *x* [y](z) & "q"'


def _merged(make_results):
    a = make_results("ref", {"SSE-02": "passed", "SSE-04": "passed", "API-12": "not_applicable"})
    b = make_results(
        "emu",
        {"SSE-02": "failed", "SSE-03": "error", "SSE-04": "passed", "API-12": "not_applicable"},
    )
    _scenario_of(b, "SSE-02").reason = HOSTILE
    return merge([a, b], load_catalog())


def _scenario_of(results, rid):
    return next(s for s in results.scenarios if s.requirements == [rid])


def test_table_is_a_matrix_with_symbols_legend_and_counts(make_results) -> None:
    text = render_table(_merged(make_results))
    header = text.splitlines()[0].split()
    assert header == ["requirement", "level", "ref", "emu"]
    assert re.search(r"^SSE-02\s+MUST\s+✔\s+✘\s*$", text, re.M)
    assert re.search(r"^SSE-03\s+MUST\s+\?\s+!\s*$", text, re.M)
    assert legend_line() in text
    assert re.search(r"^emu\s+1 ✔\s+1 ✘\s+1 !\s+1 –\s+72 \?", text, re.M)


def test_table_falls_back_to_ascii_where_the_terminal_cannot_print_symbols(make_results) -> None:
    text = render_table(_merged(make_results), ascii=True)
    text.encode("ascii")
    assert re.search(r"^SSE-02\s+MUST\s+ok\s+FAIL\s*$", text, re.M)
    assert needs_ascii(io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert not needs_ascii(io.TextIOWrapper(io.BytesIO(), encoding="utf-8"))


def test_markdown_has_the_matrix_and_escaped_reasons_per_requirement(make_results) -> None:
    text = render_markdown(_merged(make_results))
    assert "| requirement | level | `ref` | `emu` |" in text
    assert "| SSE-02 | MUST | ✔ | ✘ |" in text
    reasons = text[text.index("## Reasons") :]
    assert "### SSE-02" in reasons and "### SSE-04" not in reasons  # passed everywhere: absent
    assert "### SSE-01" in reasons and "no scenario checks this requirement" in reasons
    escaped = r'\<script\>window.pwned = 1\</script\> \| \*x\* \[y\](z) & "q"'
    assert f"- ✘ *scenario for SSE-02*: {escaped}" in reasons
    assert "2026-11-28T10:00:00+00:00" in text  # not stable: the start time is shown


def test_stable_markdown_has_no_times_and_normalised_reasons(make_results) -> None:
    merged = _merged(make_results)
    scenario = _scenario_of(merged.runs[1].results, "SSE-02")
    scenario.reason = "fsc-0a1b2c-fh-3 at 2026-11-28T10:00:00Z"
    text = render_markdown(merged, stable=True, spec_link="../SPEC.md")
    assert "2026-11-28" not in text and " s |" not in text
    assert "fsc-…-fh-3 at {time}" in text
    assert "[SSE-02](../SPEC.md#sse-02)" in text


def test_normalise_replaces_what_varies_between_runs() -> None:
    reason = (
        "stream fsc-ab12cd-fh-3 key arn:aws:kms:us-east-1:123456789012:key/"
        "1234abcd-12ab-34cd-56ef-1234567890ab record 0123456789abcdef0123456789abcdef "
        "at 2026-11-28 10:00:00.123+00:00; expected ENABLED within 120 s"
    )
    assert stable_reason("names: ['fsc-ab12cd-bulk-1', 'fsc-ab1...") == (
        "names: ['fsc-…-bulk-{n}', 'fsc-…..."
    )
    assert stable_reason("within the KMS bound of 10 s; 28 put(s) accepted") == (
        "within the KMS bound of 10 s; {n} put(s) accepted"
    )
    assert stable_reason(reason) == (
        "stream fsc-…-fh-3 key arn:aws:kms:us-east-1:123456789012:key/{uuid} record {hex} "
        "at {time}; expected ENABLED within 120 s"
    )


def test_merged_json_joins_scenarios_across_targets(make_results) -> None:
    document = merged_document(_merged(make_results))
    json.dumps(document)
    assert document["schema"] == SCHEMA
    assert [t["label"] for t in document["targets"]] == ["ref", "emu"]
    sse02 = next(r for r in document["requirements"] if r["id"] == "SSE-02")
    assert sse02["verdicts"]["emu"]["verdict"] == "failed"
    scenario = next(s for s in document["scenarios"] if s["requirements"] == ["SSE-02"])
    assert set(scenario["results"]) == {"ref", "emu"}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_html_is_self_contained_with_an_anchor_per_requirement(make_results) -> None:
    merged = _merged(make_results)
    page = render_html(merged, scenarios_by_requirement(load_all_scenario_texts()))
    parser = _Collect()
    parser.feed(page)
    for rid in load_catalog():
        assert rid in parser.ids
    assert len(parser.ids) == len(set(parser.ids)), "duplicate ids"
    assert all(url.startswith("#") for url in parser.urls), "only in-page links"
    assert "link" not in parser.tags and "img" not in parser.tags
    assert "@import" not in page and "url(" not in page
    assert parser.tags.count("script") == 1  # the page's own; the hostile reason is escaped
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page


def _not_implemented_results(make_results):
    """A target that answered StartDeliveryStreamEncryption as not implemented."""
    import dataclasses

    from firehose_conformance.results import build_results

    base = make_results("emu", {"SSE-02": "error", "SSE-03": "error", "SSE-04": "passed"})
    cause = "not_implemented: StartDeliveryStreamEncryption"
    scenarios = [
        dataclasses.replace(s, cause=cause, reason="When I start: 501")
        if s.verdict == "error"
        else s
        for s in base.scenarios
    ]
    return build_results(
        target="emu",
        started_at=base.started_at,
        duration_s=base.duration_s,
        scenarios=scenarios,
        catalog=load_catalog(),
    )


def test_not_implemented_is_said_once_per_operation(make_results) -> None:
    from firehose_conformance.commands.run import render_table as run_table

    results = _not_implemented_results(make_results)
    merged = merge([results], load_catalog())
    line = "StartDeliveryStreamEncryption not implemented: 2 requirements blocked"
    assert f"{line} (SSE-02 SSE-03)" in run_table(results)
    assert "emu  StartDeliveryStreamEncryption not implemented: 2" in render_table(merged)
    markdown = render_markdown(merged, stable=True, spec_link="../SPEC.md")
    assert f"- `emu`: {line} ([SSE-02](../SPEC.md#sse-02)" in markdown
    assert "  - StartDeliveryStreamEncryption not implemented (1 scenario(s))" in markdown
    assert "When I start: 501" not in markdown  # not repeated scenario by scenario
    page = render_html(merged, scenarios_by_requirement(load_all_scenario_texts()))
    assert "StartDeliveryStreamEncryption not implemented: 2 requirement(s) blocked" in page


def test_a_requirement_blocked_by_start_and_stop_is_said_once_under_both(make_results) -> None:
    """LocalStack answers 501 for Start and for Stop: SSE-07's scenarios name either."""
    import dataclasses

    from firehose_conformance.results import build_results

    base = make_results("emu", {"SSE-07": "error"})
    template = next(s for s in base.scenarios if s.verdict == "error")
    scenarios = [s for s in base.scenarios if s.verdict != "error"] + [
        dataclasses.replace(
            template,
            nodeid=f"{template.nodeid}-{operation}",
            name=f"{template.name} ({operation})",
            cause=f"not_implemented: {operation}DeliveryStreamEncryption",
            reason=f"When I {operation.lower()}: 501",
        )
        for operation in ("Start", "Stop")
    ]
    results = build_results(
        target="emu",
        started_at=base.started_at,
        duration_s=base.duration_s,
        scenarios=scenarios,
        catalog=load_catalog(),
    )
    markdown = render_markdown(merge([results], load_catalog()), stable=True)
    assert "- `emu`: StopDeliveryStreamEncryption not implemented: 1 requirement blocked" in (
        markdown
    )
    assert (
        "  - StartDeliveryStreamEncryption, StopDeliveryStreamEncryption not implemented "
        "(2 scenario(s))"
    ) in markdown
    assert ": 501" not in markdown


def test_html_renders_the_ambiguities_and_the_stances_with_links(make_results) -> None:
    page = render_html(_merged(make_results), scenarios_by_requirement(load_all_scenario_texts()))
    parser = _Collect()
    parser.feed(page)
    assert {f"AMB-{n:02d}" for n in range(1, 30)} <= set(parser.ids)
    assert "#AMB-09" in parser.urls  # cited by SSE-04's stance and its scenario's comment
    assert '<p class="stance"><b>Stance</b>' in page
    assert all(url[1:] in parser.ids for url in parser.urls if url.startswith("#AMB-"))


def test_a_stopped_run_s_words_get_their_symbols_and_legend_lines_in_every_format(
    make_results,
) -> None:
    """not_run and not_selected show with their symbols, and the legends explain them; a
    complete run's legend is as it always was."""
    stopped = make_results("stopped", {"SSE-02": "passed", "SSE-03": "not_run"})
    for rid in ("SSE-04", "SSE-05"):
        next(r for r in stopped.requirements if r.id == rid).verdict = "not_selected"
    merged = merge([stopped], load_catalog())
    text = render_table(merged)
    assert re.search(r"^SSE-03\s+MUST\s+○\s*$", text, re.M)
    assert re.search(r"^SSE-04\s+MUST\s+·\s*$", text, re.M)
    assert "○ not run" in text and "· not selected" in text
    assert "○ not run" in render_markdown(merged)
    assert "not selected" in render_html(merged, {})
    complete = render_markdown(_merged(make_results))
    assert "not run" not in complete and "not selected" not in complete


def test_the_report_table_is_coloured_only_when_asked(make_results) -> None:
    merged = _merged(make_results)
    assert "\x1b[" not in render_table(merged)
    coloured = render_table(merged, colour=True)
    assert "\x1b[1;31m✘\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render_table(merged)
