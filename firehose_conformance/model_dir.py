"""Read AWS service models from a directory laid out as botocore's data directory.

``<dir>/<service>/<api-version>/service-2.json`` or ``service-2.json.gz``. When a service has
several API versions, the newest is taken, as botocore's loader takes it. Anything missing or
unreadable is a ``UsageError`` naming the path, so a command reports it in one line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from firehose_conformance.errors import UsageError

__all__ = ["ServiceModelFile", "load_models"]

_NAMES = ("service-2.json.gz", "service-2.json")


@dataclass(frozen=True)
class ServiceModelFile:
    """One service's model as read from a directory."""

    service: str
    api_version: str
    path: Path
    document: dict[str, Any]


def load_models(directory: Path, services: Iterable[str]) -> dict[str, ServiceModelFile]:
    """The newest model of each of ``services`` under ``directory``."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(f"models directory not found: {directory}")
    return {service: _load(directory, service) for service in services}


def _load(directory: Path, service: str) -> ServiceModelFile:
    versions = sorted(
        (child for child in (directory / service).glob("*") if _model_file(child)),
        key=lambda child: child.name,
    )
    if not versions:
        raise UsageError(
            f"{directory}: no model for service {service!r} "
            f"(expected {service}/<api-version>/service-2.json[.gz])"
        )
    newest = versions[-1]
    path = _model_file(newest)
    assert path is not None
    return ServiceModelFile(service, newest.name, path, _read(path))


def _model_file(version_dir: Path) -> Path | None:
    for name in _NAMES:
        if (version_dir / name).is_file():
            return version_dir / name
    return None


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                document = json.load(handle)
        else:
            document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, EOFError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a readable service model: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("shapes"), dict):
        raise UsageError(f"{path}: not a service model (no shapes)")
    return document
