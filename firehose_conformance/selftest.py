"""The self-test: each deviant of the reference against the scenarios of its requirements, and
who killed whom.

The deviants are the reference's own (``reference_impl.variant_catalog()``, kind ``deviant``):
the harness names one, and ``ReferenceCloud`` runs with it. A deviant is killed only when a
scenario tagged with a requirement it violates gets the verdict that catches it (``failed``;
``error`` for a deviant whose bug is a 5xx answer). Only those scenarios run
(``-m "SSE-02 or SSE-03"``), so a deviant that only unrelated scenarios would notice is a miss. A
run that breaks down, or scenarios that error where a failure was due, give an ``error`` row:
never a kill.

Each deviant runs through ``run_suite`` with the target option ``variant=NAME`` inside a worker
process (a variant patches the reference process-wide while its run lasts, and is undone at the
end); workers take deviants one after another, so Python and pytest start once per worker, not
once per deviant.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any

from tabulate import tabulate

from firehose_conformance.results import Results
from firehose_conformance.runner import Selection, SuiteError, run_suite
from reference_impl import Variant, VariantKind, variant_catalog

KILLED = "killed"
MISSED = "MISSED"
ERROR = "ERROR"
# Nothing here reads tracebacks (verdicts come from the exceptions themselves), and pytest's
# unraisable-exception plugin runs gc.collect() five times per session, which in a worker that
# has run many sessions costs more than most deviants' scenarios.
FAST_PYTEST = ("--tb=line", "-p", "no:unraisableexception")
# Scenarios far slower than the rest (seconds on the reference): their deviants start first.
SLOW_REQUIREMENTS = {"API-11": 8.0, "API-02": 1.5, "KEY-01": 1.0, "KEY-02": 1.0, "RET-01": 1.0}

# Mandatory requirements no deviant can be caught for on the reference target: their scenarios
# need a capability the reference lacks, so they are not applicable there (never a kill).
NOT_ON_THE_REFERENCE = {
    "PUT-03": "@needs-iam: the reference has no callers with restricted IAM permissions",
}
# Requirements deliberately without a deviant: not obligations of the service.
NOT_SERVICE_OBLIGATIONS = {
    "GRT-04": "SHOULD NOT (client): an obligation on the caller (and @needs-aged-credentials)",
    "API-12": "MAY: CloudTrail logging is optional (and @needs-cloudtrail)",
}


def deviants() -> dict[str, Variant]:
    """The reference's deviants by name, in its catalog's order."""
    return {
        name: found
        for name, found in variant_catalog().items()
        if found.kind is VariantKind.DEVIANT
    }


def get(name: str) -> Variant:
    found = deviants().get(name)
    if found is None:
        raise ValueError(
            f"unknown deviant {name!r}; list them with: firehose-conformance selftest --list"
        )
    return found


def unknown_requirements(
    catalog: Collection[str], chosen: Mapping[str, Variant] | None = None
) -> dict[str, list[str]]:
    """{deviant: the requirement IDs it names that are not in the catalog}, for those with any."""
    found = {
        name: sorted(set(deviant.violates) - set(catalog))
        for name, deviant in (deviants() if chosen is None else chosen).items()
    }
    return {name: ids for name, ids in found.items() if ids}


@dataclass
class KillRow:
    deviant: str
    violates: list[str]
    result: str  # KILLED, MISSED or ERROR
    failed: list[str] = field(default_factory=list)  # violated requirements that failed
    others: list[str] = field(default_factory=list)  # requirements failed outside them
    reason: str = ""  # the catching scenario and its reason, or why the deviant was not killed
    catches: list[str] = field(default_factory=list)  # every catching scenario and its reason
    seconds: float = 0.0
    gap: str = ""  # the catalog's note on the spec gap that lets it survive, if any

    @property
    def killed(self) -> bool:
        return self.result == KILLED


def judge(deviant: Variant, results: Results, seconds: float = 0.0) -> KillRow:
    """The row of one deviant from the results of its run."""
    violated = set(deviant.violates)
    own = [s for s in results.scenarios if violated & set(s.requirements)]
    broken = {r.id for r in results.requirements if r.verdict in ("failed", "error")}
    row = KillRow(
        deviant.name,
        list(deviant.violates),
        MISSED,
        failed=sorted(broken & violated),
        others=sorted(broken - violated),
        seconds=round(seconds, 2),
        gap=deviant.gap,
    )
    catching = [s for s in own if s.verdict == deviant.caught_as]
    errored = [s for s in own if s.verdict == "error"]
    if not own:
        row.result, row.reason = ERROR, f"no scenario of {' or '.join(deviant.violates)} ran"
    elif catching:
        row.result = KILLED
        row.catches = [f"{s.name}: {s.reason}" for s in catching]
        row.reason = row.catches[0]
    elif errored:
        row.result, row.reason = ERROR, f"{errored[0].name}: {errored[0].reason}"
    else:
        counts = {v: sum(s.verdict == v for s in own) for v in ("passed", "not_applicable")}
        row.reason = (
            f"its {len(own)} scenario(s) of {', '.join(deviant.violates)} did not fail "
            f"({counts['passed']} passed, {counts['not_applicable']} n/a)"
        )
    return row


def run_deviant(name: str) -> KillRow:
    """Run one deviant in this process (its patches last only as long as its run)."""
    chosen = get(name)
    started = time.perf_counter()
    selection = Selection.requirements(chosen.violates, *FAST_PYTEST)
    try:
        run = run_suite("reference", {"variant": name}, selection)
    except SuiteError as error:
        return _error_row(chosen, str(error), started)
    except BaseException as error:  # a deviant must never take the self-test down
        return _error_row(chosen, f"{type(error).__name__}: {error}", started)
    return judge(chosen, run.results, time.perf_counter() - started)


def _error_row(deviant: Variant, reason: str, started: float) -> KillRow:
    return KillRow(
        deviant.name,
        list(deviant.violates),
        ERROR,
        reason=reason,
        seconds=round(time.perf_counter() - started, 2),
        gap=deviant.gap,
    )


def cost(name: str) -> float:
    """A rough guess of a deviant's run time, to start the slow ones first."""
    return 1.0 + sum(SLOW_REQUIREMENTS.get(rid, 0.0) for rid in get(name).violates)


