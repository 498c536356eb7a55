"""Direct PUT records at rest: envelope encryption, one data key per put call, AES-256-GCM.

Every record a DirectPut stream holds is stored only as ciphertext, whatever the SSE setting:
- a customer managed CMK in effect: the data key comes from ``kms.generate_data_key`` under the
  CMK, called as the Firehose principal through its grant (GRT-01);
- AWS_OWNED_CMK in effect: the data key is wrapped by a Firehose-internal "service-account CMK"
  (KEY-05), held by Firehose and not in the customer's KMS;
- no SSE in effect: the data key is wrapped by a separate internal interim-storage key (SRC-11,
  DG-ENC-CUR: "for data stored in interim storage during processing, Amazon Data Firehose
  encrypts data using AWS Key Management Service"). The ``Encrypted`` flag is still false,
  because SSE, the customer-visible feature, was not in effect.
The plaintext data key is dropped once the call's records are sealed, so delivery has to ask KMS
again (``kms.decrypt``): that is where a key broken after ingestion is noticed (RET-01).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from reference_impl.errors import AwsError
from reference_impl.firehose.states import KeyConfig, KeyType
from reference_impl.principals import FIREHOSE_PRINCIPAL

NONCE = 12


def _seal(key: bytes | AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt under a key, or under a cipher already made for it (one per data key, not per
    record: making the cipher costs more than encrypting a small record)."""
    cipher = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = os.urandom(NONCE)
    return nonce + cipher.encrypt(nonce, plaintext, aad)


def _unseal(key: bytes | AESGCM, blob: bytes, aad: bytes) -> bytes:
    # AES-GCM's tag is the integrity check SRC-11 mentions ("verifies data integrity").
    cipher = key if isinstance(key, AESGCM) else AESGCM(key)
    return cipher.decrypt(blob[:NONCE], blob[NONCE:], aad)


class InternalKeys:
    """Firehose's own AES-256 keys; they never leave the Firehose model."""

    def __init__(self) -> None:
        self.service_account_cmk = AESGCM.generate_key(bit_length=256)  # KEY-05
        self.interim_storage = AESGCM.generate_key(bit_length=256)  # SRC-11
        # One cipher per internal key, made once: every put and every delivery uses one.
        self._ciphers = {
            self.service_account_cmk: AESGCM(self.service_account_cmk),
            self.interim_storage: AESGCM(self.interim_storage),
        }

    def for_config(self, config: KeyConfig | None) -> bytes:
        if config is None:
            return self.interim_storage
        if config.key_type is KeyType.AWS_OWNED_CMK:
            return self.service_account_cmk
        raise ValueError("a customer managed CMK is not an internal key")

    def cipher_for(self, config: KeyConfig | None) -> AESGCM:
        """The cipher of ``for_config(config)`` (the same key, without making a cipher again)."""
        return self._ciphers[self.for_config(config)]


@dataclass(eq=False, slots=True)
class SealedGroup:
    """The records of one PutRecord/PutRecordBatch call and their one wrapped data key."""

    key: KeyConfig | None  # the SSE key in effect for the call (None: no SSE)
    wrapped_key: bytes
    context: dict[str, str]
    remaining: int = 0

    @property
    def cmk_arn(self) -> str | None:
        return self.key.key_arn if self.key is not None and self.key.is_cmk else None


@dataclass(eq=False, slots=True)
class SealedRecord:
    record_id: str
    size: int
    ingested_at: float
    group: SealedGroup
    # What is at rest for the record, ``blob``: the AES-GCM nonce and ciphertext (with tag) of its
    # data, at ``sealed[start:end]``: one call's blobs are kept end to end in one buffer, read in
    # place (a delivery touches one piece of memory per call, not two per record).
    sealed: memoryview
    start: int
    end: int

    @property
    def blob(self) -> bytes:
        return bytes(self.sealed[self.start : self.end])


@dataclass(eq=False, slots=True)
class MemoryRecord:
    """A Kinesis-sourced record: buffered in memory only, never at rest (SRC-01, SRC-02)."""

    record_id: str
    size: int
    ingested_at: float
    data: bytes


class OpenAttempt:
    """One delivery attempt's view of KMS: each data key is decrypted once, and a key that
    failed is not asked again within the attempt (so one failure counts once per attempt)."""

    __slots__ = ("data_keys", "failures")

    def __init__(self) -> None:  # one per delivery attempt: a plain class is cheapest to make
        self.data_keys: dict[int, AESGCM] = {}  # a cipher per data key
        self.failures: dict[str, AwsError] = {}


class RecordStore(Protocol):
    def open(self, record: Any, attempt: OpenAttempt) -> bytes: ...

    def open_all(
        self, records: list[Any], attempt: OpenAttempt
    ) -> tuple[list[tuple[Any, bytes]], list[Any]]: ...

    def release(self, record: Any) -> None: ...

    def release_all(self, records: Iterable[Any]) -> None: ...


class MemoryStore:
    """The store of a Kinesis-sourced stream: nothing is at rest, nothing can fail to open."""

    def open(self, record: MemoryRecord, attempt: OpenAttempt) -> bytes:
        return record.data

    def open_all(
        self, records: list[MemoryRecord], attempt: OpenAttempt
    ) -> tuple[list[tuple[MemoryRecord, bytes]], list[MemoryRecord]]:
        return [(record, record.data) for record in records], []

    def release(self, record: MemoryRecord) -> None:
        record.data = b""

    def release_all(self, records: Iterable[MemoryRecord]) -> None:
        for record in records:
            record.data = b""


