"""Which account a request acts in: one account per access key, as emulators map them.

The rule (``account_for``): the access key id of a request's credentials selects the account.

- An access key id of exactly 12 digits is that account's id: ``AWS_ACCESS_KEY_ID=111111111111``
  acts in account 111111111111 (LocalStack documents the same rule for its multi-account
  namespacing).
- Any other access key id (``testing``, ``AKIA...``), and a request without credentials
  (unsigned, or the control plane called without them), acts in the default account, the one the
  cloud was made with (123456789012 unless told otherwise). moto does the same for every key it
  did not issue itself through IAM or STS.

The access key id is read where SigV4 carries it: the ``Credential=<key>/<date>/...`` scope of
the ``Authorization`` header, or the ``X-Amz-Credential`` query parameter of a presigned URL (and
``AWS <key>:<signature>`` / ``AWSAccessKeyId`` for S3's older SigV2). Signatures are never
verified, so a credential selects an account and grants nothing: there is no IAM.

Every account has state of its own: Firehose streams (and their 5,000-per-Region quota), the
five-calls-per-second limit of Firehose's control plane, KMS keys, aliases and grants, Kinesis
streams, CloudWatch metrics and S3 buckets. ARNs carry the account. Nothing crosses accounts: a
key, stream or source ARN of another account is not found, as one that does not exist. Bucket
names, as in S3, are one namespace for all accounts: a name another account holds cannot be
created (BucketAlreadyExists) and answers AccessDenied to everyone else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import parse_qs

from reference_impl.clock import Timer, VirtualClock

ACCOUNT_ID = re.compile(r"\d{12}")
# SigV4 (and SigV4a): "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
# SignedHeaders=..., Signature=..."; SigV2 (S3): "AWS <key>:<signature>".
_SIGV4_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
_SIGV2 = re.compile(r"AWS ([^:\s]+):")


def is_account_id(value: str) -> bool:
    return ACCOUNT_ID.fullmatch(value) is not None


def account_for(access_key_id: str | None, default: str) -> str:
    """The account an access key id acts in: itself if it is 12 digits, else ``default``."""
    if access_key_id is not None and is_account_id(access_key_id):
        return access_key_id
    return default


def access_key_id(headers: Mapping[str, str], query: str = "") -> str | None:
    """The access key id of a request's credentials (``headers`` lower-cased), if it has any."""
    authorization = headers.get("authorization")
    if authorization:
        found = _SIGV4_CREDENTIAL.search(authorization) or _SIGV2.match(authorization)
        if found:
            return found.group(1)
    if query and ("Credential" in query or "AWSAccessKeyId" in query):
        params = parse_qs(query)
        credential = params.get("X-Amz-Credential") or params.get("AWSAccessKeyId")
        if credential:
            return credential[0].split("/", 1)[0]
    return None


def check_account_id(account_id: str) -> str:
    if not isinstance(account_id, str) or not is_account_id(account_id):
        raise ValueError(f"an account id is 12 digits, got {account_id!r}")
    return account_id


class AccountClock:
    """One account's view of the cloud's clock: the same time, and the timers it set.

    Every model of an account schedules through it, so resetting one account (while the others
    go on) can cancel exactly that account's timers. ``now`` is the shared clock's own method,
    so reading the time costs nothing more.
    """

    # Past this many timers kept, the next one set drops those already run or cancelled.
    _PRUNE_AT = 256

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.now: Callable[[], float] = clock.now
        self.now_datetime: Callable[[], datetime] = clock.now_datetime
        self._timers: list[Timer] = []
        self._prune_at = self._PRUNE_AT

    def call_at(self, when: float, callback: Callable[[], None], label: str = "") -> Timer:
        timer = self.clock.call_at(when, callback, label)
        self._keep(timer)
        return timer

    def call_later(self, delay: float, callback: Callable[[], None], label: str = "") -> Timer:
        timer = self.clock.call_later(delay, callback, label)
        self._keep(timer)
        return timer

    def _keep(self, timer: Timer) -> None:
        timers = self._timers
        timers.append(timer)
        if len(timers) >= self._prune_at:
            now = self.clock.now()
            self._timers = [t for t in timers if not t.cancelled and t.when >= now]
            self._prune_at = max(self._PRUNE_AT, 2 * len(self._timers))

    def cancel_all(self) -> None:
        """Cancel every timer this account set that has not run yet."""
        for timer in self._timers:
            timer.cancel()
        self._timers = []
