"""``firehose-conformance audit``: a read-only audit of an account's Firehose data protection.

Exit code 0 when no finding fails, 1 when one does, 2 when the audit cannot run (no
credentials, an unknown profile, an endpoint that does not answer, streams that cannot be
listed); the reason is one line on stderr.
"""

from __future__ import annotations

import argparse
import sys

from firehose_conformance.audit.auditor import audit
from firehose_conformance.audit.clients import open_regions
from firehose_conformance.audit.reads import AuditAborted
from firehose_conformance.audit.render import FORMATS, render
from firehose_conformance.targets.options import add_aws_flags, audit_settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "audit",
        help="audit the Firehose data protection of an account (read-only)",
        description="Audit each delivery stream's data protection: SSE by source type, the "
        "KMS keys, and alarms on the KMSKey* metrics. Makes only read calls.",
    )
    add_aws_flags(parser, regions="repeatable")
    parser.add_argument(
        "--stream",
        action="append",
        default=[],
        metavar="NAME",
        help="only this stream (repeatable; default: every stream)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.set_defaults(handler=execute)


def execute(args: argparse.Namespace) -> int:
    region_names, endpoint_url = audit_settings(args)  # as run and sweep read them
    try:
        regions = open_regions(region_names, profile=args.profile, endpoint_url=endpoint_url)
        report = audit(regions, streams=args.stream, endpoint_url=endpoint_url)
    except AuditAborted as aborted:
        print(f"firehose-conformance: error: audit: {aborted}", file=sys.stderr)
        return 2
    sys.stdout.write(render(report, args.format))
    return report.exit_code
