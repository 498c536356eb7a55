"""``firehose-conformance --version``: the package, the spec it carries and the model snapshot.

A verdict depends on all three, and the results' ``provenance`` records the same values
(``spec_version``, ``model_snapshot``, ``packages``).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from firehose_conformance import __version__


def version_text() -> str:
    """E.g. ``firehose-conformance 0.1.0 (spec 2.1.0, models botocore-1.44.8)``."""
    from firehose_conformance.catalog import load_spec

    spec = load_spec()
    return f"firehose-conformance {__version__} (spec {spec.version}, models {spec.model_snapshot})"


class VersionAction(argparse.Action):
    """Like argparse's ``version`` action, reading the catalog only when asked."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **_: Any) -> None:
        super().__init__(
            option_strings,
            dest=dest,
            default=argparse.SUPPRESS,
            nargs=0,
            help="print the package's, the spec's and the model snapshot's versions, and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(version_text(), file=sys.stdout)
        parser.exit()
