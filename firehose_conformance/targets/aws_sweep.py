"""Find and remove what interrupted runs of the aws or endpoint target left behind.

On a real account (the aws target) a resource is a leftover only if it carries BOTH marks of the
suite: the ``firehose-conformance`` tag and the ``fsc-`` name prefix (for a KMS key, which has no
name: the tag and the suite's key description; for an alias: the prefix and a target key that is
a leftover). Global resources (IAM roles, S3's bucket list) must also carry this region's tag,
and roles live under the suite's IAM path. Nothing without these marks is ever touched.

On an emulator (the endpoint target, which tags only its KMS keys and makes no IAM roles) the
name is the mark: ``fsc-<run id>-…``, the run id being six hex digits; keys still need the tag
and the description.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from firehose_conformance.errors import TargetMisbehaved
from firehose_conformance.targets.aws_resources import (
    KEY_DESCRIPTION,
    KEY_PENDING_WINDOW_DAYS,
    PREFIX,
    REGION_TAG_KEY,
    ROLE_PATH,
    TAG_KEY,
    delete_role,
    tags_of,
)
from firehose_conformance.targets.base import Target

# Removal order: what uses a resource goes before it (a stream before its bucket and its role).
DELIVERY_STREAM = "delivery stream"
KINESIS_STREAM = "Kinesis stream"
BUCKET = "S3 bucket"
ALIAS = "KMS alias"
KEY = "KMS key"
ROLE = "IAM role"
KINDS = (DELIVERY_STREAM, KINESIS_STREAM, BUCKET, ALIAS, KEY, ROLE)
RUN_NAME = re.compile(rf"{re.escape(PREFIX)}([0-9a-f]{{6}})-")
GONE_CODES = frozenset(
    {"ResourceNotFoundException", "NoSuchBucket", "NotFoundException", "NoSuchEntity", "404"}
)


@dataclass(frozen=True)
class Leftover:
    kind: str
    name: str  # the key id for a KMS key
    run_id: str
    state: str  # as the service shows it, e.g. ACTIVE, Enabled, "" where there is none

    @property
    def action(self) -> str:
        if self.kind == KEY:
            return f"schedule deletion in {KEY_PENDING_WINDOW_DAYS} days"
        return "delete"


@dataclass(frozen=True)
class Scan:
    leftovers: list[Leftover]
    being_removed: list[Leftover]  # keys pending deletion, streams already DELETING


def _run_of(name: str, tags: dict[str, str], target: Target, run_id: str | None) -> str | None:
    """The run that left ``name`` when it is the suite's (and of ``run_id``, if given)."""
    if not name.startswith(PREFIX):
        return None
    if target.name == "aws":
        if TAG_KEY not in tags or tags.get(REGION_TAG_KEY, target.region) != target.region:
            return None
        found: str | None = tags[TAG_KEY]
    else:  # an emulator: the tag where there is one, else the run id in the name
        named = RUN_NAME.match(name)
        found = tags.get(TAG_KEY) or (named.group(1) if named else None)
    if found is None or (run_id is not None and found != run_id):
        return None
    return found


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def scan(target: Target, run_id: str | None = None) -> Scan:
    """Every leftover in the target's account and region, in removal order."""
    found: list[Leftover] = []
    finders = [_delivery_streams, _kinesis_streams, _buckets, _keys_and_aliases]
    if target.name == "aws":  # the endpoint target makes no IAM roles
        finders.append(_roles)
    for finder in finders:
        found.extend(finder(target, run_id))
    found.sort(key=lambda item: KINDS.index(item.kind))
    busy = [f for f in found if f.state in ("DELETING", "PendingDeletion")]
    return Scan([f for f in found if f not in busy], busy)


def _delivery_streams(target: Target, run_id: str | None) -> Iterator[Leftover]:
    firehose = target.client("firehose")
    params: dict[str, Any] = {"Limit": 1000}
    while True:
        page = firehose.list_delivery_streams(**params)
        names = page.get("DeliveryStreamNames", [])
        for name in names:
            if not name.startswith(PREFIX):
                continue
            try:
                tags = tags_of(
                    firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]
                )
                status = firehose.describe_delivery_stream(DeliveryStreamName=name)[
                    "DeliveryStreamDescription"
                ]["DeliveryStreamStatus"]
            except ClientError as error:
                if _code(error) in GONE_CODES:
                    continue
                raise
            run = _run_of(name, tags, target, run_id)
            if run is not None:
                yield Leftover(DELIVERY_STREAM, name, run, status)
        if not page.get("HasMoreDeliveryStreams") or not names:
            return
        params["ExclusiveStartDeliveryStreamName"] = names[-1]


