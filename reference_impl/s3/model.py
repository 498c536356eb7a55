"""S3 as Firehose's destination sees it: buckets of objects, in one account and Region.

Bucket names are one namespace for every account of the cloud (``BucketDirectory``), as in S3:
a name another account holds cannot be created, and that account's bucket is refused to this one
(AccessDenied: there are no bucket policies to grant it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from reference_impl.clock import VirtualClock
from reference_impl.errors import AwsError
from reference_impl.principals import DEFAULT_ACCOUNT, DEFAULT_REGION
from reference_impl.s3.listing import ListingPage, list_keys
from reference_impl.s3.names import MAX_KEY_BYTES, bucket_name_from_arn, bucket_name_problem

DEFAULT_CONTENT_TYPE = "binary/octet-stream"


@dataclass(slots=True)
class S3Object:
    key: str
    body: bytes
    last_modified: float
    content_type: str = DEFAULT_CONTENT_TYPE

    @property
    def etag(self) -> str:
        """A single-part upload's ETag: the hex MD5 of the body, in double quotes."""
        return f'"{hashlib.md5(self.body, usedforsecurity=False).hexdigest()}"'


@dataclass
class Bucket:
    name: str
    created: float
    objects: dict[str, S3Object] = field(default_factory=dict)


class BucketDirectory:
    """Who holds each bucket name, across the accounts of one cloud."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}

    def forget(self, account_id: str) -> None:
        """The account is gone (reset): its names are free again."""
        self.owners = {name: owner for name, owner in self.owners.items() if owner != account_id}


def no_such_bucket(name: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404)


def access_denied() -> AwsError:
    return AwsError("AccessDenied", "Access Denied", 403)


def no_such_key() -> AwsError:
    return AwsError("NoSuchKey", "The specified key does not exist.", 404)


class S3Model:
    """Buckets and objects; no versioning, ACLs or server-side encryption of its own."""

    def __init__(
        self,
        clock: VirtualClock,
        region: str = DEFAULT_REGION,
        *,
        account_id: str = DEFAULT_ACCOUNT,
        directory: BucketDirectory | None = None,
    ) -> None:
        self.clock = clock
        self.region = region
        self.account_id = account_id
        self.directory = directory if directory is not None else BucketDirectory()
        self.buckets: dict[str, Bucket] = {}

    def _held_elsewhere(self, name: str) -> bool:
        owner = self.directory.owners.get(name)
        return owner is not None and owner != self.account_id

    # -- buckets -------------------------------------------------------------------------

    def create_bucket(self, name: str, location: str | None = None) -> Bucket:
        problem = bucket_name_problem(name)
        if problem is not None:
            raise AwsError("InvalidBucketName", f"The specified bucket is not valid. {problem}")
        self._check_location(location)
        if self._held_elsewhere(name):
            # BC-S3 BucketAlreadyExists: "The requested bucket name is not available. The bucket
            # namespace is shared by all users of the system."
            raise AwsError(
                "BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by "
                "all users of the system. Please select a different name and try again.",
                409,
            )
        existing = self.buckets.get(name)
        if existing is not None:
            # BC-S3 BucketAlreadyOwnedByYou: "Amazon S3 returns this error in all Amazon Web
            # Services Regions except in the North Virginia Region. For legacy compatibility,
            # if you re-create an existing bucket that you already own in the North Virginia
            # Region, Amazon S3 returns 200 OK".
            if self.region == "us-east-1":
                return existing
            raise AwsError(
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already "
                "own it.",
                409,
            )
        bucket = self.buckets[name] = Bucket(name, self.clock.now())
        self.directory.owners[name] = self.account_id
        return bucket

    def _check_location(self, location: str | None) -> None:
        if self.region == "us-east-1":
            if location in (None, ""):
                return
            if location == "us-east-1":
                raise AwsError(
                    "InvalidLocationConstraint", "The specified location-constraint is not valid"
                )
        elif location == self.region:
            return
        if location in (None, ""):
            raise AwsError(
                "IllegalLocationConstraintException",
                "The unspecified location constraint is incompatible for the region specific "
                "endpoint this request was sent to.",
            )
        raise AwsError(
            "IllegalLocationConstraintException",
            f"The {location} location constraint is incompatible for the region specific "
            "endpoint this request was sent to.",
        )

    def bucket(self, name: str) -> Bucket:
        bucket = self.buckets.get(name)
        if bucket is None:
            if self._held_elsewhere(name):
                raise access_denied()
            raise no_such_bucket(name)
        return bucket

    def delete_bucket(self, name: str) -> None:
        if self.bucket(name).objects:
            raise AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)
        del self.buckets[name]
        if self.directory.owners.get(name) == self.account_id:
            del self.directory.owners[name]

    def list_buckets(self) -> list[Bucket]:
        return sorted(self.buckets.values(), key=lambda b: b.name)

    # -- objects -------------------------------------------------------------------------

    def put(
        self, bucket: str, key: str, body: bytes, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> S3Object:
        target = self.bucket(bucket)
        if len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise AwsError("KeyTooLongError", "Your key is too long")
        if not key:
            raise AwsError("InvalidArgument", "An object key must not be empty.")
        obj = target.objects[key] = S3Object(key, bytes(body), self.clock.now(), content_type)
        return obj

    def get(self, bucket: str, key: str) -> S3Object:
        obj = self.bucket(bucket).objects.get(key)
        if obj is None:
            raise no_such_key()
        return obj

    def delete(self, bucket: str, key: str) -> None:
        """Deleting a key that is not there succeeds, as in S3."""
        self.bucket(bucket).objects.pop(key, None)

    def list_objects(
        self,
        bucket: str,
        *,
        prefix: str = "",
        delimiter: str = "",
        start_after: str = "",
        max_keys: int = 1000,
    ) -> ListingPage:
        return list_keys(
            sorted(self.bucket(bucket).objects),
            prefix=prefix,
            delimiter=delimiter,
            start_after=start_after,
            max_keys=max_keys,
        )

    # -- the Python interface Firehose delivers through ----------------------------------

    def bucket_exists(self, name: str) -> bool:
        return name in self.buckets

    def put_object(self, bucket: str, key: str, body: bytes) -> None:
        """Deliver an object; raises AwsError("NoSuchBucket", ..., 404) if the bucket is gone.

        ``put`` with its default content type, in one call (Firehose makes one per delivery)."""
        target = self.buckets.get(bucket)
        if target is None:
            target = self.bucket(bucket)  # raises NoSuchBucket (AccessDenied: another account's)
        if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
            self.put(bucket, key, body)  # raises as PutObject would
            return
        target.objects[key] = S3Object(key, bytes(body), self.clock.now())

    def objects(self, bucket: str) -> dict[str, bytes]:
        """{key: body} of one bucket (for tests); NoSuchBucket if it does not exist."""
        return {key: obj.body for key, obj in sorted(self.bucket(bucket).objects.items())}

    @staticmethod
    def bucket_name_from_arn(arn: str) -> str:
        return bucket_name_from_arn(arn)
