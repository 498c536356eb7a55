"""The S3 destination: its configuration, the object names Firehose writes, and its description.

Only S3 (``S3DestinationConfiguration`` or ``ExtendedS3DestinationConfiguration``) is modelled;
features that would change the delivered bytes (compression, record format conversion, Lambda
processing, dynamic partitioning, backup) are refused rather than silently ignored, so the
bytes in S3 are always exactly the records' data.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any

from reference_impl.errors import AwsError

DESTINATION_ID = "destinationId-000000000001"
DEFAULT_SIZE_MB = 5  # BC-FH Create: "buffers data up to 5 MB or for 5 minutes"
DEFAULT_INTERVAL = 300
MIB = 1024 * 1024
DAY = 86400


_DATES: dict[int, tuple[str, str]] = {}
_TWO_DIGITS = [f"{n:02d}" for n in range(60)]  # an hour, minute or second, as strftime shows it


def _date(day: int) -> tuple[str, str]:
    """``YYYY-MM-DD`` and ``YYYY/MM/DD`` (UTC) of a day counted from the epoch; one object key
    is made per delivery, so the calendar is worked out once per day, the time by arithmetic."""
    if len(_DATES) >= 4096:
        _DATES.clear()
    date = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
    _DATES[day] = found = (date, date.replace("-", "/"))
    return found


S3_KINDS = ("S3DestinationConfiguration", "ExtendedS3DestinationConfiguration")
OTHER_KINDS = (
    "RedshiftDestinationConfiguration",
    "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration",
    "SplunkDestinationConfiguration",
    "HttpEndpointDestinationConfiguration",
    "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration",
)


def _unsupported(what: str) -> AwsError:
    return AwsError(
        "InvalidArgumentException", f"{what} is not supported by the reference implementation."
    )


@dataclass(frozen=True)
class S3Destination:
    role_arn: str
    bucket_arn: str
    prefix: str = ""
    error_output_prefix: str | None = None
    size_mb: int = DEFAULT_SIZE_MB
    interval_seconds: int = DEFAULT_INTERVAL
    encryption: dict[str, Any] = field(
        default_factory=lambda: {"NoEncryptionConfig": "NoEncryption"}
    )
    logging: dict[str, Any] = field(default_factory=lambda: {"Enabled": False})
    file_extension: str = ""

    @property
    def size_bytes(self) -> int:
        return self.size_mb * MIB

    @staticmethod
    def from_create_params(params: dict[str, Any]) -> S3Destination:
        """Exactly one destination, and it must be S3 (plain or extended)."""
        others = [kind for kind in OTHER_KINDS if kind in params]
        if others:
            raise _unsupported(f"{others[0].removesuffix('Configuration')}")
        given = [kind for kind in S3_KINDS if kind in params]
        if not given:
            raise AwsError(
                "InvalidArgumentException",
                "Exactly one destination configuration is required: "
                "S3DestinationConfiguration or ExtendedS3DestinationConfiguration.",
            )
        if len(given) > 1:
            raise AwsError(
                "InvalidArgumentException",
                "Only one destination configuration can be specified, but both "
                "S3DestinationConfiguration and ExtendedS3DestinationConfiguration were given.",
            )
        return S3Destination._parse(params[given[0]], extended=given[0].startswith("Extended"))

    @staticmethod
    def _parse(config: dict[str, Any], *, extended: bool) -> S3Destination:
        compression = config.get("CompressionFormat", "UNCOMPRESSED")
        if compression != "UNCOMPRESSED":
            raise _unsupported(f"CompressionFormat {compression}")
        if extended:
            for feature in (
                "ProcessingConfiguration",
                "DataFormatConversionConfiguration",
                "DynamicPartitioningConfiguration",
            ):
                if config.get(feature, {}).get("Enabled"):
                    raise _unsupported(feature.removesuffix("Configuration"))
            if config.get("S3BackupMode", "Disabled") != "Disabled":
                raise _unsupported("S3BackupMode Enabled")
            if config.get("CustomTimeZone", "") not in ("", "UTC"):
                raise _unsupported(f"CustomTimeZone {config['CustomTimeZone']}")
        hints = config.get("BufferingHints", {})
        return S3Destination(
            role_arn=config["RoleARN"],
            bucket_arn=config["BucketARN"],
            prefix=config.get("Prefix", ""),
            error_output_prefix=config.get("ErrorOutputPrefix"),
            size_mb=hints.get("SizeInMBs", DEFAULT_SIZE_MB),
            interval_seconds=hints.get("IntervalInSeconds", DEFAULT_INTERVAL),
            encryption=copy.deepcopy(
                config.get("EncryptionConfiguration", {"NoEncryptionConfig": "NoEncryption"})
            ),
            logging=copy.deepcopy(config.get("CloudWatchLoggingOptions", {"Enabled": False})),
            file_extension=config.get("FileExtension", "") if extended else "",
        )

    def object_key(self, stream_name: str, oldest: float, unique: str) -> str:
        """``<Prefix>YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>``, in UTC.

        The time is that of the oldest record in the object, as Firehose names its objects.
        """
        day, second = divmod(math.floor(oldest), DAY)
        hour, second = divmod(second, 3600)
        minute, second = divmod(second, 60)
        date, folder = _DATES.get(day) or _date(day)  # YYYY-MM-DD, YYYY/MM/DD
        hh = _TWO_DIGITS[hour]
        return (
            f"{self.prefix}{folder}/{hh}/{stream_name}-1-"
            f"{date}-{hh}-{_TWO_DIGITS[minute]}-{_TWO_DIGITS[second]}-{unique}{self.file_extension}"
        )

    def describe(self) -> dict[str, Any]:
        """The entry in ``Destinations``: both S3 views, with every required member."""
        plain: dict[str, Any] = {
            "RoleARN": self.role_arn,
            "BucketARN": self.bucket_arn,
            "Prefix": self.prefix,
            "BufferingHints": {
                "SizeInMBs": self.size_mb,
                "IntervalInSeconds": self.interval_seconds,
            },
            "CompressionFormat": "UNCOMPRESSED",
            "EncryptionConfiguration": copy.deepcopy(self.encryption),
            "CloudWatchLoggingOptions": copy.deepcopy(self.logging),
        }
        if self.error_output_prefix is not None:
            plain["ErrorOutputPrefix"] = self.error_output_prefix
        extended = {**copy.deepcopy(plain), "S3BackupMode": "Disabled"}
        if self.file_extension:
            extended["FileExtension"] = self.file_extension
        return {
            "DestinationId": DESTINATION_ID,
            "S3DestinationDescription": plain,
            "ExtendedS3DestinationDescription": extended,
        }
