"""Targets by name. Each is imported only when chosen, so one target's dependencies never
burden a run against another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from firehose_conformance.errors import UsageError
from firehose_conformance.targets.base import Target


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
    try:
        return factory(**options)
    except ValueError as error:
        raise UsageError(f"target {name!r}: {error}") from None