def _kinesis_streams(target: Target, run_id: str | None) -> Iterator[Leftover]:
    kinesis = target.client("kinesis")
    params: dict[str, Any] = {}
    while True:
        page = kinesis.list_streams(**params)
        names = page.get("StreamNames", [])
        for name in names:
            if not name.startswith(PREFIX):
                continue
            try:
                tags = tags_of(kinesis.list_tags_for_stream(StreamName=name)["Tags"])
                status = kinesis.describe_stream_summary(StreamName=name)[
                    "StreamDescriptionSummary"
                ]["StreamStatus"]
            except ClientError as error:
                if _code(error) in GONE_CODES:
                    continue
                raise
            run = _run_of(name, tags, target, run_id)
            if run is not None:
                yield Leftover(KINESIS_STREAM, name, run, status)
        if not page.get("HasMoreStreams") or not names:
            return
        params = {"ExclusiveStartStreamName": names[-1]}


def _buckets(target: Target, run_id: str | None) -> Iterator[Leftover]:
    s3 = target.client("s3")
    params: dict[str, Any] = {"Prefix": PREFIX}
    if target.name == "aws":
        params["BucketRegion"] = target.region
    while True:
        page = s3.list_buckets(**params)
        for bucket in page.get("Buckets", []):
            found = _bucket_leftover(target, bucket["Name"], run_id)
            if found is not None:
                yield found
        if not page.get("ContinuationToken"):
            return
        params["ContinuationToken"] = page["ContinuationToken"]


def _bucket_leftover(target: Target, name: str, run_id: str | None) -> Leftover | None:
    if not name.startswith(PREFIX):
        return None
    aws = target.name == "aws"
    try:
        tags = tags_of(target.client("s3").get_bucket_tagging(Bucket=name)["TagSet"])
    except ClientError as error:
        if _code(error) in GONE_CODES or (aws and _code(error) == "NoSuchTagSet"):
            return None  # on AWS, untagged: not ours
        if _code(error) != "NoSuchTagSet":
            raise
        tags = {}
    # S3 lists the buckets of every region: on AWS the region tag must be this one.
    if aws and REGION_TAG_KEY not in tags:
        return None
    run = _run_of(name, tags, target, run_id)
    return None if run is None else Leftover(BUCKET, name, run, "")


def _keys_and_aliases(target: Target, run_id: str | None) -> Iterator[Leftover]:
    kms = target.client("kms")
    ours: dict[str, Leftover] = {}
    params: dict[str, Any] = {}
    while True:
        page = kms.list_keys(**params)
        for entry in page.get("Keys", []):
            key = _key_leftover(target, entry["KeyId"], run_id)
            if key is not None:
                ours[key.name] = key
        if not page.get("Truncated"):
            break
        params["Marker"] = page["NextMarker"]
    yield from ours.values()
    params = {}
    while True:
        page = kms.list_aliases(**params)
        for alias in page.get("Aliases", []):
            name, key_id = alias["AliasName"], alias.get("TargetKeyId")
            if name.startswith(f"alias/{PREFIX}") and key_id in ours:
                yield Leftover(ALIAS, name, ours[key_id].run_id, "")
        if not page.get("Truncated"):
            return
        params["Marker"] = page["NextMarker"]


def _key_leftover(target: Target, key_id: str, run_id: str | None) -> Leftover | None:
    kms = target.client("kms")
    try:
        meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
        if meta.get("KeyManager") != "CUSTOMER":
            return None  # AWS managed keys are never ours (nor tagged)
        tags = tags_of(kms.list_resource_tags(KeyId=key_id).get("Tags"), "TagKey", "TagValue")
    except ClientError as error:
        if _code(error) in GONE_CODES | {"AccessDeniedException"}:
            return None
        raise
    if not str(meta.get("Description", "")).startswith(KEY_DESCRIPTION):
        return None
    # A key has no name: the suite's description and its tag stand for the prefix.
    if TAG_KEY not in tags:
        return None
    run = _run_of(PREFIX, tags, target, run_id)
    return None if run is None else Leftover(KEY, key_id, run, str(meta.get("KeyState", "")))


