"""The self-test: the suite against the reference's variants, each judged against a control.

Two kinds of variant (``reference_impl.variant_catalog()``), two questions:

- a **deviant** is a plausible bug: does the suite catch it? It is killed only when a scenario
  tagged with a requirement it violates gets the verdict that catches it (``failed``; ``error``
  for a deviant whose bug is a 5xx answer) and, where the results say what a failing scenario
  is charged to, that charge includes a violated requirement. Only those scenarios run
  (``-m "SSE-02 or SSE-03"``), so a deviant that only unrelated scenarios would notice is a miss.
- a **conforming variant** takes a path the documents allow: does the suite leave it alone, and
  earn what it says? The scenarios of the requirements it touches run on it. Any requirement that
  comes out failed (or error) is a *false failure*: the suite failed a conforming implementation.
  A requirement it declares *unobservable* (it removes the only documented path to what the
  requirement states) that comes out passed is an *unexercised pass*: a verdict the suite did not
  earn; where scenarios say what they observed (``observed``), the row names the scenario that
  passed without (or while claiming to) observe it.

**The control.** Every selection a variant runs must pass on the untouched reference in the same
self-test; otherwise what the variant's run shows may be the suite's (or the reference's) own
trouble, and the row says ``control failed``: neither killed nor clean. The plain reference runs
once per self-test over the union of the selections (in a few chunks, beside the variants), and
each selection's control is the slice of those scenarios tagged with its requirements, which is
exactly what ``-m`` selects; scenarios are independent (the cloud is reset before each one).

Each run goes through ``run_suite`` (``variant=NAME`` for a variant) inside a worker process (a
variant patches the reference process-wide while its run lasts, and is undone at the end);
workers take jobs one after another, so Python and pytest start once per worker, not per job.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Any

from tabulate import tabulate

from firehose_conformance.results import Results, ScenarioResult
from firehose_conformance.runner import Selection, SuiteError, run_suite
from reference_impl import Variant, VariantKind, variant_catalog

# Deviant rows.
KILLED = "killed"
MISSED = "MISSED"
# Conforming rows.
CLEAN = "clean"
FALSE_FAILURE = "FALSE FAILURE"
UNEXERCISED = "UNEXERCISED PASS"
# Either kind.
ERROR = "ERROR"
CONTROL_FAILED = "control failed"
BROKEN = ("failed", "error")  # the verdicts that fail a requirement (or a control)
# Nothing here reads tracebacks (verdicts come from the exceptions themselves), and pytest's
# unraisable-exception plugin runs gc.collect() five times per session, which in a worker that
# has run many sessions costs more than most deviants' scenarios.
FAST_PYTEST = ("--tb=line", "-p", "no:unraisableexception")
# Scenarios far slower than the rest (seconds on the reference): their variants start first,
# and the control runs each on its own.
SLOW_REQUIREMENTS = {"API-11": 8.0, "API-02": 1.5, "KEY-01": 1.0, "KEY-02": 1.0, "RET-01": 1.0}
CONTROL_CHUNKS = 2  # the control's other requirements, split for the workers

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


# ---- the catalog ---------------------------------------------------------------------------------
def variants(kind: VariantKind | None = None) -> dict[str, Variant]:
    """The reference's variants (of one kind) by name, in its catalog's order."""
    return {
        name: found
        for name, found in variant_catalog().items()
        if kind is None or found.kind is kind
    }


def deviants() -> dict[str, Variant]:
    return variants(VariantKind.DEVIANT)


def conforming() -> dict[str, Variant]:
    return variants(VariantKind.CONFORMING)


def get(name: str) -> Variant:
    found = variants().get(name)
    if found is None:
        raise ValueError(
            f"unknown variant {name!r}; list them with: firehose-conformance selftest --list"
        )
    return found


def unknown_requirements(
    catalog: Collection[str], chosen: Mapping[str, Variant] | None = None
) -> dict[str, list[str]]:
    """{variant: the requirement IDs it names that are not in the catalog}, for those with any."""
    found = {
        name: sorted((set(v.selection) | set(v.unobservable)) - set(catalog))
        for name, v in (variants() if chosen is None else chosen).items()
    }
    return {name: ids for name, ids in found.items() if ids}


# ---- rows ----------------------------------------------------------------------------------------
@dataclass
class KillRow:
    """A deviant: killed, missed, or neither (error, control failed)."""

    deviant: str
    violates: list[str]
    result: str  # KILLED, MISSED, ERROR or CONTROL_FAILED
    failed: list[str] = field(default_factory=list)  # violated requirements that failed
    others: list[str] = field(default_factory=list)  # requirements failed outside them
    reason: str = ""  # the catching scenario and its reason, or why the deviant was not killed
    catches: list[str] = field(default_factory=list)  # every catching scenario and its reason
    seconds: float = 0.0
    gap: str = ""  # the catalog's note on the spec gap that lets it survive, if any
    control: str = ""  # why the plain reference fails this selection ("" when it passes it)
    kind: str = "deviant"

    @property
    def name(self) -> str:
        return self.deviant

    @property
    def killed(self) -> bool:
        return self.result == KILLED

    @property
    def settled(self) -> bool:
        """What the self-test wants of the row: killed."""
        return self.killed


@dataclass
class VariantRow:
    """A conforming variant: clean, or its false failures and unexercised passes."""

    variant: str
    touches: list[str]
    unobservable: list[str]
    result: str  # CLEAN, FALSE_FAILURE and/or UNEXERCISED, ERROR or CONTROL_FAILED
    # {"requirement", "verdict", "reason"} for each requirement that failed or errored
    false_failures: list[dict[str, str]] = field(default_factory=list)
    # {"requirement", "reason"} for each unobservable requirement that passed
    unexercised: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    allowed_by: str = ""
    control: str = ""
    kind: str = "conforming"

    @property
    def name(self) -> str:
        return self.variant

    @property
    def judged(self) -> bool:
        """The run was judged on its own (no error, and its control passed)."""
        return self.result not in (ERROR, CONTROL_FAILED)

    @property
    def false_failure(self) -> bool:
        return self.judged and bool(self.false_failures)

    @property
    def unexercised_pass(self) -> bool:
        return self.judged and bool(self.unexercised)

    @property
    def settled(self) -> bool:
        """What the self-test wants of the row: clean."""
        return self.result == CLEAN


Row = KillRow | VariantRow


# ---- judging one run -----------------------------------------------------------------------------
def _charged(scenario: ScenarioResult) -> list[str]:
    """The requirements a failed scenario is charged to, where the results say ([]: all)."""
    return list(getattr(scenario, "charged", None) or [])


def judge(deviant: Variant, results: Results, seconds: float = 0.0) -> KillRow:
    """The row of one deviant from the results of its run."""
    violated = set(deviant.violates)
    own = [s for s in results.scenarios if violated & set(s.requirements)]
    broken = {r.id for r in results.requirements if r.verdict in BROKEN}
    row = KillRow(
        deviant.name,
        list(deviant.violates),
        MISSED,
        failed=sorted(broken & violated),
        others=sorted(broken - violated),
        seconds=round(seconds, 2),
        gap=deviant.gap,
    )
    catching = [
        s
        for s in own
        if s.verdict == deviant.caught_as and (not _charged(s) or violated & set(_charged(s)))
    ]
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
        counts["failed"] = sum(s.verdict == "failed" for s in own)
        elsewhere = f", {counts['failed']} failed on other requirements" if counts["failed"] else ""
        row.reason = (
            f"its {len(own)} scenario(s) of {', '.join(deviant.violates)} did not fail "
            f"({counts['passed']} passed, {counts['not_applicable']} n/a{elsewhere})"
        )
    return row


def _unexercised_reason(rid: str, results: Results) -> str:
    """Why an unobservable requirement came out passed: which scenario passed it, and what it
    says it observed (when the results carry ``observed``)."""
    passing = [s for s in results.scenarios if rid in s.requirements and s.verdict == "passed"]
    if not passing:
        return "passed, though no scenario of it passed"
    if all(getattr(s, "observed", None) is None for s in passing):
        more = f" (+{len(passing) - 1} more)" if len(passing) > 1 else ""
        return (
            f"passed by '{passing[0].name}'{more}; the results do not say what it observed, "
            "and this variant leaves nothing to observe"
        )
    claims = [s for s in passing if rid in (getattr(s, "observed", None) or [])]
    if claims:
        more = f" (+{len(claims) - 1} more)" if len(claims) > 1 else ""
        return (
            f"'{claims[0].name}'{more} passed and recorded {rid} as observed, but this variant "
            "leaves nothing to observe for it: the scenario's checks took the other path"
        )
    first = passing[0]
    return (
        f"passed, yet no passing scenario observed it ('{first.name}' observed "
        f"{', '.join(getattr(first, 'observed', None) or []) or 'nothing'}): the roll-up "
        "passed an unobserved requirement"
    )


def judge_conforming(variant: Variant, results: Results, seconds: float = 0.0) -> VariantRow:
    """The row of one conforming variant from the results of its run."""
    touched = set(variant.touches)
    row = VariantRow(
        variant.name,
        list(variant.touches),
        list(variant.unobservable),
        CLEAN,
        seconds=round(seconds, 2),
        allowed_by=variant.allowed_by,
    )
    if not any(touched & set(s.requirements) for s in results.scenarios):
        row.result, row.reason = ERROR, f"no scenario of {' or '.join(variant.touches)} ran"
        return row
    verdicts = {r.id: r for r in results.requirements}
    row.false_failures = [
        {"requirement": r.id, "verdict": r.verdict, "reason": r.reason}
        for r in results.requirements
        if r.verdict in BROKEN
    ]
    row.unexercised = [
        {"requirement": rid, "reason": _unexercised_reason(rid, results)}
        for rid in variant.unobservable
        if rid in verdicts and verdicts[rid].verdict == "passed"
    ]
    problems = [FALSE_FAILURE] * bool(row.false_failures) + [UNEXERCISED] * bool(row.unexercised)
    row.result = " + ".join(problems) or CLEAN
    notes = [f"{f['requirement']} {f['verdict']}: {f['reason']}" for f in row.false_failures]
    notes += [f"{u['requirement']} {u['reason']}" for u in row.unexercised]
    row.reason = notes[0] if notes else ""
    return row


# ---- the control ---------------------------------------------------------------------------------
@dataclass
class ControlPart:
    """One chunk of the control: the plain reference on the scenarios of some requirements."""

    requirements: tuple[str, ...]
    scenarios: list[ScenarioResult] = field(default_factory=list)
    error: str = ""  # the run itself broke


@dataclass
class Control:
    """The plain reference on the union of the selections, and each selection's verdict."""

    parts: list[ControlPart] = field(default_factory=list)

    def scenarios(self) -> list[ScenarioResult]:
        """Each scenario once (a scenario in two chunks counts with its worse verdict)."""
        worst: dict[str, ScenarioResult] = {}
        for part in self.parts:
            for s in part.scenarios:
                seen = worst.get(s.nodeid)
                if seen is None or (s.verdict in BROKEN and seen.verdict not in BROKEN):
                    worst[s.nodeid] = s
        return list(worst.values())

    def failure(self, selection: Sequence[str]) -> str:
        """Why the plain reference does not pass ``selection`` ("" when it does)."""
        wanted = set(selection)
        broken_runs = [p for p in self.parts if p.error and wanted & set(p.requirements)]
        if broken_runs:
            return f"the control run broke: {broken_runs[0].error}"
        bad = [s for s in self.scenarios() if wanted & set(s.requirements) and s.verdict in BROKEN]
        if not bad:
            return ""
        first = bad[0]
        more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
        tags = " ".join(sorted(wanted & set(first.requirements)))
        return (
            f"the plain reference gives {first.verdict} ({tags}): {first.name}: "
            f"{first.reason}{more}"
        )


