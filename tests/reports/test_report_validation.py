"""`report` checks its input: a verdict word or a requirement ID the project does not know is
exit 2, one line naming the file, the value and where it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from firehose_conformance.cli import main


@pytest.fixture
def document(tmp_path: Path, make_results, write_file) -> dict[str, Any]:
    results = make_results("emu", {"SSE-02": "failed", "SSE-03": "passed"})
    path = write_file(results, tmp_path / "results-emu.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _report(tmp_path: Path, data: dict[str, Any], capsys) -> tuple[int, str]:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code = main(["report", str(path)])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


def _index(data: dict[str, Any], rid: str) -> int:
    return next(i for i, s in enumerate(data["scenarios"]) if rid in s["requirements"])


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d["scenarios"][_index(d, "SSE-02")].update(verdict="bogus"),
            "scenarios[{SSE-02}].verdict ('scenario for SSE-02') is 'bogus', not a verdict "
            "word (passed, failed, not_applicable, error, interrupted, not_run)",
        ),
        (
            lambda d: d["scenarios"][_index(d, "SSE-03")].update(verdict="warn"),
            "scenarios[{SSE-03}].verdict ('scenario for SSE-03') is 'warn', not a verdict word",
        ),
        (
            lambda d: d["scenarios"][_index(d, "SSE-03")].update(requirements=["SSE-99"]),
            "scenarios[{SSE-03}].requirements[0] ('scenario for SSE-03') is 'SSE-99', not a "
            "requirement ID of the catalog",
        ),
        (
            lambda d: d["requirements"][1].update(verdict="PASSED"),
            "requirements[1].verdict (SRC-02) is 'PASSED', not a verdict word (passed, failed, "
            "not_applicable, error, untested",
        ),
        (
            lambda d: d["requirements"][0].update(id="XYZ-01"),
            "requirements[0].id is 'XYZ-01', not a requirement ID of the catalog",
        ),
        (
            lambda d: d["summary"].update(bogus=1),
            "a key of summary is 'bogus', not a verdict word",
        ),
        (
            lambda d: d["scenarios"][_index(d, "SSE-02")].update(observed=["SSE-02", "NOPE-1"]),
            "scenarios[{SSE-02}].observed[1] ('scenario for SSE-02') is 'NOPE-1', not a "
            "requirement ID of the catalog",
        ),
    ],
)
def test_an_unknown_word_or_id_is_one_line_and_exit_2(
    tmp_path: Path, document: dict[str, Any], edit, expected: str, capsys
) -> None:
    positions = {rid: _index(document, rid) for rid in ("SSE-02", "SSE-03")}
    edit(document)
    code, err = _report(tmp_path, document, capsys)
    assert code == 2
    assert err.startswith(
        f"firehose-conformance: error: {tmp_path / 'edited.json'}: {expected.format(**positions)}"
    )
    assert err.count("\n") == 1


def test_a_known_document_is_reported(tmp_path: Path, document: dict[str, Any], capsys) -> None:
    path = tmp_path / "fine.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert main(["report", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["targets"][0]["label"] == "emu"
