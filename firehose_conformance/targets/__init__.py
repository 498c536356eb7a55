"""Targets by name. Each is imported only when chosen, so one target's dependencies never
burden a run against another.

Every target takes the option ``label=NAME`` (``run --label NAME``): the name of the run, kept in
the target's identity (the results' ``provenance.target.label``), which merged reports use as the
run's column ("localstack", "moto-server" rather than "endpoint", "endpoint (2)")."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from firehose_conformance.errors import UsageError
from firehose_conformance.targets.base import Target
from firehose_conformance.targets.options import LABEL

# name -> where its class is: imported only when that target is chosen.
CLASSES: dict[str, str] = {
    "reference": "firehose_conformance.targets.reference:ReferenceTarget",
    "moto": "firehose_conformance.targets.moto:MotoTarget",
    "endpoint": "firehose_conformance.targets.endpoint:EndpointTarget",
    "aws": "firehose_conformance.targets.aws:AwsTarget",
}


def target_class(name: str) -> type[Target]:
    """The class of target ``name``, imported now (its class-level facts, such as its cost
    policy, are known without making it); UsageError for an unknown name."""
    where = CLASSES.get(name)
    if where is None:
        raise UsageError(f"unknown target {name!r}; known targets: {', '.join(sorted(CLASSES))}")
    module, _, attribute = where.partition(":")
    found: type[Target] = getattr(importlib.import_module(module), attribute)
    return found


def _factory(name: str) -> Callable[..., Target]:
    def make(**options: Any) -> Target:
        return target_class(name)(**options)

    return make


FACTORIES: dict[str, Callable[..., Target]] = {name: _factory(name) for name in CLASSES}


def make_target(name: str, **options: Any) -> Target:
    factory = FACTORIES.get(name)
    if factory is None:
        raise UsageError(f"unknown target {name!r}; known targets: {', '.join(sorted(FACTORIES))}")
    label = options.pop("label", None)
    if label is not None and not LABEL.fullmatch(str(label)):
        raise UsageError(f"target {name!r}: label must be 1-64 letters, digits, '.', '_' or '-'")
    try:
        made = factory(**options)
    except ValueError as error:
        raise UsageError(f"target {name!r}: {error}") from None
    if label:
        _label(made, str(label))
    return made


def _label(target: Target, label: str) -> None:
    """Add ``label`` to what ``target.identity()`` says, whichever target it is."""
    identity = target.identity
    target.identity = lambda: {**identity(), "label": label}  # type: ignore[method-assign]
