"""An estimate of what an aws-target run costs, from the plan's counts and one price table.

An estimate for us-east-1 on-demand list prices, never a bill: other regions differ, free tiers
(KMS: 20,000 requests a month) are ignored, and the request and data volumes are bounds stated
in ``ASSUMPTIONS``, not measured. Prices as recorded on PRICES_DATE from the pages cited.
"""

from __future__ import annotations

from dataclasses import dataclass

from firehose_conformance.resources import Kind, RunPlan

PRICES_DATE = "2026-12-04"
KMS_PAGE = "https://aws.amazon.com/kms/pricing/"
FIREHOSE_PAGE = "https://aws.amazon.com/firehose/pricing/"
KINESIS_PAGE = "https://aws.amazon.com/kinesis/data-streams/pricing/"
S3_PAGE = "https://aws.amazon.com/s3/pricing/"
HOURS_PER_MONTH = 730.0  # AWS prorates monthly prices over 730 hours
PENDING_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Price:
    item: str
    usd: float
    per: str
    source: str


# The one price table (us-east-1).
KMS_KEY_MONTH = Price("KMS key", 1.00, "key-month, prorated hourly", KMS_PAGE)
KMS_REQUESTS = Price("KMS requests", 0.03, "10,000 requests", KMS_PAGE)
FIREHOSE_GB = Price(
    "Firehose ingestion", 0.029, "GB ingested, records rounded to 5 KB", FIREHOSE_PAGE
)
KINESIS_SHARD_HOUR = Price("Kinesis shard", 0.015, "shard-hour (provisioned)", KINESIS_PAGE)
S3_REQUESTS = Price("S3 PUT/LIST requests", 0.005, "1,000 requests", S3_PAGE)
PRICES = (KMS_KEY_MONTH, KMS_REQUESTS, FIREHOSE_GB, KINESIS_SHARD_HOUR, S3_REQUESTS)
# Delivery streams, IAM roles and KMS aliases carry no charge of their own.


@dataclass(frozen=True)
class Assumptions:
    """The volumes the estimate assumes (bounds, not measurements)."""

    run_hours: float = 1.0  # every key of the run billed for the whole run (own keys live less)
    kms_requests_per_scenario: int = 200  # the suite's polls and Firehose's own data-key calls
    records_per_scenario: int = 20  # each billed as 5 KB
    s3_requests_per_bucket: int = 60  # create, tag, list while polling, delete
    shard_hours_per_stream: int = 1  # a Kinesis stream lives one scenario: at most an hour


ASSUMPTIONS = Assumptions()


@dataclass(frozen=True)
class Estimate:
    lines: tuple[tuple[str, float, str], ...]  # (item, USD, how)
    pending_window_usd: float  # what the keys' 7-day pending window would add were it billed

    @property
    def total(self) -> float:
        return sum(usd for _, usd, _ in self.lines)


def estimate(plan: RunPlan, assume: Assumptions = ASSUMPTIONS) -> Estimate:
    keys = plan.total(Kind.KMS_KEY)
    key_usd = keys * KMS_KEY_MONTH.usd * assume.run_hours / HOURS_PER_MONTH
    requests = plan.scenarios * assume.kms_requests_per_scenario
    gigabytes = plan.scenarios * assume.records_per_scenario * 5 / 1024 / 1024
    shard_hours = plan.total(Kind.KINESIS_STREAM) * assume.shard_hours_per_stream
    s3_requests = plan.total(Kind.S3_BUCKET) * assume.s3_requests_per_bucket
    lines = (
        (
            "KMS keys",
            key_usd,
            f"{keys} keys x {assume.run_hours:g} h at ${KMS_KEY_MONTH.usd:.2f}/key-month; none "
            "while pending deletion (the KMS pricing page)",
        ),
        (
            "KMS requests",
            requests / 10_000 * KMS_REQUESTS.usd,
            f"<= {requests:,} requests at ${KMS_REQUESTS.usd}/10,000 (free tier ignored)",
        ),
        (
            "Firehose ingestion",
            gigabytes * FIREHOSE_GB.usd,
            f"<= {plan.scenarios * assume.records_per_scenario:,} records x 5 KB",
        ),
        (
            "Kinesis shards",
            shard_hours * KINESIS_SHARD_HOUR.usd,
            f"{shard_hours} shard-hours",
        ),
        (
            "S3 requests",
            s3_requests / 1000 * S3_REQUESTS.usd,
            f"<= {s3_requests:,} PUT/LIST requests",
        ),
    )
    pending = keys * KMS_KEY_MONTH.usd * PENDING_WINDOW_DAYS * 24 / HOURS_PER_MONTH
    return Estimate(lines, pending)


def describe(found: Estimate) -> list[str]:
    """The plan's lines for the estimate."""
    out = [
        f"estimated cost: ${found.total:.2f} (us-east-1 list prices of {PRICES_DATE}, an "
        "estimate, not a bill)"
    ]
    out += [f"    {item}: ${usd:.3f} ({how})" for item, usd, how in found.lines]
    out.append(
        f"    not included: the {PENDING_WINDOW_DAYS}-day pending-deletion window (KMS bills no "
        f"key pending deletion; were it billed: +${found.pending_window_usd:.2f})"
    )
    out.append(f"    prices: {', '.join(sorted({p.source for p in PRICES}))}")
    return out
