"""The phrases step texts share, each parsed once into a typed value.

A step's text is compiled by ``step_text``: pytest-bdd's ``parsers.parse`` with the types below,
so a field such as ``{key:Key}`` reaches the step as a ``KeyPhrase``, never as prose to re-parse.
A bare quoted field (``"{stream}"``) never runs past its closing quote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import parse
from pytest_bdd import parsers

from firehose_conformance.actions import KeyIdForm, PutOperation
from firehose_conformance.targets.base import KeyRef

if TYPE_CHECKING:
    from firehose_conformance.world import World

T = TypeVar("T")
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class OneOf:
    """Alternatives as the step gives them ('A, B' or '"A" or "B"'); ``text`` is that wording."""

    text: str
    items: tuple[str, ...]

    def __contains__(self, value: object) -> bool:
        return value in self.items

    def __str__(self) -> str:
        return self.text

    def spoken(self) -> str:
        """'A or B': the alternatives in a sentence."""
        return " or ".join(self.items)


@dataclass(frozen=True)
class KeyPhrase:
    """'key "K"' (a customer managed key of the scenario) or 'an AWS owned key' (alias None)."""

    alias: str | None

    def of(self, world: World) -> KeyRef | None:
        """The scenario's key, or None for an AWS owned key."""
        return None if self.alias is None else world.key(self.alias)


@dataclass(frozen=True)
class FailedEnd:
    """'the encryption status of "S" becomes "ENABLING_FAILED"' or 'the delivery stream "S"
    becomes "CREATING_FAILED"': how the work an accepted call started must end (SSE-03, AMB-01)."""

    stream: str
    status: str  # ENABLING_FAILED (of the encryption) or CREATING_FAILED (of the stream)


@dataclass(frozen=True)
class SentRecords:
    """'put to "S"' (every record put to stream S) or 'of batch "B"' (the records of batch B)."""

    stream: str | None
    batch: str | None

    def of(self, world: World) -> list[bytes]:
        """The batch's records, or every record put to the stream: for a delivery stream, every
        put, accepted or not (a check of what arrived decides what a refused one means)."""
        if self.batch is not None:
            return world.sent.batch(self.batch)
        return world.records_put_to(str(self.stream), refused_too=True)

    def __str__(self) -> str:
        if self.batch is not None:
            return f"records of batch {self.batch}"
        return f"records put to {self.stream}"


@dataclass(frozen=True)
class KeyDescription:
    """What DescribeKey should show: 'key spec "S", usage "U" and state "E"'."""

    spec: str
    usage: str
    state: str


@dataclass(frozen=True)
class Settlement:
    """'"S" settles on key "K"': the key the encryption of stream S ends ENABLED with."""

    stream: str
    key: str


@dataclass(frozen=True)
class KeyWhileGranted:
    """'key "A" while key "K" keeps its grant': key A is acceptable only while K keeps a grant."""

    key: str
    granted: str


@dataclass(frozen=True)
class RecordRun:
    """'2 records with encryption type "NONE"' (or '2 with "KMS"'): consecutive records read."""

    count: int
    encryption_type: str


@dataclass(frozen=True)
class MetricSeries:
    """'"M" of "S"' (or '"M1" or "M2" of "S"'): a metric of a delivery stream, any of the names."""

    names: OneOf
    stream: str


def _type(pattern: str, convert: Callable[[str], T]) -> Callable[[str], T]:
    """A parse type: text matching ``pattern``, converted by ``convert``."""

    @parse.with_pattern(pattern, regex_group_count=re.compile(pattern).groups)
    def parse_type(text: str) -> T:
        return convert(text)

    return parse_type


def _fields(pattern: str, build: Callable[..., T]) -> Callable[[str], T]:
    """A parse type for text matching ``pattern``, whose named groups are ``build``'s arguments."""
    regex = re.compile(pattern)
    return _type(
        re.sub(r"\(\?P<\w+>", "(", pattern),
        lambda text: build(**regex.fullmatch(text).groupdict()),
    )


def _comma_list(text: str) -> OneOf:
    return OneOf(text, tuple(item.strip() for item in text.split(",") if item.strip()))


def _quoted_names(text: str) -> OneOf:
    """'"A" or "B"' -> A, B: AMB-13 allows either metric for a pending-deletion key."""
    return OneOf(text, tuple(re.findall(r'"([^"]+)"', text)))


_NAMES = r'"[A-Za-z]+"(?: or "[A-Za-z]+")*'
_FORMS = {"bare key id": KeyIdForm.KEY_ID, **{form.value: form for form in KeyIdForm}}

TYPES: dict[str, Callable[[str], Any]] = {
    "Quoted": _type(r'[^"]*', str),
    "OneOf": _type(r"[A-Za-z_]+(?:, ?[A-Za-z_]+)*", _comma_list),
    "Key": _fields(r'key "(?P<alias>[^"]+)"|an AWS owned key', KeyPhrase),
    "KeyForm": _type("|".join(_FORMS), _FORMS.__getitem__),
    "Duration": _fields(
        r"(?P<count>\d+) (?P<unit>second|minute|hour|day)s?",
        lambda count, unit: int(count) * UNIT_SECONDS[unit],
    ),
    "Records": _fields(r"(?P<count>\d+) records?", lambda count: int(count)),
    "PutOperation": _type("|".join(PutOperation), PutOperation),
    "Json": _type(r"\{.*\}", json.loads),
    "Metrics": _type(_NAMES, _quoted_names),
    "Series": _fields(
        rf'(?P<names>{_NAMES}) of "(?P<stream>[^"]+)"',
        lambda names, stream: MetricSeries(_quoted_names(names), stream),
    ),
    "KeyDescription": _fields(
        r'key spec "(?P<spec>[^"]+)", usage "(?P<usage>[^"]+)" and state "(?P<state>[^"]+)"',
        KeyDescription,
    ),
    "FailedEnd": _fields(
        r'the encryption status of "(?P<enabling>[^"]+)" becomes "ENABLING_FAILED"'
        r'|the delivery stream "(?P<creating>[^"]+)" becomes "CREATING_FAILED"',
        lambda enabling, creating: (
            FailedEnd(enabling, "ENABLING_FAILED")
            if enabling
            else FailedEnd(creating, "CREATING_FAILED")
        ),
    ),
    "Sent": _fields(r'put to "(?P<stream>[^"]+)"|of batch "(?P<batch>[^"]+)"', SentRecords),
    "Settles": _fields(r'"(?P<stream>[^"]+)" settles on key "(?P<key>[^"]+)"', Settlement),
    "KeyWhileGranted": _fields(
        r'key "(?P<key>[^"]+)" while key "(?P<granted>[^"]+)" keeps its grant', KeyWhileGranted
    ),
    "StreamName": _fields(  # API-05: '"bad name!"' -> bad name!; 'of 65 characters' -> 65 a's
        r'"(?P<text>[^"]*)"|of (?P<length>\d+) characters',
        lambda text, length: "a" * int(length) if length else text,
    ),
    "RecordRun": _fields(
        r'(?P<count>\d+) (?:records )?with (?:encryption type )?"(?P<encryption_type>[^"]+)"',
        lambda count, encryption_type: RecordRun(int(count), encryption_type),
    ),
}


def step_text(text: str) -> parsers.parse:
    """A step's text with typed fields; a bare ``"{name}"`` stops at its closing quote."""
    typed = re.sub(r'"\{(\w+)\}"', r'"{\1:Quoted}"', text)
    return parsers.parse(typed, extra_types=TYPES, case_sensitive=True)
