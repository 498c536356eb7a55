"""`firehose-conformance report`: every format, to stdout or a directory, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firehose_conformance.cli import main


@pytest.fixture
def two_files(tmp_path: Path, make_results, write_file) -> list[str]:
    a = write_file(make_results("ref", {"SSE-02": "passed"}), tmp_path / "results-ref.json")
    b = write_file(make_results("emu", {"SSE-02": "failed"}), tmp_path / "results-emu.json")
    return [str(a), str(b)]


def test_table_to_stdout_by_default(two_files, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", *two_files]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["requirement", "level", "ref", "emu"]
    assert "passed" in out and "untested" in out  # the legend


@pytest.mark.parametrize(
    ("fmt", "name", "marker"),
    [
        ("table", "report.txt", "requirement"),
        ("md", "report.md", "## Matrix"),
        ("html", "report.html", '<article class="requirement" id="SSE-02"'),
        ("json", "report.json", '"schema": "firehose-conformance/merged/v1"'),
    ],
)
def test_each_format_is_written_to_the_out_directory(
    two_files, tmp_path: Path, fmt: str, name: str, marker: str, capsys
) -> None:
    out = tmp_path / "out"
    assert main(["report", *two_files, "--format", fmt, "--out", str(out)]) == 0
    assert f"wrote {out / name}" in capsys.readouterr().out
    text = (out / name).read_text(encoding="utf-8")
    assert marker in text
    if fmt == "json":
        assert [t["label"] for t in json.loads(text)["targets"]] == ["ref", "emu"]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["report"], "required: RESULTS.json"),
        (["report", "missing.json"], "missing.json: no such results file"),
        (["report", __file__], "not a readable JSON results file"),
        (["report", __file__, "--format", "pdf"], "invalid choice: 'pdf'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, fragment, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
