"""The batched delivery path (open_all, deliver_object, release_all) does what one call per
record did: the same data, the same fates, the same calls to the hooks variants wrap."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.errors import AwsError
from reference_impl.firehose.accounting import Fate, Ledger, Location
from reference_impl.firehose.states import KeyConfig, KeyType
from reference_impl.firehose.storage import EnvelopeStore, InternalKeys, OpenAttempt

ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/batch"


class CountingStore(EnvelopeStore):
    """Counts ``_unwrap`` calls; the groups listed in ``broken`` cannot be unwrapped."""

    def __init__(self) -> None:
        super().__init__(kms=None, keys=InternalKeys(), stream_arn=ARN)
        self.unwraps = 0
        self.broken: set[int] = set()

    def _unwrap(self, group: Any, attempt: OpenAttempt) -> bytes:
        self.unwraps += 1
        if id(group) in self.broken:
            raise AwsError("InvalidCiphertextException", "broken")
        return super()._unwrap(group, attempt)


def sealed(store: CountingStore) -> list[Any]:
    owned = KeyConfig(KeyType.AWS_OWNED_CMK)
    records = store.seal(None, [("r1", b"one"), ("r2", b"two")], 1.0)
    records += store.seal(owned, [("r3", b"three"), ("r4", b"four"), ("r5", b"five")], 2.0)
    records += store.seal(None, [("r6", b"six")], 3.0)
    return records


@pytest.mark.parametrize("broken_group", [None, 0, 1, 2])
def test_open_all_is_open_per_record(broken_group: int | None) -> None:
    one_by_one, batched = CountingStore(), CountingStore()
    results = []
    for store in (one_by_one, batched):
        records = sealed(store)
        groups = list(dict.fromkeys(record.group for record in records))
        if broken_group is not None:
            store.broken.add(id(groups[broken_group]))
        results.append(records)
    attempt = OpenAttempt()
    opened, unopened = [], []
    for record in results[0]:
        try:
            opened.append((record.record_id, one_by_one.open(record, attempt)))
        except AwsError:
            unopened.append(record.record_id)
    got_opened, got_unopened = batched.open_all(results[1], OpenAttempt())
    assert [(r.record_id, data) for r, data in got_opened] == opened
    assert [r.record_id for r in got_unopened] == unopened
    assert batched.unwraps == one_by_one.unwraps
    if broken_group is None:
        assert [data for _, data in opened] == [b"one", b"two", b"three", b"four", b"five", b"six"]


def test_a_record_at_rest_is_its_nonce_and_ciphertext() -> None:
    store = CountingStore()
    records = sealed(store)
    blobs = store.at_rest()
    assert blobs[: len(records)] == [record.blob for record in records]
    assert all(record.end - record.start == 12 + 16 + record.size for record in records)
    assert all(b"three" not in blob for blob in blobs)
    store.release_all(records[:2])  # the first call's records: its wrapped key goes too
    assert len(store.at_rest()) == len(blobs) - 3


def test_deliver_object_is_deliver_per_record() -> None:
    class Record:
        def __init__(self, record_id: str) -> None:
            self.record_id = record_id

    per_record, per_object = Ledger(), Ledger()
    chunk = [(Record("a"), b"12"), (Record("b"), b"345"), (Record("c"), b"")]
    for ledger in (per_record, per_object):
        for record, data in chunk:
            ledger.accept(record.record_id, 0.0, False, len(data))
    offset = 0
    for record, data in chunk:
        per_record.deliver(record.record_id, 5.0, Location("bkt", "key", offset))
        offset += len(data)
    per_object.deliver_object(chunk, 5.0, "bkt", "key")
    assert per_object.fates == per_record.fates
    assert (
        per_object.summary()
        == per_record.summary()
        == {
            "pending": 0,
            "delivered": 3,
            "discarded": 0,
        }
    )
    assert per_object.fates["b"].location == Location("bkt", "key", 2)
    assert type(per_object.fates["b"].location) is Location
    with pytest.raises(RuntimeError, match="resolved twice"):
        per_object.deliver_object(chunk[:1], 6.0, "bkt", "key")
    assert per_object.fates["a"].state is Fate.DELIVERED
