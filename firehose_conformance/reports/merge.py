"""Join the results of several targets into one view: requirement x target.

Every report format renders a ``Merged``. Rows follow the catalog (so areas stay together and
in catalog order); a requirement that one results file lacks (an older catalog) shows as
untested there, with a reason that says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from firehose_conformance.catalog import AREAS, Requirement, load_catalog
from firehose_conformance.errors import UsageError
from firehose_conformance.results import Results, ScenarioResult, not_implemented, read_results
from firehose_conformance.verdicts import Verdict


@dataclass(frozen=True)
class Cell:
    verdict: str
    reason: str
    cause: str = ""  # e.g. "not_implemented: StartDeliveryStreamEncryption"


@dataclass(frozen=True)
class Run:
    """One results document, under a column label unique in the view (its target's name)."""

    label: str
    results: Results

    def scenarios_of(self, rid: str) -> list[ScenarioResult]:
        return [s for s in self.results.scenarios if rid in s.requirements]

    def not_implemented(self) -> dict[str, list[str]]:
        """Operation -> the requirements its absence blocks on this target."""
        return not_implemented(self.results)


@dataclass(frozen=True)
class Row:
    id: str
    level: str
    mandatory: bool
    requirement: Requirement | None  # None for an ID the catalog no longer has
    cells: Mapping[str, Cell]  # by run label

    @property
    def area(self) -> str:
        return self.id.split("-", 1)[0]

    @property
    def sentence(self) -> str:
        return self.requirement.sentence if self.requirement else ""

    def verdicts(self) -> set[str]:
        return {cell.verdict for cell in self.cells.values()}


@dataclass(frozen=True)
class Area:
    code: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Merged:
    runs: tuple[Run, ...]
    rows: tuple[Row, ...]

    @property
    def labels(self) -> list[str]:
        return [run.label for run in self.runs]

    def words(self) -> set[str]:
        """Every verdict word the view shows: its cells' and its scenarios'."""
        found = {cell.verdict for row in self.rows for cell in row.cells.values()}
        return found | {s.verdict for run in self.runs for s in run.results.scenarios}

    def areas(self) -> list[Area]:
        """Rows grouped by ID prefix, in the order the rows come (catalog order)."""
        grouped: dict[str, list[Row]] = {}
        for row in self.rows:
            grouped.setdefault(row.area, []).append(row)
        return [Area(code, AREAS.get(code, code), tuple(rows)) for code, rows in grouped.items()]

    def problems(self, row: Row) -> list[tuple[str, ScenarioResult]]:
        """(run label, scenario) for each scenario that did not pass the requirement: it failed
        or errored on it, or did not exercise it (verdicts.contribution).

        Per run, failures come first, then errors, then the not applicable.
        """
        rank = {Verdict.FAILED: 0, Verdict.ERROR: 1}
        return [
            (run.label, scenario)
            for run in self.runs
            for scenario in sorted(
                run.scenarios_of(row.id), key=lambda s: rank.get(s.says(row.id), 2)
            )
            if scenario.says(row.id) != Verdict.PASSED
        ]


def _labels(results: Sequence[Results]) -> list[str]:
    """Each run's name: its label (``run --label``, kept in the provenance's target identity),
    else its target's name; numbered where one name appears more than once."""
    seen: dict[str, int] = {}
    labels = []
    for result in results:
        target = result.provenance.get("target") or {}
        name = str(target.get("label") or result.target)
        seen[name] = seen.get(name, 0) + 1
        count = seen[name]
        labels.append(name if count == 1 else f"{name} ({count})")
    return labels


def merge(results: Sequence[Results], catalog: Mapping[str, Requirement]) -> Merged:
    if not results:
        raise UsageError("no results to report on")
    runs = tuple(Run(label, r) for label, r in zip(_labels(results), results, strict=True))
    by_run = {run.label: {r.id: r for r in run.results.requirements} for run in runs}
    extra = sorted({rid for found in by_run.values() for rid in found} - set(catalog))
    rows = []
    for rid in [*catalog, *extra]:
        requirement = catalog.get(rid)
        cells: dict[str, Cell] = {}
        level, mandatory = "", False
        for run in runs:
            found = by_run[run.label].get(rid)
            if found is None:
                reason = f"not in the results of {run.label} (run with another catalog)"
                cells[run.label] = Cell(Verdict.UNTESTED.value, reason)
                continue
            cells[run.label] = Cell(found.verdict, found.reason, found.cause)
            level, mandatory = found.level, found.mandatory
        if requirement is not None:
            level, mandatory = requirement.display_level, requirement.mandatory
        rows.append(Row(rid, level, mandatory, requirement, cells))
    return Merged(runs, tuple(rows))


def load_merged(paths: Sequence[Path], catalog: Mapping[str, Requirement] | None = None) -> Merged:
    """Read results files (each error names its file) and merge them in the order given."""
    return merge([read_results(Path(p)) for p in paths], catalog or load_catalog())
