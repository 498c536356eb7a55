"""The one entry that runs the suite: ``run_suite(target, options, selection) -> SuiteRun``.

The CLI's ``run``, the self-test, the docs and the tests all come through here. The suite is a
pytest session over ``steps/`` with the project's plugin; verdicts and the results document come
from that plugin, so whoever calls this gets exactly what ``firehose-conformance run`` writes.

The results (and JUnit) files are written once, at the end, atomically: the previous ones stay
until then, and stay as they are when the run writes none (a usage error, a selection of no
scenario). A run stopped by SIGINT or SIGTERM still returns its results (``interrupted``).
"""

from __future__ import annotations

import importlib.metadata
import io
import re
import shlex
import sys
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from firehose_conformance.cost_policy import Rule
from firehose_conformance.interrupts import interruptible
from firehose_conformance.locations import STEPS_PACKAGE, package_dir
from firehose_conformance.reports.junit import write_junit
from firehose_conformance.results import Results, read_results, write_atomically
from firehose_conformance.spec_facts import REQUIREMENT_ID

# steps/ of the repository, or firehose_conformance/steps/ of an installed wheel (locations.py);
# ROOT, pytest's rootdir, holds it, so a scenario's nodeid is "steps/test_spec.py::..." either way.
STEPS_DIR = package_dir(STEPS_PACKAGE)
ROOT = STEPS_DIR.parent
# The pytest plugins a suite run uses, by entry-point name; any other one installed is blocked.
SUITE_PLUGINS = frozenset({"pytest-bdd", "xdist", "xdist.looponfail", "firehose-conformance"})


def foreign_plugins() -> list[str]:
    """``-p no:NAME`` for every pytest plugin installed beside the suite's own: whatever else
    the environment holds cannot change a run (hypothesis's plugin imported hypothesis in each
    xdist worker's summary: ~9 s at the end of a -n 16 run on two cores)."""
    names = {
        entry.name
        for entry in importlib.metadata.entry_points(group="pytest11")
        if entry.name not in SUITE_PLUGINS
    }
    return [arg for name in sorted(names) for arg in ("-p", f"no:{name}")]


class SuiteError(Exception):
    """The suite could not run (pytest refused the arguments, or no results were written)."""


class NothingSelected(SuiteError):
    """The selection took no scenario (pytest's exit code 5): a usage error, never a pass."""

    exit_code = 5


class SuiteInterrupted(SuiteError):
    """The run was stopped before it knew which scenarios to run: it has no results."""


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

    def filters(self) -> dict[str, list[str]]:
        """The ``-m`` and ``-k`` expressions among the arguments (``-m X``, ``-mX``)."""
        found: dict[str, list[str]] = {"-m": [], "-k": []}
        args = self.as_pytest_args()
        for index, arg in enumerate(args):
            for flag in found:
                if arg == flag and index + 1 < len(args):
                    found[flag].append(args[index + 1])
                elif arg.startswith(flag) and len(arg) > 2 and not arg.startswith("--"):
                    found[flag].append(arg[2:].removeprefix("="))
        return found

    def unknown_requirements(self, catalog: Collection[str]) -> list[str]:
        """The words of its ``-m`` expressions shaped like a requirement ID (``SSE-99``) that
        are not in ``catalog``: a typo that would select nothing, or everything with ``not``."""
        words = {
            word
            for expression in self.filters()["-m"]
            for word in re.findall(r"[\w:+\-.\[\]/\\]+", expression)
        }
        return sorted(w for w in words if REQUIREMENT_ID.match(w) and w not in catalog)

    def describe(self) -> str:
        """The filter as typed (``-m 'SSE-99' -k ENABLNG``), or the pytest arguments."""
        parts = [
            f"{flag} {shlex.quote(value)}"
            for flag, values in self.filters().items()
            for value in values
        ]
        return " ".join(parts) or " ".join(shlex.quote(a) for a in self.pytest_args)


@dataclass(frozen=True)
class SuiteRun:
    """What a run produced: the results document, and pytest's own exit code."""

    results: Results
    pytest_exit: int
    results_path: Path | None
    junit_path: Path | None


@dataclass(frozen=True)
class Collected:
    """The scenarios a run would select (pytest items), and what the target's cost policy left
    out of them: (item, rule), and rule name -> the scenarios the rule weighed."""

    items: list[Any]
    left_out: list[tuple[Any, Rule]]
    considered: dict[str, int]


