"""``firehose-conformance run``: the suite against one target, a table, results JSON and JUnit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tabulate import tabulate

from firehose_conformance.errors import UsageError
from firehose_conformance.expectations import Declaration, compare, load_declaration
from firehose_conformance.progress import Progress
from firehose_conformance.reports.junit import write_junit
from firehose_conformance.reports.symbols import label, needs_ascii, symbol
from firehose_conformance.results import Results, not_implemented
from firehose_conformance.runner import Selection, SuiteError, run_suite
from firehose_conformance.targets import FACTORIES, make_target
from firehose_conformance.targets.options import (
    add_aws_flags,
    add_label_flag,
    add_live_aws_flags,
    add_target_option,
    choose_target,
    options_from_args,
)

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
    run.add_argument("-n", "--workers", type=int, default=0, help="parallel workers (pytest-xdist)")
    run.add_argument("--quiet", action="store_true", help="no progress lines while running")
    add_live_aws_flags(run)
    run.add_argument(
        "--expectations",
        type=Path,
        help="a TOML declaration of the target's known deviations: exit 0 when the run matches it",
    )
    run.add_argument("pytest_args", nargs="*", help="after --: arguments passed to pytest")
    run.set_defaults(handler=execute)


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
    # Make the target once before pytest: a bad option or an unreachable endpoint is then one
    # line and exit 2 here, not a pytest.exit inside the session fixture (exit 1, a full table).
    make_target(args.target, **options).close()
    named = args.label or args.target
    results_path = args.results or Path("reports") / f"results-{named}.json"
    junit_path = args.junit or Path("reports") / f"junit-{named}.xml"
    progress = Progress.for_terminal(quiet=args.quiet)
    try:
        run = run_suite(
            args.target,
            options,
            Selection(pytest_args=tuple(args.pytest_args)),
            results_path=results_path,
            junit_path=junit_path,
            workers=args.workers,
            plugins=[progress],
            output=sys.stdout,
        )
    except SuiteError as error:
        print(f"firehose-conformance: error: {error}", file=sys.stderr)
        return 2
    finally:
        progress.close()
    results = run.results
    if declaration is not None:  # known deviations become skipped cases: a match is green in CI
        write_junit(results, junit_path, declaration)
    print()
    print(render_table(results, ascii=needs_ascii(sys.stdout)))
    print(summary_line(results))
    print(f"results: {results_path}   junit: {junit_path}")
    if declaration is not None:
        return _check_expectations(results, declaration, args.expectations)
    return 1 if results.blocking_failures else 0


def _check_expectations(results: Results, declaration: Declaration, path: Path) -> int:
    """With a declaration, the run passes when it matches: regressions and stale ones fail it."""
    mismatches = compare(results, declaration)
    count = len(declaration.expectations)
    if not mismatches:
        print(
            f"expectations {path}: all {count} declared verdicts matched, and nothing else failed"
        )
        return 0
    rows = [
        (m.problem, m.kind, m.subject, m.expected, m.actual, _shorten(m.detail)) for m in mismatches
    ]
    headers = ("problem", "kind", "subject", "declared", "actual", "detail")
    print(tabulate(rows, headers=headers, tablefmt="simple"))
    print(f"expectations {path}: {len(mismatches)} mismatch(es) against {count} declared verdicts")
    return 1


def render_table(results: Results, *, ascii: bool = False) -> str:
    """One row per requirement, its verdict as the reports show it (symbol and label); then,
    once each, the operations the target does not implement and what they block, and how many
    scenarios left something behind."""
    rows = [
        (r.id, r.level, f"{symbol(r.verdict, ascii=ascii)} {label(r.verdict)}", _reason(r))
        for r in results.requirements
    ]
    table = tabulate(rows, headers=("requirement", "level", "verdict", "reason"), tablefmt="simple")
    lines = [table]
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


def _reason(requirement) -> str:
    if requirement.cause.startswith("not_implemented:"):
        return f"{requirement.cause.split(':', 1)[1].strip()} not implemented"
    return _shorten(requirement.reason)


def summary_line(results: Results) -> str:
    req = results.requirement_summary
    scen = results.summary
    blocking = len(results.blocking_failures)
    return (
        f"target {results.target}: requirements {req.get('passed', 0)} passed, "
        f"{req.get('failed', 0)} failed, {req.get('error', 0)} error, "
        f"{req.get('not_applicable', 0)} n/a, {req.get('untested', 0)} untested; "
        f"scenarios {scen['passed']} passed, {scen['failed']} failed, {scen['error']} error, "
        f"{scen['not_applicable']} n/a in {results.duration_s:.1f} s; "
        f"{blocking} mandatory requirement(s) failed or errored"
    )


def _shorten(text: str) -> str:
    return text if len(text) <= REASON_WIDTH else text[: REASON_WIDTH - 1] + "…"