def control_chunks(selections: Collection[Sequence[str]]) -> list[tuple[str, ...]]:
    """The union of the selections, split for the workers: each slow requirement alone, the
    rest in ``CONTROL_CHUNKS`` parts."""
    union = sorted({rid for selection in selections for rid in selection})
    slow = [rid for rid in union if SLOW_REQUIREMENTS.get(rid, 0.0) >= 1.5]
    rest = [rid for rid in union if rid not in slow]
    parts = [rest[i::CONTROL_CHUNKS] for i in range(CONTROL_CHUNKS)]
    return [(rid,) for rid in slow] + [tuple(part) for part in parts if part]


def apply_control(row: Row, control: Control) -> Row:
    """A row whose selection the plain reference does not pass says so, and is judged no
    further (it keeps what its own run showed, for the reader)."""
    selection = row.violates if isinstance(row, KillRow) else row.touches
    failure = control.failure(selection)
    if failure and row.result != ERROR:
        row.control = failure
        row.result = CONTROL_FAILED
        row.reason = f"control failed: {failure}"
    return row


# ---- running -------------------------------------------------------------------------------------
def run_variant(name: str) -> Row:
    """Run one variant in this process (its patches last only as long as its run)."""
    chosen = get(name)
    started = time.perf_counter()
    selection = Selection.requirements(chosen.selection, *FAST_PYTEST)
    try:
        run = run_suite("reference", {"variant": name}, selection)
    except SuiteError as error:
        return _error_row(chosen, str(error), started)
    except Exception as error:  # a variant must never take the self-test down (Ctrl-C may)
        return _error_row(chosen, f"{type(error).__name__}: {error}", started)
    if run.results.interrupted:  # stopped by a signal: the self-test stops too
        raise KeyboardInterrupt(_signal_of(run.results))
    seconds = time.perf_counter() - started
    if chosen.kind is VariantKind.DEVIANT:
        return judge(chosen, run.results, seconds)
    return judge_conforming(chosen, run.results, seconds)