def collect(
    target: str = "reference",
    options: Mapping[str, str] | None = None,
    selection: Selection | None = None,
) -> Collected:
    """Collect, not run, the scenarios a run against ``target`` selects: no target is made and
    nothing is reached (the plan's counts and the benchmarks read them). SuiteError when
    pytest refuses the arguments."""
    import pytest

    from firehose_conformance.plugin import left_out_considered, left_out_items

    class Keep:
        found = Collected([], [], {})

        def pytest_collection_finish(self, session: pytest.Session) -> None:
            config = session.config
            self.found = Collected(
                list(session.items), left_out_items(config), left_out_considered(config)
            )

    args = [str(STEPS_DIR), f"--rootdir={ROOT}", "-p", "firehose_conformance.plugin"]
    args += ["-p", "no:cacheprovider", "--import-mode=importlib", "--collect-only", "-qq"]
    args += foreign_plugins()
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning", f"--target={target}"]
    args += [f"--target-option={key}={value}" for key, value in (options or {}).items()]
    args += (selection or Selection()).as_pytest_args()
    keep = Keep()
    with _output_to(None, _Refusals(None)):
        code = pytest.main(args, plugins=[keep])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise SuiteError(f"could not collect the scenarios (pytest exit code {int(code)})")
    return keep.found


def run_suite(
    target: str = "reference",
    options: Mapping[str, str] | None = None,
    selection: Selection | None = None,
    *,
    results_path: Path | None = None,
    junit_path: Path | None = None,
    workers: int = 0,
    alone_first: bool | None = None,
    longest_first: Path | None = None,
    plugins: Sequence[object] = (),
    output: TextIO | None = None,
) -> SuiteRun:
    """Run the suite against ``target`` (with its ``options``) and return its results.

    Without ``results_path``/``junit_path`` the files go to a temporary directory that is gone
    when this returns (``SuiteRun`` then names no path). ``output`` receives pytest's own
    terminal output (its messages, not its counts); by default it is discarded. Raises
    ``NothingSelected`` for a selection of no scenario, ``SuiteInterrupted`` when stopped before
    anything was selected, ``SuiteError`` when pytest refused the arguments or nothing ran.

    With ``workers``, the ``@alone`` scenarios run first with nothing else in flight when the
    workers may share an account (``alone_first``: None decides so, see ``workers_share``);
    ``longest_first``, a previous run's results, hands the rest out longest first.

    SIGTERM stops the run as Ctrl-C does (a ``KeyboardInterrupt``): the results come back with
    ``interrupted`` set, the scenario that was running ``interrupted``, the rest ``not_run``.
    """
    import pytest

    selection = selection or Selection()
    options = dict(options or {})
    if workers and target == "endpoint":  # each worker in an account of its own (endpoint.py)
        options.setdefault("worker_accounts", "on")
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fsc-run-")))
        results_file = scratch / "results.json"
        args = [
            str(STEPS_DIR),
            f"--rootdir={ROOT}",
            "-p",
            "firehose_conformance.plugin",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
            # Not pytest's own counts ("3 passed in 0.3s"): the caller reports the verdicts.
            "-qq",
            "-rN",  # nor its short summary: a not-applicable scenario is no "FAILED" line
            # The results carry each failure's reason; pytest's tracebacks would bury them
            # (pass --tb=short among the pytest arguments to see them).
            "--tb=no",
            *foreign_plugins(),
            f"--target={target}",
            f"--results={results_file}",
            *(f"--target-option={key}={value}" for key, value in options.items()),
        ]
        if workers:
            args += ["-n", str(workers)]
            if workers_share(target, options) if alone_first is None else alone_first:
                args.append("--alone-first")  # the @alone scenarios first, by themselves
            if longest_first is not None:
                args.append(f"--longest-first={longest_first}")
        args += selection.as_pytest_args()
        refused = _Refusals(output)
        with interruptible(sigint=False), _output_to(output, refused):
            try:
                code = pytest.main(args, plugins=list(plugins))
            except KeyboardInterrupt:  # a second signal while the session ended
                code = pytest.ExitCode.INTERRUPTED
        if code == pytest.ExitCode.USAGE_ERROR:
            raise SuiteError(refused.line() or "pytest refused the arguments")
        if code == pytest.ExitCode.INTERNAL_ERROR:
            raise SuiteError(f"pytest could not run the suite ({code!r})")
        if code == pytest.ExitCode.NO_TESTS_COLLECTED:
            shown = selection.describe()
            raise NothingSelected(
                (f"no scenario selected by {shown}" if shown else "no scenario was collected")
                + _left_out_note(target, options, selection)
            )
        if not results_file.exists():
            if code == pytest.ExitCode.INTERRUPTED:
                raise SuiteInterrupted("interrupted before any scenario ran")
            raise SuiteError(f"the run wrote no results (pytest exit code {int(code)})")
        results = read_results(results_file)
        if results_path is not None:  # only now: the previous file stays until this one is whole
            write_atomically(results_path, results_file.read_text(encoding="utf-8"))
        if junit_path is not None:  # from the results, in CI's shape (reports/junit.py)
            write_junit(results, junit_path)
        return SuiteRun(
            results=results,
            pytest_exit=int(code),
            results_path=results_path,
            junit_path=junit_path,
        )


