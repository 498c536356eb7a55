"""``firehose-conformance run``: the suite against one target, a table, results JSON and JUnit."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from pathlib import Path

from tabulate import tabulate

from firehose_conformance.catalog import load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.expectations import (
    Declaration,
    compare,
    load_declaration,
    outcome_line,
)
from firehose_conformance.interrupts import INTERRUPTED, interruptible
from firehose_conformance.outputs import check_file, colour_wanted
from firehose_conformance.progress import Progress
from firehose_conformance.reports.junit import write_junit
from firehose_conformance.reports.symbols import label, needs_ascii, paint, symbol
from firehose_conformance.results import Results, not_implemented
from firehose_conformance.runner import (
    NothingSelected,
    Selection,
    SuiteError,
    SuiteInterrupted,
    SuiteRun,
    run_suite,
)
from firehose_conformance.targets import FACTORIES, make_target
from firehose_conformance.targets.options import (
    add_aws_flags,
    add_label_flag,
    add_live_aws_flags,
    add_target_option,
    choose_target,
    options_from_args,
)
from firehose_conformance.verdicts import Verdict

REASON_WIDTH = 90


def add_parser(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help="run the suite against a target and report")
    run.add_argument(
        "--target",
        help="reference (default), moto, endpoint (implied by --endpoint-url or a configured "
        "AWS_ENDPOINT_URL), aws",
    )
    add_aws_flags(run, regions="the region, one")
    add_label_flag(run)
    add_target_option(run.add_argument)
    run.add_argument(
        "--results", type=Path, help="results JSON (default reports/results-TARGET.json)"
    )
    run.add_argument("--junit", type=Path, help="JUnit XML (default reports/junit-TARGET.xml)")
    run.add_argument(
        "-n",
        "--workers",
        type=int,
        default=0,
        help="parallel workers (pytest-xdist); against a target that really waits, many "
        "(e.g. 16): each works in an account of its own where the target allows it",
    )
    run.add_argument("--quiet", action="store_true", help="no progress lines while running")
    add_live_aws_flags(run)
    run.add_argument(
        "--expectations",
        type=Path,
        help="a TOML declaration of the target's known deviations: exit 0 when the run matches it",
    )
    run.add_argument("pytest_args", nargs="*", help="after --: arguments passed to pytest")
    run.set_defaults(handler=execute)


def junit_beside(results_path: Path) -> Path:
    """The JUnit file that goes with a results file, in its directory: ``results-X.json`` ->
    ``junit-X.xml``, ``results.json`` -> ``junit.xml``, ``NAME.json`` -> ``junit-NAME.xml``."""
    stem = results_path.stem
    if stem == "results" or stem.startswith("results-"):
        name = "junit" + stem.removeprefix("results")
    else:
        name = f"junit-{stem}"
    return results_path.with_name(name + ".xml")


def execute(args: argparse.Namespace) -> int:
    args.target = choose_target(args, "reference")
    if args.target not in FACTORIES:
        raise UsageError(f"unknown target {args.target!r}; known: {', '.join(sorted(FACTORIES))}")
    options = options_from_args(args, args.target)
    if args.workers < 0:
        raise UsageError("-n must be 0 (serial) or more")
    declaration = load_declaration(args.expectations) if args.expectations else None
    if declaration is not None and args.target not in declaration.targets:
        raise UsageError(
            f"{args.expectations} applies to {list(declaration.targets)}, not {args.target!r}"
        )
    selection = Selection(pytest_args=tuple(args.pytest_args))
    unknown = selection.unknown_requirements(load_catalog())
    if unknown:
        raise UsageError(
            f"-m names {', '.join(unknown)}: not a requirement ID of the catalog "
            "(firehose-conformance requirements lists them)"
        )
    named = args.label or args.target
    results_path = check_file(
        args.results or Path("reports") / f"results-{named}.json", "--results"
    )
    junit_path = check_file(args.junit or junit_beside(results_path), "--junit")
    with interruptible():
        try:
            # Make the target once before pytest: a bad option or an unreachable endpoint is
            # then one line and exit 2 here, not a pytest.exit inside the session fixture.
            make_target(args.target, **options).close()
        except KeyboardInterrupt:
            print("firehose-conformance: run interrupted before it started", file=sys.stderr)
            return INTERRUPTED
        run = _run(args, options, selection, results_path, junit_path)
    if isinstance(run, int):
        return run
    results = run.results
    if declaration is not None:  # known deviations become skipped cases: a match is green in CI
        write_junit(results, junit_path, declaration)
    colour = colour_wanted(sys.stdout)
    print()
    print(render_table(results, ascii=needs_ascii(sys.stdout), colour=colour))
    failures = failure_list(results, width=_width(), colour=colour)
    if failures:
        print()
        print(failures)
    print()
    print(summary_line(results))
    if results.left_out:
        print(left_out_line(results))
    print(f"results: {results_path}   junit: {junit_path}")
    if results.interrupted:
        print(interrupted_line(results))
        return INTERRUPTED
    if declaration is not None:
        print(mandatory_line(results, colour=colour))
        return _check_expectations(results, declaration, args.expectations)
    print(mandatory_line(results, colour=colour))
    return 1 if results.blocking_failures else 0


def _run(
    args: argparse.Namespace,
    options: dict[str, str],
    selection: Selection,
    results_path: Path,
    junit_path: Path,
) -> SuiteRun | int:
    """The run itself, or the exit code of a run that gave no results."""
    progress = Progress.for_terminal(quiet=args.quiet)
    try:
        return run_suite(
            args.target,
            options,
            selection,
            results_path=results_path,
            junit_path=junit_path,
            workers=args.workers,
            # The results this run replaces (written at its end): their durations order it.
            longest_first=results_path if args.workers and results_path.is_file() else None,
            plugins=[progress],
            output=sys.stdout,
        )
    except NothingSelected as error:
        print(f"firehose-conformance: error: {error}", file=sys.stderr)
        return NothingSelected.exit_code
    except SuiteInterrupted as error:
        print(
            f"firehose-conformance: {error}; no results written ({results_path} is as it was)",
            file=sys.stderr,
        )
        return INTERRUPTED
    except SuiteError as error:
        print(f"firehose-conformance: error: {error}", file=sys.stderr)
        return 2
    finally:
        progress.close()


def _check_expectations(results: Results, declaration: Declaration, path: Path) -> int:
    """With a declaration, the run passes when it matches: regressions and stale ones fail it."""
    mismatches = compare(results, declaration)
    if mismatches:
        rows = [
            (m.problem, m.kind, m.subject, m.expected, m.actual, _shorten(m.detail))
            for m in mismatches
        ]
        headers = ("problem", "kind", "subject", "declared", "actual", "detail")
        print(tabulate(rows, headers=headers, tablefmt="simple"))
    print(outcome_line(results, declaration, mismatches, path))
    return 1 if mismatches else 0


# The order of the table: failures first, then errors, then the rest in catalog order.
FIRST = {Verdict.FAILED.value: 0, Verdict.ERROR.value: 1}


def render_table(results: Results, *, ascii: bool = False, colour: bool = False) -> str:
    """One row per requirement, failed ones first, then errored ones, then the rest (catalog
    order within each); the verdict as the reports show it (symbol and label, coloured on a
    terminal). Requirements outside the selection are one line below, not a row each (those
    the target's cost policy left out on a line of their own). Then,
    once each, the operations the target does not implement and what they block, and how many
    scenarios left something behind."""
    shown = [r for r in results.requirements if r.verdict != Verdict.NOT_SELECTED]
    shown.sort(key=lambda r: FIRST.get(r.verdict, 2))  # stable: catalog order within
    rows = [
        (
            r.id,
            r.level,
            paint(f"{symbol(r.verdict, ascii=ascii)} {label(r.verdict)}", r.verdict, colour=colour),
            _reason(r),
        )
        for r in shown
    ]
    lines = []
    if rows:
        headers = ("requirement", "level", "verdict", "reason")
        lines.append(tabulate(rows, headers=headers, tablefmt="simple"))
    unselected = [r for r in results.requirements if r.verdict == Verdict.NOT_SELECTED]
    by_policy = [r.id for r in unselected if r.left_out]
    by_filter = [r.id for r in unselected if not r.left_out]
    if unselected:
        lines.append("")
    if by_filter:
        count = len(by_filter)
        lines.append(
            f"{count} requirement{'' if count == 1 else 's'} not selected by "
            f"{results.selection or 'the selection'}: {_id_ranges(by_filter)}"
        )
    if by_policy:
        count = len(by_policy)
        lines.append(
            f"{count} requirement{'' if count == 1 else 's'} left out by the {results.target} "
            f"target's cost policy: {_id_ranges(by_policy)}"
        )
    blocked = not_implemented(results)
    if blocked:
        lines.append("")
        for operation, ids in blocked.items():
            count = len(ids)
            lines.append(
                f"{operation} not implemented: {count} requirement{'' if count == 1 else 's'} "
                f"blocked ({' '.join(ids)})"
            )
    leftovers = sum(bool(s.teardown) for s in results.scenarios)
    if leftovers:
        lines += [
            "",
            f"teardown: {leftovers} scenario(s) could not remove what they made "
            "(their verdicts stand; see 'teardown' in the results)",
        ]
    return "\n".join(lines)


def failure_list(results: Results, *, width: int = 100, colour: bool = False) -> str:
    """Each failed or errored requirement with its whole reason, wrapped to ``width`` (the
    table cuts reasons short). A requirement blocked by an operation the target does not
    implement is left to the "not implemented" line."""
    listed = [
        r
        for r in results.requirements
        if r.verdict in FIRST and not r.cause.startswith("not_implemented:")
    ]
    listed.sort(key=lambda r: FIRST[r.verdict])
    blocks = []
    for r in listed:
        head = paint(f"{r.id} {r.level} {label(r.verdict)}", r.verdict, colour=colour)
        body = textwrap.fill(
            r.reason or "(no reason recorded)",
            width=max(40, width),
            initial_indent="    ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        blocks.append(f"{head}\n{body}")
    return "\n".join(blocks)


def _id_ranges(ids: list[str]) -> str:
    """``SRC-01..SRC-08 SSE-01 SSE-03..SSE-05``: runs of consecutive IDs of one area joined."""
    parts: list[list[str]] = []
    for rid in ids:
        area, _, number = rid.partition("-")
        last = parts[-1][-1] if parts else ""
        if (
            last
            and last.partition("-")[0] == area
            and int(last.partition("-")[2]) + 1 == int(number)
        ):
            parts[-1].append(rid)
        else:
            parts.append([rid])
    return " ".join(p[0] if len(p) == 1 else f"{p[0]}..{p[-1]}" for p in parts)


def _reason(requirement) -> str:
    if requirement.cause.startswith("not_implemented:"):
        return f"{requirement.cause.split(':', 1)[1].strip()} not implemented"
    return _shorten(requirement.reason)


def summary_line(results: Results) -> str:
    """The counts of requirements and scenarios by verdict (the words a run did not reach only
    where there are any)."""
    req = results.requirement_summary
    scen = results.summary
    extra = [Verdict.NOT_RUN, Verdict.NOT_SELECTED]
    req_words = (
        f"{req.get('passed', 0)} passed, {req.get('failed', 0)} failed, "
        f"{req.get('error', 0)} error, {req.get('not_applicable', 0)} n/a, "
        f"{req.get('untested', 0)} untested"
        + "".join(f", {req[v]} {label(v)}" for v in extra if req.get(v))
    )
    scen_words = (
        f"{scen.get('passed', 0)} passed, {scen.get('failed', 0)} failed, "
        f"{scen.get('error', 0)} error, {scen.get('not_applicable', 0)} n/a"
        + "".join(
            f", {scen[v]} {label(v)}" for v in (Verdict.INTERRUPTED, Verdict.NOT_RUN) if scen.get(v)
        )
    )
    return (
        f"target {results.target}: requirements {req_words}; "
        f"scenarios {scen_words} in {results.duration_s:.1f} s"
    )


def left_out_line(results: Results) -> str:
    """What the target's cost policy left out of the selection, and how to run it: the run's
    verdicts are about the rest ("" when it left out nothing)."""
    if not results.left_out:
        return ""
    total = sum(len(group.scenarios) for group in results.left_out)
    parts = [
        f"{len(group.scenarios)} by {group.rule} ({group.reason}; {group.include})"
        for group in results.left_out
    ]
    return (
        f"left out by the {results.target} target's cost policy (not selected): {total} "
        f"scenario{'' if total == 1 else 's'}: " + "; ".join(parts)
    )


def mandatory_line(results: Results, *, colour: bool = False) -> str:
    """The last line: the mandatory requirements that failed or errored, by ID."""
    failed = [r.id for r in results.blocking_failures if r.verdict == Verdict.FAILED]
    errored = [r.id for r in results.blocking_failures if r.verdict == Verdict.ERROR]
    if not failed and not errored:
        return paint("no mandatory requirement failed or errored", Verdict.PASSED, colour=colour)
    parts = []
    if failed:
        parts.append(
            paint(f"mandatory requirements failed: {', '.join(failed)}", "failed", colour=colour)
        )
    if errored:
        text = f"{'errored' if failed else 'mandatory requirements errored'}: {', '.join(errored)}"
        parts.append(paint(text, Verdict.ERROR, colour=colour))
    return "; ".join(parts)


def interrupted_line(results: Results) -> str:
    """The last line of an interrupted run: what it did not reach, and that its results say
    so (``"interrupted": true``)."""
    stopped = [s for s in results.scenarios if s.verdict == Verdict.INTERRUPTED]
    not_run = results.summary.get(Verdict.NOT_RUN, 0)
    during = f" during '{stopped[0].name}'" if stopped else ""
    judged = [r.id for r in results.blocking_failures]
    verdicts = (
        f"; before that, mandatory requirements failed or errored: {', '.join(judged)}"
        if judged
        else ""
    )
    return (
        f"interrupted{during}: {not_run} scenario(s) not run; the results say "
        f'"interrupted": true{verdicts}'
    )


def _width() -> int:
    return shutil.get_terminal_size((100, 24)).columns - 1


def _shorten(text: str) -> str:
    return text if len(text) <= REASON_WIDTH else text[: REASON_WIDTH - 1] + "…"