class EnvelopeStore:
    """What one DirectPut stream holds at rest, and the only code that seals or opens it."""

    def __init__(self, kms: Any, keys: InternalKeys, stream_arn: str) -> None:
        self.kms = kms
        self.keys = keys
        self.context = {"aws:firehose:arn": stream_arn}
        self._aad_bytes = stream_arn.encode()
        self._held: dict[str, SealedRecord] = {}
        self._groups: dict[int, SealedGroup] = {}

    def seal(
        self, config: KeyConfig | None, records: list[tuple[str, bytes]], now: float
    ) -> list[SealedRecord]:
        """Encrypt one call's records under one new data key. KMS errors propagate (PUT-02)."""
        if config is not None and config.is_cmk:
            data_key = self.kms.generate_data_key(
                config.key_arn, caller=FIREHOSE_PRINCIPAL, encryption_context=dict(self.context)
            )
            plaintext_key, wrapped = data_key.plaintext, data_key.ciphertext_blob
        else:
            plaintext_key = AESGCM.generate_key(bit_length=256)
            wrapped = _seal(self.keys.cipher_for(config), plaintext_key, self._aad())
        group = SealedGroup(config, wrapped, dict(self.context))
        cipher = AESGCM(plaintext_key)
        blobs = []
        for rid, data in records:
            nonce = os.urandom(NONCE)
            blobs.append(nonce)
            blobs.append(cipher.encrypt(nonce, data, rid.encode()))
        buffer = memoryview(b"".join(blobs))
        sealed = []
        start = 0
        for (rid, data), ciphertext in zip(records, blobs[1::2], strict=True):
            end = start + NONCE + len(ciphertext)
            sealed.append(SealedRecord(rid, len(data), now, group, buffer, start, end))
            start = end
        del plaintext_key, cipher  # not kept: delivery must go back to KMS (RET-01)
        group.remaining = len(sealed)
        self._groups[id(group)] = group
        for record in sealed:
            self._held[record.record_id] = record
        return sealed

    def _aad(self) -> bytes:
        return self._aad_bytes  # the stream ARN, as in ``context``

    def open(self, record: SealedRecord, attempt: OpenAttempt) -> bytes:
        """Decrypt one record; raises the KMS ``AwsError`` if its data key cannot be decrypted."""
        group = record.group
        data_key = attempt.data_keys.get(id(group))
        if data_key is None:
            data_key = AESGCM(self._unwrap(group, attempt))
            attempt.data_keys[id(group)] = data_key
        sealed, start = record.sealed, record.start
        return data_key.decrypt(
            sealed[start : start + NONCE],
            sealed[start + NONCE : record.end],
            record.record_id.encode(),
        )

    def open_all(
        self, records: list[SealedRecord], attempt: OpenAttempt
    ) -> tuple[list[tuple[SealedRecord, bytes]], list[SealedRecord]]:
        """``open`` for each record, in order: (the opened with their data, the unopened).

        The same calls as one ``open`` per record (``_unwrap`` once per data key that opens,
        again for each record of a data key that does not), without a call per record.
        """
        opened: list[tuple[SealedRecord, bytes]] = []
        unopened: list[SealedRecord] = []
        ciphers = attempt.data_keys
        group: SealedGroup | None = None
        cipher: AESGCM | None = None
        for record in records:
            if record.group is not group or cipher is None:  # a call's records are adjacent
                group = record.group
                cipher = ciphers.get(id(group))
                if cipher is None:
                    try:
                        cipher = ciphers[id(group)] = AESGCM(self._unwrap(group, attempt))
                    except AwsError:
                        unopened.append(record)
                        continue
            sealed, start = record.sealed, record.start
            data = cipher.decrypt(
                sealed[start : start + NONCE],
                sealed[start + NONCE : record.end],
                record.record_id.encode(),
            )
            opened.append((record, data))
        return opened, unopened

    def _unwrap(self, group: SealedGroup, attempt: OpenAttempt) -> bytes:
        arn = group.cmk_arn
        if arn is None:
            wrapped = group.wrapped_key
            return self.keys.cipher_for(group.key).decrypt(
                wrapped[:NONCE], wrapped[NONCE:], self._aad_bytes
            )
        if arn in attempt.failures:
            raise attempt.failures[arn]
        try:
            plaintext, _ = self.kms.decrypt(
                group.wrapped_key,
                caller=FIREHOSE_PRINCIPAL,
                key_id=arn,
                encryption_context=dict(group.context),
            )
        except AwsError as error:
            attempt.failures[arn] = error
            raise
        return plaintext

    def release(self, record: SealedRecord) -> None:
        """Forget a delivered or discarded record; drop its group's data key with the last one."""
        if self._held.pop(record.record_id, None) is None:
            return
        group = record.group
        group.remaining -= 1
        if group.remaining == 0:
            self._groups.pop(id(group), None)

    def release_all(self, records: Iterable[SealedRecord]) -> None:
        """``release`` each record, in order, without a call per record."""
        held, groups = self._held, self._groups
        for record in records:
            if held.pop(record.record_id, None) is None:
                continue
            group = record.group
            group.remaining -= 1
            if group.remaining == 0:
                groups.pop(id(group), None)

    def held_under(self, key_arn: str) -> int:
        """How many held records were sealed under data keys of this CMK (GRT-02, GRT-03)."""
        return sum(g.remaining for g in self._groups.values() if g.cmk_arn == key_arn)

    def at_rest(self) -> list[bytes]:
        blobs = [record.blob for record in self._held.values()]
        blobs.extend(group.wrapped_key for group in self._groups.values())
        return blobs
