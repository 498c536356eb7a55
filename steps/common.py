"""Steps every area shares: the outcome of the last call, and time passing."""

from __future__ import annotations

import json
import re

import parse
from pytest_bdd import given, parsers, then, when

from firehose_conformance.targets.base import Target
from firehose_conformance.world import World

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@parse.with_pattern(r'[^"]*')
def _quoted_text(text: str) -> str:
    return text


def quoted(text: str) -> parsers.parse:
    """``parsers.parse`` where a quoted field ("{alias}") never runs past its closing quote."""
    return parsers.parse(re.sub(r'"\{(\w+)\}"', r'"{\1:Q}"', text), extra_types={"Q": _quoted_text})


def codes(text: str) -> list[str]:
    """'A, B' -> ['A', 'B']."""
    return [c.strip() for c in text.split(",") if c.strip()]


@given(parsers.re(r"(?P<n>\d+) (?P<unit>second|minute|hour|day)s? pass(?:es)?"))
@when(parsers.re(r"(?P<n>\d+) (?P<unit>second|minute|hour|day)s? pass(?:es)?"))
def time_passes(t: Target, n: str, unit: str) -> None:
    t.sleep(int(n) * UNITS[unit])


@then("the call succeeds")
def call_succeeds(world: World) -> None:
    assert world.last.ok, world.last.describe()


@then("the call succeeds with an empty response")
def call_succeeds_empty(world: World) -> None:
    assert world.last.ok, world.last.describe()
    assert world.last.body() == {}, f"{world.last.operation} answered {world.last.body()}, not {{}}"
    raw = world.last.raw_body
    if raw is not None:  # botocore keeps only modelled members: look at what was sent
        assert json.loads(raw or b"{}") == {}, f"{world.last.operation} answered {raw!r}, not {{}}"


@then(parsers.re(r'the call fails with "(?P<code>[A-Za-z]+)"$'))
def call_fails(world: World, code: str) -> None:
    call_fails_one_of(world, code)


@then(parsers.re(r'the call fails with one of "(?P<expected>[A-Za-z, ]+)"$'))
def call_fails_one_of(world: World, expected: str) -> None:
    wanted = codes(expected)
    last = world.last
    assert not last.ok, f"{last.operation} succeeded; expected {' or '.join(wanted)}"
    assert last.error_code in wanted, f"{last.describe()}; expected {' or '.join(wanted)}"
    assert 400 <= last.http_status < 500, f"{last.describe()}: not a client error status"


@then("the call fails")
def call_fails_any(world: World) -> None:
    last = world.last
    assert not last.ok, f"{last.operation} succeeded; expected an error"
    assert re.match(r"^[A-Za-z.]+$", last.error_code or ""), last.describe()


@then(parsers.re(r'the call succeeds, or fails with one of "(?P<expected>[A-Za-z, ]+)"'))
def call_succeeds_or_fails_one_of(world: World, expected: str) -> None:
    if not world.last.ok:
        call_fails_one_of(world, expected)
