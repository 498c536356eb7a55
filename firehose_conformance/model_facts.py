"""Model facts: named values of an AWS service model that the requirement catalog cites.

A fact path names one value of a botocore ``service-2`` document::

    <service>:<Operation>.<property>        errors | documentation | input | output
    <service>:<Shape>.<property>            pattern | min | max | enum | required | members
                                            | type | documentation
    <service>:<Shape>.<Member>.<property>   documentation (the member's own), shape (the name
                                            of its target shape), or any shape property above,
                                            read from the member's target shape

e.g. ``firehose:DeliveryStreamEncryptionConfigurationInput.KeyARN.pattern``. Paths are resolved
against a raw model dict (``reference_impl.aws_models.raw_model``, or any other botocore model),
so the same path can be read in the snapshot and in a newer model and the two values compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MEMBER_PROPERTIES",
    "OPERATION_PROPERTIES",
    "SHAPE_PROPERTIES",
    "FactError",
    "FactPath",
    "FactValue",
    "parse_fact_path",
    "resolve",
]

OPERATION_PROPERTIES = frozenset({"errors", "documentation", "input", "output"})
SHAPE_PROPERTIES = frozenset(
    {"pattern", "min", "max", "enum", "required", "members", "type", "documentation"}
)
MEMBER_PROPERTIES = SHAPE_PROPERTIES | {"shape"}
"""A member's own ``documentation`` and ``shape``; every other property is its target shape's."""

_PATH = re.compile(r"^(?P<service>[a-z0-9-]+):(?P<names>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+){1,2})$")

FactValue = str | int | float | tuple[str, ...]
"""Strings (pattern, type, documentation, input, output, shape), numbers (min, max), or name
lists (enum, required, members, errors; required is () on a shape that requires nothing)."""


class FactError(ValueError):
    """A fact path is malformed, or names something the model does not have."""


@dataclass(frozen=True)
class FactPath:
    """One parsed fact path; ``str()`` gives it back as written."""

    service: str
    name: str
    member: str | None
    prop: str

    def __str__(self) -> str:
        member = f".{self.member}" if self.member else ""
        return f"{self.service}:{self.name}{member}.{self.prop}"


def parse_fact_path(text: str) -> FactPath:
    """Parse ``<service>:<Name>[.<Member>].<property>``; FactError says what is wrong."""
    match = _PATH.match(text)
    if not match:
        raise FactError(
            f"fact path {text!r} is not <service>:<Name>[.<Member>].<property> "
            "(e.g. firehose:DeliveryStreamEncryptionConfigurationInput.KeyARN.pattern)"
        )
    *names, prop = match["names"].split(".")
    name, member = names[0], (names[1] if len(names) == 2 else None)
    allowed = MEMBER_PROPERTIES if member else OPERATION_PROPERTIES | SHAPE_PROPERTIES
    if prop not in allowed:
        raise FactError(f"fact path {text!r}: unknown property {prop!r}")
    return FactPath(match["service"], name, member, prop)


def resolve(path: FactPath | str, model: Mapping[str, Any]) -> FactValue:
    """The value ``path`` names in ``model`` (a raw service-2 dict of ``path.service``)."""
    fact = parse_fact_path(path) if isinstance(path, str) else path
    operations = model.get("operations", {})
    shapes = model.get("shapes", {})
    if fact.member is None and fact.name in operations and fact.prop in OPERATION_PROPERTIES:
        return _operation_property(fact, operations[fact.name])
    if fact.prop in ("errors", "input", "output"):
        raise FactError(f"{fact}: {fact.service} has no operation {fact.name}")
    if fact.name not in shapes:
        raise FactError(f"{fact}: {fact.service} has no operation or shape {fact.name}")
    shape = shapes[fact.name]
    if fact.member is not None:
        member = shape.get("members", {}).get(fact.member)
        if member is None:
            raise FactError(f"{fact}: shape {fact.name} has no member {fact.member}")
        if fact.prop == "shape":
            return str(member["shape"])
        if fact.prop == "documentation":
            return _present(fact, member, "documentation")
        target = shapes.get(member["shape"])
        if target is None:
            raise FactError(f"{fact}: member {fact.member} targets a missing shape")
        return _shape_property(fact, target)
    return _shape_property(fact, shape)


def _operation_property(fact: FactPath, operation: Mapping[str, Any]) -> FactValue:
    if fact.prop == "errors":
        return tuple(error["shape"] for error in operation.get("errors", []))
    if fact.prop in ("input", "output"):
        return str(_present(fact, operation, fact.prop)["shape"])
    return _present(fact, operation, "documentation")


def _shape_property(fact: FactPath, shape: Mapping[str, Any]) -> FactValue:
    if fact.prop == "members":
        return tuple(_present(fact, shape, "members"))
    if fact.prop == "required":
        if shape.get("type") != "structure":
            raise FactError(f"{fact}: not a structure, so it has no required members")
        return tuple(shape.get("required", ()))
    if fact.prop == "enum":
        return tuple(_present(fact, shape, "enum"))
    return _present(fact, shape, fact.prop)


def _present(fact: FactPath, table: Mapping[str, Any], key: str) -> Any:
    if key not in table:
        raise FactError(f"{fact}: the model gives no {key}")
    return table[key]
