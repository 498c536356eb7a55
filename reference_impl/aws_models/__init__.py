"""The vendored AWS service models: the one authority for shapes, enums, patterns and errors.

The reference validates and serialises against these files, and every boto3 client the project
makes (the reference's own, the conformance harness's for any target) loads them in place of the
installed botocore's copies. So a newer botocore changes neither a verdict nor the reference's
answers; ``firehose-conformance drift`` says by name what a newer model would change.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3.session
import botocore.session
from botocore.loaders import Loader
from botocore.model import ServiceModel

__all__ = [
    "SNAPSHOT",
    "PinnedSession",
    "ServiceFiles",
    "Snapshot",
    "pinned_botocore_session",
    "raw_model",
    "service_model",
]

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ServiceFiles:
    """One service's vendored files: its API version and each file's sha256."""

    api_version: str
    files: Mapping[str, str]


@dataclass(frozen=True)
class Snapshot:
    """Which botocore release the models were copied from, and where they are."""

    name: str
    botocore: str
    released: str
    taken: str
    services: Mapping[str, ServiceFiles]
    data_dir: Path

    def path(self, service: str, file: str = "service-2.json.gz") -> Path:
        return self.data_dir / service / self.services[service].api_version / file


def _load_snapshot() -> Snapshot:
    data = tomllib.loads((_HERE / "snapshot.toml").read_text(encoding="utf-8"))
    services = {
        name: ServiceFiles(api_version=entry["api_version"], files=dict(entry["files"]))
        for name, entry in data["services"].items()
    }
    return Snapshot(
        name=data["name"],
        botocore=data["botocore"],
        released=data["released"],
        taken=data["taken"],
        services=services,
        data_dir=_HERE / "data",
    )


SNAPSHOT: Snapshot = _load_snapshot()


def verify_files(snapshot: Snapshot = SNAPSHOT) -> list[str]:
    """Problems with the vendored files (missing, or not the bytes recorded); [] when intact."""
    problems: list[str] = []
    for service, entry in snapshot.services.items():
        for file, digest in entry.files.items():
            path = snapshot.path(service, file)
            if not path.is_file():
                problems.append(f"{path}: missing")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                problems.append(f"{path}: sha256 differs from snapshot.toml")
    return problems


@functools.cache
def raw_model(service: str) -> dict[str, Any]:
    """The vendored service-2 document of ``service`` as plain JSON (read once)."""
    with gzip.open(SNAPSHOT.path(service), "rt", encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def _strict_loader() -> Loader:
    """A loader that sees the snapshot only, never the installed botocore's data."""
    return Loader(extra_search_paths=[str(SNAPSHOT.data_dir)], include_default_search_paths=False)


@functools.cache
def service_model(service: str) -> ServiceModel:
    """The botocore ``ServiceModel`` of ``service``, built from the snapshot alone."""
    entry = SNAPSHOT.services[service]
    loaded = _strict_loader().load_service_model(service, "service-2", entry.api_version)
    return ServiceModel(loaded, service_name=service)


def pinned_botocore_session() -> botocore.session.Session:
    """A botocore session whose loader reads the snapshot before anything else.

    The snapshot's directory goes first on the data path (before ``AWS_DATA_PATH``, the user's
    ``~/.aws/models`` and botocore's own data), so the six vendored services load from it while
    every other file (endpoint rules, paginators, other services) still comes from botocore.
    """
    session = botocore.session.Session()
    paths = [str(SNAPSHOT.data_dir)]
    user_paths = session.get_config_variable("data_path")
    if user_paths:
        paths.append(user_paths)
    session.set_config_variable("data_path", os.pathsep.join(paths))
    return session


class PinnedSession(boto3.session.Session):
    """A ``boto3.session.Session`` whose clients of the vendored services use the snapshot.

    Takes the same arguments as boto3's; ``client()`` also pins the API version, so a newer
    botocore that ships a newer API version of a service still gives the snapshot's.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("botocore_session", pinned_botocore_session())
        super().__init__(**kwargs)
        if kwargs.get("profile_name"):
            # boto3's own sessions read the profile while building their loader; ours has its
            # data path set already, so ask now: a missing profile fails here, as with boto3.
            self._session.get_scoped_config()

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        entry = SNAPSHOT.services.get(service_name)
        if entry is not None and not args:
            kwargs.setdefault("api_version", entry.api_version)
        return super().client(service_name, *args, **kwargs)
