"""How a variant changes the reference, and how the change is undone.

A variant's function receives a ``Patcher``. Every patch is a ``unittest.mock.patch`` entered on
one ``ExitStack``, so closing the stack restores the reference exactly; ``settings`` changes the
Firehose settings of the cloud that carries the variant. Patches are process-wide while active
(they replace attributes of classes and modules), so one variant at a time may be active in a
process: ``activate`` refuses a second one until the first is closed.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any
from unittest import mock

from reference_impl.firehose.settings import FirehoseSettings

_DELETE = object()


class Patcher:
    """Installs patches on one ``ExitStack``; closing the stack undoes them all."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.settings_changes: dict[str, Any] = {}

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
        """Run the cloud that carries the variant with these Firehose settings."""
        self.settings_changes.update(changes)


class ActiveVariant:
    """One variant applied: ``adjust`` gives the cloud its settings; ``close`` undoes it."""

    def __init__(self, name: str, apply: Callable[[Patcher], None]) -> None:
        self.name = name
        self._stack = ExitStack()
        self._patcher = Patcher(self._stack)
        try:
            apply(self._patcher)
        except BaseException:
            self._stack.close()
            raise

    def adjust(self, settings: FirehoseSettings) -> FirehoseSettings:
        changes = self._patcher.settings_changes
        return dataclasses.replace(settings, **changes) if changes else settings

    def close(self) -> None:
        global _active
        self._stack.close()
        if _active is self:
            _active = None


_active: ActiveVariant | None = None


def activate(name: str, apply: Callable[[Patcher], None]) -> ActiveVariant:
    """Apply one variant process-wide until the returned ``ActiveVariant`` is closed."""
    global _active
    if _active is not None:
        raise RuntimeError(
            f"variant {_active.name!r} is active in this process; close the cloud that carries "
            f"it before starting one with {name!r}"
        )
    _active = ActiveVariant(name, apply)
    return _active
