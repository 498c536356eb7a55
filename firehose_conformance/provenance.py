"""What a run was measured with: spec and model snapshot versions, packages, the target.

A verdict means something only with its calibration: the same spec version and model snapshot
give the same verdict any day, and the package versions say which client and emulator answered.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

from firehose_conformance.catalog import load_spec
from reference_impl.aws_models import SNAPSHOT

DISTRIBUTION = "firehose-sse-conformance"
# Packages whose versions can change what a run observes; moto only where it is the target.
PACKAGES = ("boto3", "botocore", "pytest", "pytest-bdd")
TARGET_PACKAGES = {"moto": ("moto",)}


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance(target_name: str, target_identity: dict[str, str] | None) -> dict[str, Any]:
    """The ``provenance`` block of a results document."""
    names = (DISTRIBUTION, *PACKAGES, *TARGET_PACKAGES.get(target_name, ()))
    return {
        "spec_version": load_spec().version,
        "model_snapshot": {
            "name": SNAPSHOT.name,
            "botocore": SNAPSHOT.botocore,
            "released": SNAPSHOT.released,
        },
        "packages": {name: package_version(name) for name in names},
        "python": platform.python_version(),
        "target": dict(target_identity or {"name": target_name}),
    }


def describe(block: dict[str, Any], *, stable: bool = False) -> str:
    """One line for tables and reports, e.g. "spec 2.0.0 · models botocore-1.44.8 · ...".

    ``stable`` keeps only what the spec fixes (its version and model snapshot), for committed
    pages that must not change when a package is upgraded.
    """
    if not block:
        return "provenance not recorded"
    parts = [
        f"spec {block.get('spec_version', '?')}",
        f"models {block.get('model_snapshot', {}).get('name', '?')}",
    ]
    if stable:
        return " · ".join(parts)
    packages = block.get("packages", {})
    parts += [f"{name} {version}" for name, version in packages.items() if name != DISTRIBUTION]
    target = block.get("target", {})
    # Where each value came from (endpoint_source, ...) stays in the JSON: the line says whom.
    shown = ", ".join(
        f"{k} {v}" for k, v in target.items() if k != "name" and not k.endswith("_source") and v
    )
    if shown:
        parts.append(f"target: {shown}")
    return " · ".join(parts)
