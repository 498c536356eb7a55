"""The one entry that runs the suite: ``run_suite(target, options, selection) -> SuiteRun``.

The CLI's ``run``, the self-test, the docs and the tests all come through here. The suite is a
pytest session over ``steps/`` with the project's plugin; verdicts and the results document come
from that plugin, so whoever calls this gets exactly what ``firehose-conformance run`` writes.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from firehose_conformance.locations import STEPS_PACKAGE, package_dir
from firehose_conformance.reports.junit import write_junit
from firehose_conformance.results import Results, read_results

# steps/ of the repository, or firehose_conformance/steps/ of an installed wheel (locations.py);
# ROOT, pytest's rootdir, holds it, so a scenario's nodeid is "steps/test_spec.py::..." either way.
STEPS_DIR = package_dir(STEPS_PACKAGE)
ROOT = STEPS_DIR.parent


class SuiteError(Exception):
    """The suite could not run (pytest refused the arguments, or no results were written)."""


@dataclass(frozen=True)
class Selection:
    """Which scenarios run: all by default.

    ``markers`` is a pytest ``-m`` expression over tags (``"SSE-02 or SSE-03"``); ``keyword`` a
    ``-k`` expression; ``pytest_args`` anything else for pytest, as given after ``run --``.
    """

    markers: str = ""
    keyword: str = ""
    pytest_args: tuple[str, ...] = ()

    @classmethod
    def requirements(cls, ids: Sequence[str], *pytest_args: str) -> Selection:
        """The scenarios of any of the given requirement IDs."""
        return cls(markers=" or ".join(ids), pytest_args=tuple(pytest_args))

    def as_pytest_args(self) -> list[str]:
        args = ["-m", self.markers] if self.markers else []
        args += ["-k", self.keyword] if self.keyword else []
        return args + list(self.pytest_args)


@dataclass(frozen=True)
class SuiteRun:
    """What a run produced: the results document, and pytest's own exit code."""

    results: Results
    pytest_exit: int
    results_path: Path | None
    junit_path: Path | None


def run_suite(
    target: str = "reference",
    options: Mapping[str, str] | None = None,
    selection: Selection | None = None,
    *,
    results_path: Path | None = None,
    junit_path: Path | None = None,
    workers: int = 0,
    plugins: Sequence[object] = (),
    output: TextIO | None = None,
) -> SuiteRun:
    """Run the suite against ``target`` (with its ``options``) and return its results.

    Without ``results_path``/``junit_path`` the files go to a temporary directory that is gone
    when this returns (``SuiteRun`` then names no path). ``output`` receives pytest's own
    terminal output; by default it is discarded. Raises ``SuiteError`` when nothing ran.
    """
    import pytest

    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fsc-run-")))
        results_file = results_path or scratch / "results.json"
        results_file.unlink(missing_ok=True)
        args = [
            str(STEPS_DIR),
            f"--rootdir={ROOT}",
            "-p",
            "firehose_conformance.plugin",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
            "-q",
            # The results carry each failure's reason; pytest's tracebacks would bury them
            # (pass --tb=short among the pytest arguments to see them).
            "--tb=no",
            f"--target={target}",
            f"--results={results_file}",
            *(f"--target-option={key}={value}" for key, value in (options or {}).items()),
        ]
        if workers:
            args += ["-n", str(workers)]
        args += (selection or Selection()).as_pytest_args()
        with _output_to(output):
            code = pytest.main(args, plugins=list(plugins))
        if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
            raise SuiteError(f"pytest could not run the suite ({code!r})")
        if not results_file.exists():
            raise SuiteError(f"the run wrote no results (pytest exit code {int(code)})")
        results = read_results(results_file)
        if junit_path is not None:  # from the results, in CI's shape (reports/junit.py)
            write_junit(results, junit_path)
        return SuiteRun(
            results=results,
            pytest_exit=int(code),
            results_path=results_path,
            junit_path=junit_path,
        )


@contextmanager
def _output_to(output: TextIO | None) -> Iterator[None]:
    """pytest writes to ``sys.stdout``: send it to ``output``, or discard it (and stderr)."""
    if output is None:
        sink = io.StringIO()
        with redirect_stdout(sink), redirect_stderr(sink):
            yield
    else:
        with redirect_stdout(output):
            yield
