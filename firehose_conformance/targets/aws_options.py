"""The aws target's options, checked before anything talks to AWS.

A run against a real account must be asked for twice over: ``allow_live_aws=yes`` and the
``account_id`` the credentials must belong to (checked against STS GetCallerIdentity by the
target). The region is pinned: it must be given (``--region``, or boto3's configuration, which
the target reads), and every client uses it.

``endpoint_url`` exists ONLY for the harness's own tests: it points every client (STS and IAM
included) at an emulator on the loopback interface standing in for AWS, and it never carries
real credentials. Anything else (another host) is refused.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from firehose_conformance.cost_policy import KeySpecs, parse_key_specs
from firehose_conformance.targets.base import (
    WAIT_OPTIONS,
    WaitProfile,
    parse_seconds,
    wait_overrides,
)

YES = frozenset({"yes", "true", "1"})
NO = frozenset({"no", "false", "0"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
ACCOUNT_ID = re.compile(r"\d{12}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")

# Real AWS: status transitions take seconds to minutes, deliveries wait out a 60 s buffer and
# retries, and CloudWatch publishes Firehose metrics every 5 minutes, visible minutes later.
# A run must never give up before AWS would have answered; every bound is overridable.
AWS_PROFILE = WaitProfile(
    transition_timeout=900.0,
    delivery_timeout=1800.0,
    metric_timeout=1800.0,
    grant_timeout=1800.0,
    poll_initial=2.0,
    poll_max=30.0,
)
# IAM is eventually consistent: a new role may not be assumable for about 10 seconds.
IAM_PROPAGATION_SECONDS = 15.0
# Teardown retries what failed (e.g. a bucket still receiving a deleting stream's last flush).
CLEANUP_ATTEMPTS = 4
CLEANUP_PAUSE_SECONDS = 10.0

OTHER_OPTIONS = frozenset(
    {
        "allow_live_aws",
        "account_id",
        "region",
        "endpoint_url",
        "role_arn",
        "aws_profile",
        "iam_propagation_seconds",
        "cleanup_pause_seconds",
        "pool",
        "key_specs",
    }
)
ALLOW_HINT = "--allow-live-aws (or --target-option allow_live_aws=yes)"
ACCOUNT_HINT = "--account-id ID (or --target-option account_id=ID)"


@dataclass(frozen=True)
class AwsOptions:
    account_id: str
    region: str
    endpoint_url: str | None  # tests only: an emulator on the loopback interface
    role_arn: str | None  # a delivery role to use instead of creating one
    aws_profile: str | None  # a named profile of the shared AWS config
    profile: WaitProfile
    iam_propagation_seconds: float
    cleanup_pause_seconds: float
    pool: bool = True  # keys shared or lent across scenarios (pool.py); no: each its own
    key_specs: KeySpecs = KeySpecs.FAMILY  # key-spec outline rows: one per family, or all

    @property
    def testing(self) -> bool:
        return self.endpoint_url is not None


def parse_options(options: dict[str, str]) -> AwsOptions:
    """Check every option; raise ValueError with one line saying what to pass."""
    unknown = sorted(set(options) - OTHER_OPTIONS - WAIT_OPTIONS)
    if unknown:
        known = ", ".join(sorted(OTHER_OPTIONS | WAIT_OPTIONS))
        raise ValueError(f"unknown option(s) {', '.join(unknown)}; known: {known}")
    if str(options.get("allow_live_aws", "")).lower() not in YES:
        raise ValueError(
            f"refusing to use a real AWS account without {ALLOW_HINT}; it creates and removes "
            "KMS keys, S3 buckets, an IAM role, Kinesis and Firehose streams"
        )
    account_id = options.get("account_id") or ""
    if not account_id:
        raise ValueError(f"needs {ACCOUNT_HINT}: the account the credentials must belong to")
    if not ACCOUNT_ID.fullmatch(account_id):
        raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
    region = options.get("region") or ""
    if not region:
        raise ValueError(
            "needs --region REGION (or AWS_REGION, AWS_DEFAULT_REGION, a profile's region): "
            "a run is pinned to one region"
        )
    if not REGION.fullmatch(region):
        raise ValueError(f"region must look like eu-west-1, got {region!r}")
    role_arn = options.get("role_arn") or None
    if role_arn is not None and not ROLE_ARN.fullmatch(role_arn):
        raise ValueError(f"role_arn must be an IAM role ARN, got {role_arn!r}")
    pool = str(options.get("pool", "yes")).lower()
    if pool not in YES | NO:
        raise ValueError(f"pool must be yes or no, got {options['pool']!r}")
    endpoint_url = _endpoint_url(options.get("endpoint_url") or None)
    testing = endpoint_url is not None
    bounds = wait_overrides(options)
    return AwsOptions(
        account_id=account_id,
        region=region,
        endpoint_url=endpoint_url,
        role_arn=role_arn,
        aws_profile=options.get("aws_profile") or None,
        profile=dataclasses.replace(AWS_PROFILE, **bounds),
        iam_propagation_seconds=parse_seconds(
            "iam_propagation_seconds",
            options.get("iam_propagation_seconds", str(0 if testing else IAM_PROPAGATION_SECONDS)),
            allow_zero=True,
        ),
        cleanup_pause_seconds=parse_seconds(
            "cleanup_pause_seconds",
            options.get("cleanup_pause_seconds", str(0.1 if testing else CLEANUP_PAUSE_SECONDS)),
            allow_zero=True,
        ),
        pool=pool in YES,
        key_specs=key_specs_option(options),
    )


def key_specs_option(options: Mapping[str, str]) -> KeySpecs:
    """``key_specs``: ``family`` (one key-spec outline row per key family, the default on a
    real account) or ``all``; read alone at collection, and with the rest by ``parse_options``."""
    return parse_key_specs(options.get("key_specs", KeySpecs.FAMILY.value))


def _endpoint_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(
            "endpoint_url is for the harness's own tests only and must be an emulator on the "
            f"loopback interface (http://127.0.0.1:PORT), got {value!r}; "
            "use --target endpoint for other emulators"
        )
    return value
