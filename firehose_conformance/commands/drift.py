"""``firehose-conformance drift [--models DIR]``: what a newer AWS model would change in the spec.

Compares the vendored snapshot (reference_impl/aws_models) with the models of the installed
botocore, or with ``--models DIR`` laid out as ``<service>/<api-version>/service-2.json[.gz]``.
Prints each cited model fact that changed (old -> new, and the requirements citing it), then,
for information, the changes to the operations the reference implements and the shapes they
reach. Exit code 0 when no cited fact changed, 1 when one did, 2 on bad usage.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

from botocore.loaders import Loader

from firehose_conformance.catalog import load_catalog
from firehose_conformance.drift import Change, DriftReport, compare
from firehose_conformance.model_dir import load_models
from firehose_conformance.model_facts import FactValue
from reference_impl.aws_models import SNAPSHOT, raw_model

_LONG = 120  # a value longer than this is summarised, not printed


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "drift",
        help="compare the vendored AWS models with newer ones; name the requirements affected",
        description="Compare the vendored model snapshot with the installed botocore's models "
        "(or --models DIR) and name each requirement whose cited model facts changed.",
    )
    parser.add_argument(
        "--models",
        type=Path,
        metavar="DIR",
        default=Path(Loader.BUILTIN_DATA_PATH),
        help="a directory laid out as <service>/<api-version>/service-2.json[.gz] "
        "(default: the installed botocore's data directory)",
    )
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    newer = load_models(args.models, SNAPSHOT.services)
    old = {service: raw_model(service) for service in SNAPSHOT.services}
    report = compare(old, {s: m.document for s, m in newer.items()}, catalog)
    versions = ", ".join(
        f"{s} {SNAPSHOT.services[s].api_version}"
        + ("" if m.api_version == SNAPSHOT.services[s].api_version else f" -> {m.api_version}")
        for s, m in newer.items()
    )
    print(f"drift: snapshot {SNAPSHOT.name} -> {args.models} ({versions})")
    print("\n".join(render(report)))
    return report.exit_code


def render(report: DriftReport) -> Iterator[str]:
    """The report as lines: cited changes first, then the surface, for information."""
    if report.cited:
        yield f"{len(report.cited)} of {report.cited_facts} cited facts changed:"
        for change in report.cited:
            yield f"  {change.path}  [{', '.join(change.requirements)}]"
            yield f"    {describe(change)}"
    else:
        yield f"no cited fact changed ({report.cited_facts} facts compared)"
    scope = "; ".join(
        f"{s.service} {len(s.operations)} ops, {s.shapes} shapes" for s in report.scope
    )
    yield f"reference surface, for information ({scope}):"
    for s in report.scope:
        yield f"  {s.service}: {' '.join(s.operations)}"
    if not report.surface:
        yield "  no change"
    for change in report.surface:
        yield f"  {change.path}: {describe(change)}"


def describe(change: Change) -> str:
    """What changed, as ``old -> new``, or the entries added and removed for name lists."""
    old, new = change.old, change.new
    if old is None and new is None:
        return change.note
    if isinstance(old, tuple) and isinstance(new, tuple):
        added = [item for item in new if item not in old]
        removed = [item for item in old if item not in new]
        parts = [f"added {', '.join(added)}"] if added else []
        parts += [f"removed {', '.join(removed)}"] if removed else []
        text = "; ".join(parts) or "same entries, new order"
    elif change.path.endswith(".documentation"):
        text = "documentation changed" if old and new else f"{_doc(old)} -> {_doc(new)}"
    else:
        text = f"{_value(old)} -> {_value(new)}"
    return f"{text} ({change.note})" if change.note else text


def _doc(value: FactValue | None) -> str:
    return "(absent)" if value is None else "documentation"


def _value(value: FactValue | None) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= _LONG else f'"{value[:_LONG]}…"'
    return str(value)