def run_all(
    names: Sequence[str], workers: int, on_row: Callable[[KillRow], None] | None = None
) -> list[KillRow]:
    """Every named deviant, on ``workers`` processes (0: in this process); catalog order out."""
    ordered = sorted(names, key=cost, reverse=True)
    rows: list[KillRow] = []

    def done(row: KillRow) -> None:
        rows.append(row)
        if on_row is not None:
            on_row(row)

    if workers <= 0:
        for name in ordered:
            done(run_deviant(name))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(run_deviant, name): name for name in ordered}
            for future in as_completed(futures):
                try:
                    done(future.result())
                except Exception as error:  # the worker process itself died
                    started = time.perf_counter()
                    done(_error_row(get(futures[future]), f"worker failed: {error!r}", started))
    position = {name: i for i, name in enumerate(deviants())}
    return sorted(rows, key=lambda row: position[row.deviant])


def render(rows: Sequence[KillRow]) -> str:
    """The kill matrix, then one line per deviant not killed saying why."""
    table = tabulate(
        [
            (
                row.deviant,
                " ".join(row.violates),
                " ".join(row.failed) or "-",
                " ".join(row.others) or "-",
                row.result,
            )
            for row in rows
        ],
        headers=("deviant", "violates", "failed", "also failed", "result"),
        tablefmt="simple",
    )
    notes = []
    for row in rows:
        if row.killed:
            continue
        notes.append(f"{row.result} {row.deviant}: {row.reason}")
        if row.gap:
            notes.append(f"    spec gap: {row.gap}")
    return table + ("\n\n" + "\n".join(notes) if notes else "")


def summary(rows: Sequence[KillRow]) -> str:
    return f"killed {sum(row.killed for row in rows)}/{len(rows)}"


def to_json(rows: Sequence[KillRow]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def progress_line(row: KillRow, done: int, total: int) -> str:
    width = len(str(total))
    return f"[{done:>{width}}/{total}] {row.result:<6} {row.deviant} ({row.seconds:.1f} s)"