def run_control(requirements: tuple[str, ...]) -> ControlPart:
    """The plain reference on the scenarios of ``requirements``."""
    try:
        run = run_suite("reference", {}, Selection.requirements(requirements, *FAST_PYTEST))
    except Exception as error:  # reported on every row whose selection it covers
        return ControlPart(requirements, error=f"{type(error).__name__}: {error}")
    if run.results.interrupted:
        raise KeyboardInterrupt(_signal_of(run.results))
    return ControlPart(requirements, list(run.results.scenarios))


def _signal_of(results: Results) -> str:
    """The signal that interrupted a run, as its interrupted scenario names it."""
    for scenario in results.scenarios:
        if scenario.verdict == "interrupted" and "SIGTERM" in scenario.reason:
            return "SIGTERM"
    return "SIGINT"


def _error_row(chosen: Variant, reason: str, started: float) -> Row:
    seconds = round(time.perf_counter() - started, 2)
    if chosen.kind is VariantKind.DEVIANT:
        return KillRow(
            chosen.name,
            list(chosen.violates),
            ERROR,
            reason=reason,
            seconds=seconds,
            gap=chosen.gap,
        )
    return VariantRow(
        chosen.name,
        list(chosen.touches),
        list(chosen.unobservable),
        ERROR,
        reason=reason,
        seconds=seconds,
        allowed_by=chosen.allowed_by,
    )


