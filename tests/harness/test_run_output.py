"""What `run` prints and where it writes, without running the suite: the table (failures first,
unselected requirements in one line), the failure list (whole reasons, wrapped), the last line
(the failing mandatory requirements by ID), colour, the JUnit path beside --results, and the
selection's filters."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from firehose_conformance.catalog import load_catalog
from firehose_conformance.commands.run import (
    failure_list,
    interrupted_line,
    junit_beside,
    mandatory_line,
    render_table,
    summary_line,
)
from firehose_conformance.errors import UsageError
from firehose_conformance.outputs import check_dir, check_file, colour_wanted
from firehose_conformance.results import Results, ScenarioResult, build_results, not_implemented
from firehose_conformance.runner import Selection

LONG = (
    'Then the encryption status of "S" becomes "ENABLED": encryption status ENABLED of '
    "fsc-0a1b-fh-1 not reached: it ended ENABLING_FAILED, which it cannot leave (after 12 s); "
    "observed: ENABLING -> ENABLING_FAILED; the part that explains it comes last: KMS refused"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _results(verdicts: dict[str, tuple[str, str]], **extra) -> Results:
    """One scenario per requirement: ID -> (verdict, reason)."""
    scenarios = [
        ScenarioResult(
            f"x::{rid}",
            "F",
            f"scenario of {rid}",
            [rid],
            [],
            verdict,
            reason,
            0.01,
            observed=[rid] if verdict == "passed" else [],
            charged=[rid] if verdict in ("failed", "error") else [],
            cause="not_implemented: StartDeliveryStreamEncryption" if "501" in reason else "",
        )
        for rid, (verdict, reason) in verdicts.items()
    ]
    return build_results(
        target="t",
        started_at="now",
        duration_s=1.0,
        scenarios=scenarios,
        catalog=load_catalog(),
        **extra,
    )


@pytest.fixture
def mixed() -> Results:
    catalog = list(load_catalog())
    verdicts = {rid: ("passed", "") for rid in catalog}
    verdicts["SRC-01"] = ("not_applicable", "lacks @needs-x")
    verdicts["KEY-06"] = ("failed", LONG)
    verdicts["SSE-02"] = ("failed", "observed ENABLED")
    verdicts["API-06"] = ("error", "HTTP 500 InternalFailure")
    verdicts["GRT-04"] = ("failed", "a SHOULD NOT: not mandatory")
    return _results(verdicts)


def _rows(table: str) -> list[str]:
    return [line.split()[0] for line in table.splitlines()[2:] if re.match(r"[A-Z]{3}-\d\d", line)]


def test_the_table_lists_failures_first_then_errors_then_the_rest_in_catalog_order(mixed) -> None:
    rows = _rows(render_table(mixed))
    assert rows[:4] == ["SSE-02", "KEY-06", "GRT-04", "API-06"]
    assert rows[4:] == [rid for rid in load_catalog() if rid not in rows[:4]]


def test_the_last_line_names_the_failing_mandatory_requirements(mixed) -> None:
    assert mandatory_line(mixed) == "mandatory requirements failed: SSE-02, KEY-06; errored: API-06"
    clean = _results({"SSE-02": ("passed", "")})
    assert mandatory_line(clean) == "no mandatory requirement failed or errored"
    only_errors = _results({"API-06": ("error", "HTTP 500")})
    assert mandatory_line(only_errors) == "mandatory requirements errored: API-06"


def test_the_failure_list_wraps_whole_reasons_that_the_table_cuts(mixed) -> None:
    assert "KMS refused" not in render_table(mixed)  # the cell is cut short
    listed = failure_list(mixed, width=60)
    assert "…" not in listed
    assert " ".join(listed.split()).count("the part that explains it comes last: KMS refused") == 1
    assert all(len(line) <= 60 for line in listed.splitlines())
    heads = [line for line in listed.splitlines() if not line.startswith(" ")]
    assert heads == [
        "SSE-02 MUST failed",
        "KEY-06 MUST failed",
        "GRT-04 SHOULD NOT failed",
        "API-06 MUST error",
    ]


def test_an_operation_not_implemented_is_said_once_not_in_the_failure_list() -> None:
    results = _results({"SSE-02": ("error", "HTTP 501"), "SSE-03": ("error", "HTTP 501")})
    assert failure_list(results) == ""
    assert "StartDeliveryStreamEncryption not implemented: 2 requirements blocked" in (
        render_table(results)
    )


def _blocked(rid: str, causes: list[str]) -> list[ScenarioResult]:
    """Error scenarios of ``rid``, one per cause (LocalStack answers 501 for Start and Stop)."""
    return [
        ScenarioResult(
            f"x::{rid}-{n}",
            "F",
            f"scenario {n} of {rid}",
            [rid],
            [],
            "error",
            "HTTP 501" if cause else "HTTP 500 InternalFailure",
            0.01,
            charged=[rid],
            cause=cause,
        )
        for n, cause in enumerate(causes)
    ]


def test_a_requirement_blocked_by_two_missing_operations_is_listed_under_both() -> None:
    start = "not_implemented: StartDeliveryStreamEncryption"
    stop = "not_implemented: StopDeliveryStreamEncryption"
    scenarios = [
        *_blocked("SSE-07", [start, stop, start]),
        *_blocked("SSE-02", [start]),
        *_blocked("API-06", [start, ""]),  # one of them is some other error
    ]
    results = build_results(
        target="t", started_at="now", duration_s=1.0, scenarios=scenarios, catalog=load_catalog()
    )
    causes = {r.id: r.cause for r in results.requirements if r.verdict == "error"}
    assert causes == {
        "SSE-02": start,
        "SSE-07": f"{start}, StopDeliveryStreamEncryption",
        "API-06": "",
    }
    assert not_implemented(results) == {
        "StartDeliveryStreamEncryption": ["SSE-02", "SSE-07"],
        "StopDeliveryStreamEncryption": ["SSE-07"],
    }
    table = render_table(results)
    assert "StopDeliveryStreamEncryption not implemented: 1 requirement blocked (SSE-07)" in table
    assert [line.split()[0] for line in failure_list(results).splitlines()[:1]] == ["API-06"]


def test_requirements_outside_the_selection_are_one_line_not_rows() -> None:
    results = _results(
        {"SSE-02": ("passed", "")},
        deselected={rid: 1 for rid in load_catalog() if rid != "SSE-02"},
        selection="-m SSE-02",
    )
    table = render_table(results)
    assert _rows(table) == ["SSE-02"]
    assert "75 requirements not selected by -m SSE-02: SRC-01..SRC-11 SSE-01 SSE-03..SSE-19" in (
        table
    )
    assert "untested" not in table and "no scenario checks" not in table
    assert "75 not selected" in summary_line(results)


def test_the_summary_is_the_suite_s_counts_and_says_what_was_not_run() -> None:
    results = _results(
        {
            "SSE-02": ("passed", ""),
            "SSE-03": ("interrupted", "by SIGINT"),
            "SSE-04": ("not_run", ""),
        },
        interrupted=True,
    )
    line = summary_line(results)
    assert "1 interrupted, 1 not run" in line and "2 not run" in line  # scenarios, requirements
    assert interrupted_line(results).startswith(
        "interrupted during 'scenario of SSE-03': 1 scenario(s) not run"
    )


def test_colour_only_where_asked(mixed) -> None:
    assert not ANSI.search(render_table(mixed) + failure_list(mixed) + mandatory_line(mixed))
    painted = render_table(mixed, colour=True)
    assert "\x1b[1;31m✘ failed\x1b[0m" in painted
    assert ANSI.sub("", painted) == render_table(mixed)  # the same table, aligned alike
    assert mandatory_line(mixed, colour=True).startswith("\x1b[1;31m")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "environ", "wanted"),
    [
        (_Tty(), {}, True),
        (io.StringIO(), {}, False),  # piped
        (_Tty(), {"NO_COLOR": "1"}, False),
        (_Tty(), {"NO_COLOR": ""}, True),  # no-color.org: set and not empty
        (_Tty(), {"TERM": "dumb"}, False),
        (io.StringIO(), {"FORCE_COLOR": "1"}, True),
        (io.StringIO(), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_on_a_terminal_unless_no_color(stream, environ, wanted: bool) -> None:
    assert colour_wanted(stream, environ) is wanted


@pytest.mark.parametrize(
    ("results", "junit"),
    [
        ("reports/results-moto.json", "reports/junit-moto.xml"),
        ("out/results.json", "out/junit.xml"),
        ("out/nightly.json", "out/junit-nightly.xml"),
        ("results-x.json", "junit-x.xml"),
    ],
)
def test_the_junit_file_goes_beside_the_results(results: str, junit: str) -> None:
    assert junit_beside(Path(results)) == Path(junit)


def test_an_unwritable_path_is_one_line_and_nothing_is_created(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("")
    with pytest.raises(UsageError, match=r"^--results .*afile/r\.json: .*afile is not a directory"):
        check_file(blocker / "r.json", "--results")
    with pytest.raises(UsageError, match="is a directory"):
        check_file(tmp_path, "--junit")
    with pytest.raises(UsageError, match="afile is not a directory"):
        check_dir(blocker / "deep" / "er", "--docs-dir")
    assert check_file(tmp_path / "new" / "dir" / "r.json", "--results")
    assert not (tmp_path / "new").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_directory_that_refuses_files_is_found_by_trying_not_by_its_mode(tmp_path: Path) -> None:
    """Root passes every permission check, yet no file can be made in /proc: only a try tells."""
    with pytest.raises(UsageError, match=r"^--results /proc/r\.json: cannot write in /proc \("):
        check_file(Path("/proc/r.json"), "--results")
    assert check_file(tmp_path / "r.json", "--results")
    assert list(tmp_path.iterdir()) == []  # the try leaves nothing behind


@pytest.mark.parametrize(
    ("args", "filters", "described"),
    [
        (
            ("-m", "SSE-02 or SSE-03"),
            {"-m": ["SSE-02 or SSE-03"], "-k": []},
            "-m 'SSE-02 or SSE-03'",
        ),
        (("-kENABLNG",), {"-m": [], "-k": ["ENABLNG"]}, "-k ENABLNG"),
        (("-x", "--tb=short"), {"-m": [], "-k": []}, "-x --tb=short"),
    ],
)
def test_a_selection_names_its_filters(args, filters, described) -> None:
    selection = Selection(pytest_args=args)
    assert selection.filters() == filters
    assert selection.describe() == described


def test_an_unknown_requirement_in_m_is_found_whatever_the_expression() -> None:
    catalog = load_catalog()
    assert Selection(markers="not SSE-99 and (KEY-01 or API-77)").unknown_requirements(catalog) == [
        "API-77",
        "SSE-99",
    ]
    assert Selection(markers="SSE-02 and not slow").unknown_requirements(catalog) == []
