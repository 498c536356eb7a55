"""What a variant is, how one is registered, and the catalog of them all.

A variant is a function of its area's module that changes the reference through a ``Patcher``
(patching.py), registered with ``@deviant(...)`` or, for a behaviour the documents allow,
``@conforming(...)``. Requirement IDs are plain strings here: the reference knows no requirement
catalog; the conformance harness checks them against its own.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from reference_impl.variants.patching import Patcher

NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The modules of the variants, by area, in catalog order.
AREAS = ("api", "grants", "keys", "kms", "metrics", "puts", "retention", "sources", "sse")
# The scenario verdicts that may catch a deviant (the conformance suite's words).
CAUGHT_AS = ("failed", "error")


class VariantKind(StrEnum):
    DEVIANT = "deviant"  # a plausible bug: the suite must catch it
    CONFORMING = "conforming"  # a path the documents allow: the suite must not fail it


class UnknownVariant(ValueError):
    """No variant of that name is registered."""


@dataclass(frozen=True)
class Variant:
    """One named change of the reference and what the conformance suite must make of it.

    For a deviant: ``violates`` names the requirements it breaks; ``caught_as`` is the scenario
    verdict that catches it (``failed``, or ``error`` for a bug that is itself a 5xx answer, which
    the suite reports as the target misbehaving); ``evidence`` is a fragment of the reason the
    catching scenario gives; ``gap`` says, for a deviant the spec cannot catch yet, which scenario
    or step is missing or too weak.

    A conforming variant violates nothing and is never caught. ``touches`` names the requirements
    whose scenarios its behaviour reaches (they run on it in the self-test, and none may fail);
    ``unobservable`` those of them it leaves nothing to observe for, because it removes the only
    documented path to what they state (e.g. every unusable key refused at once: ENABLING_FAILED
    never arises), so none may come out passed; ``allowed_by`` cites the document sentence or the
    ambiguity (AMB-xx) that allows it.
    """

    name: str
    kind: VariantKind
    description: str
    apply: Callable[[Patcher], None] = field(repr=False)
    violates: tuple[str, ...] = ()
    evidence: str = ""
    caught_as: str = ""
    gap: str = ""
    touches: tuple[str, ...] = ()
    unobservable: tuple[str, ...] = ()
    allowed_by: str = ""

    @property
    def selection(self) -> tuple[str, ...]:
        """The requirements whose scenarios the self-test runs on this variant."""
        return self.violates if self.kind is VariantKind.DEVIANT else self.touches


_REGISTERED: dict[str, Variant] = {}


def variant(
    name: str,
    *violates: str,
    kind: VariantKind,
    evidence: str = "",
    caught_as: str = "",
    gap: str = "",
    touches: tuple[str, ...] = (),
    unobservable: tuple[str, ...] = (),
    allowed_by: str = "",
) -> Callable[[Callable[[Patcher], None]], Callable[[Patcher], None]]:
    """Register the decorated function as a variant; its docstring's first paragraph describes
    it."""

    def register(apply: Callable[[Patcher], None]) -> Callable[[Patcher], None]:
        if not NAME.match(name):
            raise ValueError(f"variant name {name!r} is not lower-case-with-dashes")
        if name in _REGISTERED:
            raise ValueError(f"variant {name!r} is registered twice")
        if kind is VariantKind.DEVIANT:
            if not violates:
                raise ValueError(f"deviant {name!r} names no requirement it violates")
            if caught_as not in CAUGHT_AS:
                raise ValueError(f"deviant {name!r}: caught_as must be one of {CAUGHT_AS}")
            if touches or unobservable or allowed_by:
                raise ValueError(f"deviant {name!r}: only conforming variants touch requirements")
        else:
            if violates or caught_as or evidence:
                raise ValueError(
                    f"conforming variant {name!r} violates nothing and is never caught"
                )
            if not touches:
                raise ValueError(f"conforming variant {name!r} names no requirement it touches")
            if not set(unobservable) <= set(touches):
                raise ValueError(
                    f"conforming variant {name!r}: what it makes unobservable must be among "
                    "the requirements it touches (their scenarios must run on it)"
                )
            if not allowed_by.strip():
                raise ValueError(f"conforming variant {name!r} cites nothing that allows it")
        doc = (apply.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"variant {name!r} has no description (docstring)")
        description = " ".join(doc.split("\n\n")[0].split())
        _REGISTERED[name] = Variant(
            name,
            kind,
            description,
            apply,
            tuple(violates),
            evidence,
            caught_as,
            " ".join(gap.split()),
            tuple(touches),
            tuple(unobservable),
            " ".join(allowed_by.split()),
        )
        return apply

    return register


def deviant(
    name: str, *violates: str, evidence: str = "", caught_as: str = "failed", gap: str = ""
) -> Callable[[Callable[[Patcher], None]], Callable[[Patcher], None]]:
    """Register a deviant: a plausible bug, the requirements it violates, how it is caught."""
    return variant(
        name, *violates, kind=VariantKind.DEVIANT, evidence=evidence, caught_as=caught_as, gap=gap
    )


def conforming(
    name: str,
    *touches: str,
    allowed_by: str,
    unobservable: tuple[str, ...] = (),
) -> Callable[[Callable[[Patcher], None]], Callable[[Patcher], None]]:
    """Register a conforming variant: a behaviour the documents allow (``allowed_by`` cites
    them), the requirements whose scenarios it reaches, and those it leaves unobservable."""
    return variant(
        name,
        kind=VariantKind.CONFORMING,
        touches=touches,
        unobservable=unobservable,
        allowed_by=allowed_by,
    )


def catalog() -> Mapping[str, Variant]:
    """Every variant by name, area by area (the modules are imported on first use)."""
    for area in AREAS:
        importlib.import_module(f"reference_impl.variants.{area}")
    return MappingProxyType(_REGISTERED)


def get(name: str) -> Variant:
    found = catalog().get(name)
    if found is None:
        raise UnknownVariant(f"unknown variant {name!r}")
    return found
