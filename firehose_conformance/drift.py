"""What another model changes in the facts the spec rests on.

Two kinds of change. A *cited* change is a model fact a requirement cites (its ``model_facts``)
whose value differs: those requirements must be reviewed before the snapshot moves, so they
decide the drift command's exit code. A *surface* change is, for information, a change to an
operation the reference implements or to a shape reachable from one (reference_surface.py):
errors, input and output of the operations; type, pattern, lengths, enum, required members,
members and each member's target shape of the shapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from firehose_conformance.catalog import Requirement
from firehose_conformance.fact_agreement import disagreement
from firehose_conformance.model_facts import (
    FactError,
    FactPath,
    FactValue,
    parse_fact_path,
    resolve,
)
from firehose_conformance.reference_surface import implemented_operations, reachable_shapes

__all__ = ["Change", "DriftReport", "Scope", "compare"]

Models = Mapping[str, Mapping[str, Any]]
"""Raw service-2 documents by service name."""

_OPERATION_PROPS = ("errors", "input", "output")
_SHAPE_PROPERTIES = ("type", "pattern", "min", "max", "enum", "required", "members")


@dataclass(frozen=True)
class Change:
    """One fact whose value differs; ``None`` is a value the model does not have."""

    path: str
    old: FactValue | None
    new: FactValue | None
    requirements: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Scope:
    """The reference's surface in one service: its operations and how many shapes they reach."""

    service: str
    operations: tuple[str, ...]
    shapes: int


@dataclass(frozen=True)
class DriftReport:
    cited_facts: int
    cited: tuple[Change, ...]
    surface: tuple[Change, ...]
    scope: tuple[Scope, ...]

    @property
    def exit_code(self) -> int:
        """1 when a cited fact changed, else 0."""
        return 1 if self.cited else 0


def compare(old: Models, new: Models, catalog: Mapping[str, Requirement]) -> DriftReport:
    """The changes from the ``old`` models (the snapshot) to the ``new`` ones."""
    citing: dict[str, list[str]] = {}
    for rid, requirement in catalog.items():
        for fact in requirement.model_facts:
            citing.setdefault(fact, []).append(rid)
    cited = tuple(
        change
        for fact, rids in citing.items()
        if (change := _cited_change(parse_fact_path(fact), old, new, rids, catalog)) is not None
    )
    scope: list[Scope] = []
    surface: list[Change] = []
    for service in old:
        if service not in new:
            continue
        operations = implemented_operations(service, old[service])
        if not operations:
            continue
        shapes = reachable_shapes(old[service], operations)
        scope.append(Scope(service, operations, len(shapes)))
        surface += [
            change
            for change in _surface_changes(service, old[service], new[service], operations, shapes)
            if change.path not in citing
        ]
    return DriftReport(len(citing), cited, tuple(surface), tuple(scope))


def _cited_change(
    fact: FactPath, old: Models, new: Models, rids: list[str], catalog: Mapping[str, Requirement]
) -> Change | None:
    before, _ = _value(fact, old)
    after, missing = _value(fact, new)
    if before == after:
        return None
    note = missing
    if fact.prop == "documentation" and after is not None:
        stale = [
            rid
            for rid in rids
            if disagreement(fact, after, catalog[rid].text, catalog[rid].quote) is not None
        ]
        note = f"the quote no longer agrees: {', '.join(stale)}" if stale else "quotes still agree"
    return Change(str(fact), before, after, tuple(rids), note)


def _surface_changes(
    service: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    operations: Iterable[str],
    shapes: Iterable[str],
) -> Iterator[Change]:
    for operation in operations:
        if operation not in new.get("operations", {}):
            yield Change(f"{service}:{operation}", None, None, note="operation removed")
            continue
        yield from _changed(service, old, new, (f"{operation}.{p}" for p in _OPERATION_PROPS))
    for shape in sorted(shapes):
        if shape not in new.get("shapes", {}):
            yield Change(f"{service}:{shape}", None, None, note="shape removed")
            continue
        # A member added or removed shows in .members; a kept one may change its target shape.
        kept = set(old["shapes"][shape].get("members", {}))
        kept &= set(new["shapes"][shape].get("members", {}))
        paths = [f"{shape}.{p}" for p in _SHAPE_PROPERTIES]
        paths += [f"{shape}.{member}.shape" for member in sorted(kept)]
        yield from _changed(service, old, new, paths)


def _changed(
    service: str, old: Mapping[str, Any], new: Mapping[str, Any], paths: Iterable[str]
) -> Iterator[Change]:
    for text in paths:
        fact = parse_fact_path(f"{service}:{text}")
        before, _ = _value(fact, {service: old})
        after, _ = _value(fact, {service: new})
        if before != after:
            yield Change(str(fact), before, after)


def _value(fact: FactPath, models: Models) -> tuple[FactValue | None, str]:
    """The fact's value in ``models``, or None and why it has none."""
    model = models.get(fact.service)
    if model is None:
        return None, f"no model of {fact.service}"
    try:
        return resolve(fact, model), ""
    except FactError as error:
        return None, str(error).split(": ", 1)[-1]
