"""Targets by name. Each is imported only when chosen, so one target's dependencies never
burden a run against another.

Every target takes the option ``label=NAME`` (``run --label NAME``): the name of the run, kept in
the target's identity (the results' ``provenance.target.label``), which merged reports use as the
run's column ("localstack", "moto-server" rather than "endpoint", "endpoint (2)")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firehose_conformance.errors import UsageError
from firehose_conformance.targets.base import Target
from firehose_conformance.targets.options import LABEL


def _reference(**options: Any) -> Target:
    from firehose_conformance.targets.reference import ReferenceTarget

    return ReferenceTarget(**options)


def _moto(**options: Any) -> Target:
    from firehose_conformance.targets.moto import MotoTarget

    return MotoTarget(**options)


def _endpoint(**options: Any) -> Target:
    from firehose_conformance.targets.endpoint import EndpointTarget

    return EndpointTarget(**options)


def _aws(**options: Any) -> Target:
    from firehose_conformance.targets.aws import AwsTarget

    return AwsTarget(**options)


FACTORIES: dict[str, Callable[..., Target]] = {
    "reference": _reference,
    "moto": _moto,
    "endpoint": _endpoint,
    "aws": _aws,
}


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