def workers_share(target: str, options: Mapping[str, str]) -> bool:
    """May the workers of a run share an account, hence its quotas and rate limits? Not on
    the in-process targets (each worker has an implementation of its own), nor on an endpoint
    that gives each worker its own account (asked of it, endpoint.py); on any other, yes
    (``aws``: one account)."""
    if target in ("reference", "moto"):
        return False
    if target == "endpoint" and options.get("worker_accounts") == "on":
        from firehose_conformance.targets.endpoint import workers_have_own_accounts

        return not workers_have_own_accounts(**options)
    return True


def _left_out_note(target: str, options: Mapping[str, str], selection: Selection) -> str:
    """Where the target's cost policy left out every scenario the selection took: which rules,
    and how to run them (a selection of nothing is otherwise a typo)."""
    found = collect(target, options, selection)
    rules = {rule.name: rule for _, rule in found.left_out}
    if not rules:
        return ""
    return f" that the {target} target's cost policy keeps: " + "; ".join(
        f"{sum(r.name == name for _, r in found.left_out)} left out by {name} ({rule.reason}; "
        f"{rule.include})"
        for name, rule in rules.items()
    )


@contextmanager
def _output_to(output: TextIO | None, refused: _Refusals) -> Iterator[None]:
    """pytest writes to ``sys.stdout``: send it to ``output`` (without its report of a
    KeyboardInterrupt: the caller says the run was interrupted), or discard it. Its refusals of
    the arguments ("ERROR: ..." on stderr) are held back for ``SuiteError``."""
    if output is None:
        sink = io.StringIO()
        with redirect_stdout(sink), redirect_stderr(refused):
            yield
    else:
        with redirect_stdout(_WithoutPytestNoise(output)), redirect_stderr(refused):
            yield


class _WithoutPytestNoise(io.TextIOBase):
    """A line filter over ``output`` that drops pytest's report of a KeyboardInterrupt (its
    "!!! KeyboardInterrupt !!!" banner, the file and line, the hint about --full-trace), xdist's
    "bringing up nodes..." and blank lines."""

    def __init__(self, output: TextIO) -> None:
        self.output = output
        self.pending = ""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        kept = [line for line in lines if line.strip() and not _PYTEST_NOISE.search(line)]
        if kept:
            self.output.write("\n".join(kept) + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending.strip() and not _PYTEST_NOISE.search(self.pending):
            self.output.write(self.pending)
            self.pending = ""
        self.output.flush()


_PYTEST_NOISE = re.compile(
    r"KeyboardInterrupt|^\(to show a full traceback|^bringing up nodes\.\.\.$"
)


class _Refusals(io.TextIOBase):
    """pytest's stderr during a run: its "ERROR: ..." refusals are kept (one line for
    ``SuiteError``); anything else goes on to the real stderr as it comes."""

    def __init__(self, output: TextIO | None) -> None:
        self.passthrough = sys.stderr if output is not None else None
        self.held: list[str] = []

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text.startswith("ERROR: ") or (self.held and not text.strip()):
            self.held.append(text)
        elif self.passthrough is not None:
            self.passthrough.write(text)
        return len(text)

    def flush(self) -> None:
        if self.passthrough is not None:
            self.passthrough.flush()

    def line(self) -> str:
        """The refusal in one line: argparse's "error: ..." line, else the first line."""
        lines = [ln.strip() for ln in "".join(self.held).splitlines() if ln.strip()]
        for found in lines:
            if ": error: " in found:
                return "pytest: " + found.split(": error: ", 1)[1]
        return lines[0].removeprefix("ERROR: ").strip() if lines else ""