def _roles(target: Target, run_id: str | None) -> Iterator[Leftover]:
    iam = target.client("iam")
    params: dict[str, Any] = {"PathPrefix": ROLE_PATH}
    while True:
        page = iam.list_roles(**params)
        for role in page.get("Roles", []):
            name = role["RoleName"]
            if role.get("Path") != ROLE_PATH or not name.startswith(PREFIX):
                continue
            try:
                tags = tags_of(iam.list_role_tags(RoleName=name).get("Tags"))
            except ClientError as error:
                if _code(error) in GONE_CODES:
                    continue
                raise
            # IAM is global: only the roles of runs in this region.
            run = _run_of(name, tags, target, run_id) if REGION_TAG_KEY in tags else None
            if run is not None:
                yield Leftover(ROLE, name, run, "")
        if not page.get("IsTruncated"):
            return
        params["Marker"] = page["Marker"]


def remove(
    target: Target, leftovers: list[Leftover], report: Callable[[Leftover, str], None]
) -> list[str]:
    """Remove the leftovers in order; ``report(item, outcome)`` after each; the problems."""
    problems: list[str] = []
    streams: list[str] = []
    for item in leftovers:
        if item.kind != DELIVERY_STREAM and streams:
            _wait_gone(target, streams)  # their buckets and role are still in use until then
            streams = []
        try:
            _REMOVERS[item.kind](target, item.name)
        except (ClientError, TargetMisbehaved) as error:
            if isinstance(error, ClientError) and _code(error) in GONE_CODES:
                report(item, "already gone")
                continue
            problem = f"{item.kind} {item.name}: {error}"
            problems.append(problem)
            report(item, f"FAILED: {error}")
            continue
        if item.kind == DELIVERY_STREAM:
            streams.append(item.name)
        report(item, "removed" if item.kind != KEY else item.action)
    return problems


def _wait_gone(target: Target, names: list[str]) -> None:
    firehose = target.client("firehose")

    def remaining() -> list[str]:
        left = []
        for name in names:
            try:
                firehose.describe_delivery_stream(DeliveryStreamName=name)
                left.append(name)
            except ClientError as error:
                if _code(error) != "ResourceNotFoundException":
                    raise
        return left

    # If they outlast the wait, their buckets may refuse to go: that is reported, and a new
    # sweep removes them.
    with contextlib.suppress(AssertionError):
        target.poll(
            remaining,
            lambda left: not left,
            timeout=target.profile.transition_timeout,
            what="the deleted delivery streams gone",
        )


def _delete_bucket(target: Target, name: str) -> None:
    s3 = target.client("s3")
    params: dict[str, Any] = {"Bucket": name}
    while True:  # every version and delete marker, so that a versioned bucket can go too
        page = s3.list_object_versions(**params)
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if doomed:
            s3.delete_objects(Bucket=name, Delete={"Objects": doomed, "Quiet": True})
        if not page.get("IsTruncated"):
            break
        params["KeyMarker"] = page.get("NextKeyMarker")
        params["VersionIdMarker"] = page.get("NextVersionIdMarker")
    s3.delete_bucket(Bucket=name)


_REMOVERS: dict[str, Callable[[Target, str], Any]] = {
    DELIVERY_STREAM: lambda t, name: t.client("firehose").delete_delivery_stream(
        DeliveryStreamName=name, AllowForceDelete=True
    ),
    KINESIS_STREAM: lambda t, name: t.client("kinesis").delete_stream(
        StreamName=name, EnforceConsumerDeletion=True
    ),
    BUCKET: _delete_bucket,
    ALIAS: lambda t, name: t.client("kms").delete_alias(AliasName=name),
    KEY: lambda t, name: t.client("kms").schedule_key_deletion(
        KeyId=name, PendingWindowInDays=KEY_PENDING_WINDOW_DAYS
    ),
    ROLE: lambda t, name: delete_role(t.client("iam"), name),
}