def cost(name: str) -> float:
    """A rough guess of a variant's run time, to start the slow ones first."""
    return 1.0 + sum(SLOW_REQUIREMENTS.get(rid, 0.0) for rid in get(name).selection)


def _run_job(job: tuple[str, Any]) -> Row | ControlPart:
    kind, what = job
    return run_control(what) if kind == "control" else run_variant(what)


def _leave_interrupts_to_parent() -> None:
    """A worker ignores Ctrl-C (the terminal sends it to the whole process group): the parent
    decides, and stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Drop the queued jobs and end the workers now: their runs are against in-process
    reference clouds, with nothing outside the process to clean up."""
    kill = getattr(pool, "kill_workers", None)  # Python 3.14
    if kill is not None:
        kill()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # gone after shutdown
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(timeout=5)


def run_all(
    names: Sequence[str],
    workers: int,
    on_row: Callable[[Row], None] | None = None,
    *,
    control: bool = True,
) -> list[Row]:
    """Every named variant, and the control of their selections, on ``workers`` processes (0:
    in this process); catalog order out. ``on_row`` sees each row as its run ends, before the
    control is applied."""
    chunks = control_chunks([get(name).selection for name in names]) if control else []
    jobs: list[tuple[str, Any]] = [("control", chunk) for chunk in chunks]
    jobs += [("variant", name) for name in sorted(names, key=cost, reverse=True)]
    rows: list[Row] = []
    parts: list[ControlPart] = []

    def done(result: Row | ControlPart) -> None:
        if isinstance(result, ControlPart):
            parts.append(result)
            return
        rows.append(result)
        if on_row is not None:
            on_row(result)

    if workers <= 0:
        for job in jobs:
            done(_run_job(job))
    else:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_leave_interrupts_to_parent
        )
        try:
            futures = {pool.submit(_run_job, job): job for job in jobs}
            for future in as_completed(futures):
                kind, what = futures[future]
                try:
                    done(future.result())
                except Exception as error:  # the worker process itself died
                    if kind == "control":
                        done(ControlPart(what, error=f"worker failed: {error!r}"))
                    else:
                        started = time.perf_counter()
                        done(_error_row(get(what), f"worker failed: {error!r}", started))
        except BaseException:  # Ctrl-C, SIGTERM: stop at once, not after the queued jobs
            _stop_workers(pool)
            raise
        pool.shutdown()
    judged = Control(parts)
    rows = [apply_control(row, judged) for row in rows]
    position = {name: i for i, name in enumerate(variants())}
    return sorted(rows, key=lambda row: position[row.name])


