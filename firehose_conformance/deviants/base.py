"""What a deviant is, how one is registered, and how it is applied and undone.

A deviant is one plausible emulator bug, written as a small function that patches the reference
implementation through a ``Patcher``. Every patch is a ``unittest.mock.patch`` entered on an
``ExitStack``, so closing the stack restores the reference exactly; nothing in ``reference_impl``
knows that deviants exist. Patches are process-wide while active: run one deviant per process at
a time (the self-test does).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any
from unittest import mock

import reference_impl.cloud
from reference_impl.firehose.settings import FirehoseSettings

NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIREMENT = re.compile(r"^[A-Z]{3}-\d{2}$")
_DELETE = object()


class Patcher:
    """Installs patches on one ``ExitStack``; closing the stack undoes them all."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack

    def replace(self, owner: Any, name: str, value: Any) -> None:
        """Set ``owner.name`` (a class, module or object attribute) to ``value``."""
        self.stack.enter_context(mock.patch.object(owner, name, value))

    def around(self, owner: Any, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: replace ``owner.name`` by ``fn(original, *args, **kwargs)``.

        On a class the replacement is a plain function, so it binds ``self`` like the original.
        """
        original = getattr(owner, name)

        def install(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(original)
            def patched(*args: Any, **kwargs: Any) -> Any:
                return fn(original, *args, **kwargs)

            self.replace(owner, name, patched)
            return patched

        return install

    def entry(self, mapping: dict, key: Any, value: Any = _DELETE) -> None:
        """Set (or, without ``value``, remove) one entry of a module-level dict."""
        if value is _DELETE:
            self.stack.enter_context(mock.patch.dict(mapping))
            mapping.pop(key, None)
        else:
            self.stack.enter_context(mock.patch.dict(mapping, {key: value}))

    def settings(self, **changes: Any) -> None:
        """Build every ``ReferenceCloud`` made while active with these Firehose settings."""
        self.replace(
            reference_impl.cloud, "FirehoseSettings", functools.partial(FirehoseSettings, **changes)
        )


@dataclass(frozen=True)
class Deviant:
    """One plausible bug, the requirements it violates, and how it is applied.

    ``evidence`` is a fragment of the reason a scenario gives when it catches the deviant for
    the right reason (the suite's own tests check it). ``caught_as`` is the scenario verdict that
    kills it: ``failed``, or ``error`` for a bug that is itself a 5xx answer (the suite reports
    5xx as the target misbehaving, never as a spec failure). ``gap`` says, for a deviant the
    spec cannot catch yet, which scenario or step is missing or too weak.
    """

    name: str
    description: str
    violates: tuple[str, ...]
    apply: Callable[[Patcher], None]
    evidence: str = ""
    caught_as: str = "failed"
    gap: str = ""

    @property
    def selection(self) -> str:
        """The pytest marker expression choosing the scenarios of its requirements."""
        return " or ".join(self.violates)


CATALOG: dict[str, Deviant] = {}


def deviant(
    name: str,
    *violates: str,
    evidence: str = "",
    caught_as: str = "failed",
    gap: str = "",
) -> Callable[[Callable[[Patcher], None]], Callable[[Patcher], None]]:
    """Register the decorated function as a deviant; its docstring's first line describes it."""

    def register(apply: Callable[[Patcher], None]) -> Callable[[Patcher], None]:
        if not NAME.match(name):
            raise ValueError(f"deviant name {name!r} is not lower-case-with-dashes")
        if name in CATALOG:
            raise ValueError(f"deviant {name!r} is registered twice")
        if not violates or not all(REQUIREMENT.match(rid) for rid in violates):
            raise ValueError(f"deviant {name!r}: violated requirement IDs {violates!r}")
        if caught_as not in ("failed", "error"):
            raise ValueError(f"deviant {name!r}: caught_as must be 'failed' or 'error'")
        doc = (apply.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"deviant {name!r} has no description (docstring)")
        description = " ".join(doc.split("\n\n")[0].split())
        CATALOG[name] = Deviant(
            name, description, tuple(violates), apply, evidence, caught_as, " ".join(gap.split())
        )
        return apply

    return register


def get(name: str) -> Deviant:
    found = CATALOG.get(name)
    if found is None:
        raise ValueError(
            f"unknown deviant {name!r}; list them with: firehose-conformance selftest --list"
        )
    return found


def activate(name: str) -> ExitStack:
    """Apply one deviant; close the returned stack to restore the reference."""
    chosen = get(name)
    stack = ExitStack()
    try:
        chosen.apply(Patcher(stack))
    except BaseException:
        stack.close()
        raise
    return stack
