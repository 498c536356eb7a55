"""``firehose-conformance requirements``: the catalog with each requirement's scenarios."""

from __future__ import annotations

import argparse

from firehose_conformance.catalog import load_catalog
from firehose_conformance.features import load_features


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("requirements", help="list the catalog with its scenarios")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    by_requirement: dict[str, list[str]] = {rid: [] for rid in catalog}
    for spec in load_features():
        for rid in spec.requirements:
            by_requirement.setdefault(rid, []).append(spec.label)
    for rid, requirement in catalog.items():
        print(f"{rid}  {requirement.display_level}  [{requirement.check}]  {requirement.sentence}")
        if requirement.stance:
            print(f"    stance (no document states this): {requirement.stance}")
        for label in by_requirement[rid] or ["(no scenario)"]:
            print(f"    - {label}")
    return 0