# ---- output --------------------------------------------------------------------------------------
def _deviant_table(rows: Sequence[KillRow]) -> str:
    return tabulate(
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


def _conforming_table(rows: Sequence[VariantRow]) -> str:
    return tabulate(
        [
            (
                row.variant,
                len(row.touches),
                " ".join(row.unobservable) or "-",
                " ".join(f["requirement"] for f in row.false_failures) or "-",
                " ".join(u["requirement"] for u in row.unexercised) or "-",
                row.result,
            )
            for row in rows
        ],
        headers=(
            "conforming variant",
            "touches",
            "unobservable",
            "failed (false)",
            "passed unexercised",
            "result",
        ),
        tablefmt="simple",
    )


def render(rows: Sequence[Row]) -> str:
    """The kill matrix of the deviants, the table of the conforming variants, then one note per
    row that is not what the self-test wants, saying why."""
    killers = [row for row in rows if isinstance(row, KillRow)]
    conformers = [row for row in rows if isinstance(row, VariantRow)]
    parts = []
    if killers:
        parts.append(_deviant_table(killers))
    if conformers:
        parts.append(_conforming_table(conformers))
    notes = []
    for row in killers:
        if row.killed:
            continue
        notes.append(f"{row.result} {row.deviant}: {row.reason}")
        if row.gap:
            notes.append(f"    spec gap: {row.gap}")
    for row in conformers:
        if row.settled:
            continue
        if not row.judged:
            notes.append(f"{row.result} {row.variant}: {row.reason}")
            continue
        for failure in row.false_failures:
            notes.append(
                f"{FALSE_FAILURE} {row.variant}: {failure['requirement']} {failure['verdict']}: "
                f"{failure['reason']}"
            )
        for unearned in row.unexercised:
            notes.append(
                f"{UNEXERCISED} {row.variant}: {unearned['requirement']} {unearned['reason']}"
            )
    if notes:
        parts.append("\n".join(notes))
    return "\n\n".join(parts)


def summary(rows: Sequence[Row]) -> str:
    """``killed K/N``, ``false failures F/M``, ``unexercised passes U/M``, one per line; before
    them, when any, how many rows could not be judged (control failed, error)."""
    killers = [row for row in rows if isinstance(row, KillRow)]
    conformers = [row for row in rows if isinstance(row, VariantRow)]
    lines = []
    unjudged = {
        verdict: sum(row.result == verdict for row in rows) for verdict in (CONTROL_FAILED, ERROR)
    }
    if any(unjudged.values()):
        lines.append(
            "not judged: "
            + ", ".join(f"{count} {verdict}" for verdict, count in unjudged.items() if count)
        )
    lines.append(f"killed {sum(row.killed for row in killers)}/{len(killers)}")
    lines.append(f"false failures {sum(row.false_failure for row in conformers)}/{len(conformers)}")
    lines.append(
        f"unexercised passes {sum(row.unexercised_pass for row in conformers)}/{len(conformers)}"
    )
    return "\n".join(lines)


def all_settled(rows: Sequence[Row]) -> bool:
    """Every deviant killed and every conforming variant clean (the exit code's question)."""
    return all(row.settled for row in rows)


def to_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(row) for row in rows]


def progress_line(row: Row, done: int, total: int) -> str:
    width = len(str(total))
    return f"[{done:>{width}}/{total}] {row.result:<6} {row.name} ({row.seconds:.1f} s)"
