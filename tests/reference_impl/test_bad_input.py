"""Bad input over the AWS JSON wire surface: every implemented operation of every JSON service.

The cases are derived from the input shapes of the vendored model snapshot (``reference_impl.
aws_models``, the authority for what is valid; never the installed botocore's models), so a newly
implemented operation, or a member a newer snapshot adds, is covered without editing this file.

Model-valid bodies, for every implemented operation: the minimal body (every required member at
its minimum, every optional member omitted), and the minimal body plus each optional member at its
minimum (top-level members, and the members of a top-level structure or list of structures). Each
is answered with a success or an AWS-shaped 4xx, never a 5xx.

Bodies that break one member, or are not JSON objects, are answered with an AWS-shaped 4xx: a JSON
body with ``__type`` and a message, an ``x-amzn-RequestId`` header, no traceback, never a 5xx.
AMB-21: shape violations (missing member, length, enum, pattern, range) answer the framework
``ValidationException``; JSON that does not fit the shape's types answers
``SerializationException``; operations that do not exist answer ``UnknownOperationException``.

Cases that break one member start from a minimal valid body built from the shape, so the one
violation is the only one and the message says "1 validation error detected". The names in that
body ("a", "alias/a", shard 0) exist in a seeded cloud, so bodies that pass the shape checks reach
the models rather than stopping at "not found".
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import regex
from botocore import xform_name
from botocore.model import ListShape, MapShape, Shape, StructureShape

from reference_impl.aws_models import SNAPSHOT, service_model
from reference_impl.cloud import ReferenceCloud
from reference_impl.wire.http import Request, Response
from reference_impl.wire.validation import validate_input
from reference_impl.wire.wsgi import MAX_BODY_BYTES

JSON_SERVICES = {"firehose", "kms", "kinesis", "cloudwatch"}
SEEDED = "a"  # the Firehose stream, Kinesis stream and (as alias/a) KMS key the seed creates
SEEDED_BUCKET = "bad-input-destination"
ROLE = "arn:aws:iam::123456789012:role/firehose-delivery"
# Minimal values by shape name where the first fitting candidate would name nothing that exists.
OVERRIDES = {
    "KeyIdType": "alias/a",  # KMS
    "KeyId": "alias/a",  # Kinesis
    "AliasNameType": "alias/a",
    "PrincipalIdType": ROLE,
    "ShardId": "shardId-000000000000",
}
# Values that satisfy most string patterns in these four models; the first that fits is used.
VALID_CANDIDATES = (
    SEEDED,
    "0",
    "alias/a",
    "arn:aws:kms:us-east-1:123456789012:key/a",
    "arn:aws:kinesis:us-east-1:123456789012:stream/a",
    "abcdefghij0123456789-abc",
    ROLE,
    f"arn:aws:s3:::{SEEDED_BUCKET}",
    "https://example.com",
    "my-account.snowflakecomputing.com",
    "jdbc:redshift://c.abc.us-east-1.redshift.amazonaws.com:5439/dev",
    "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
)
# Values that break a pattern; the first that fails it (within the length bounds) is used.
INVALID_CANDIDATES = ("!!", "bad name!", ":x", "aws:x", "\u2603", "a\x00", "a\nb", " ")
WRONG_TYPE: dict[str, Any] = {
    "string": 12345,
    "blob": 12345,
    "structure": "not an object",
    "list": {"not": "a list"},
    "map": ["not", "a", "map"],
    "integer": "x",
    "long": "x",
    "double": "x",
    "float": "x",
    "boolean": "x",
    "timestamp": {"not": "a timestamp"},
}
BIG_LIST_MAX = 1000  # lists allowed more items than this are not worth filling to max + 1
LONE_SURROGATE = "\ud800"  # legal as a JSON escape, not encodable as UTF-8


# -- the services and their implemented operations ------------------------------------------

_PROBE = ReferenceCloud()
# The service's API layer (which operations exist) by target prefix; the operations themselves come
# from the snapshot's model of that service.
_APIS = {
    service.target_prefix: (service.model.service_name, service.api)
    for service in _PROBE.account().routes.by_prefix.values()
}
_MODELS = {prefix: service_model(name) for prefix, (name, _) in _APIS.items()}
OPERATIONS: list[tuple[str, str, str]] = [
    (name, prefix, operation)
    for prefix, (name, api) in _APIS.items()
    for operation in _MODELS[prefix].operation_names
    if hasattr(api, xform_name(operation))  # the rest answer UnknownOperationException
]
UNIMPLEMENTED: list[tuple[str, str, str]] = [
    (name, prefix, operation)
    for prefix, (name, api) in _APIS.items()
    for operation in _MODELS[prefix].operation_names
    if not hasattr(api, xform_name(operation))
]


def _input_shape(prefix: str, operation: str) -> StructureShape:
    shape = _MODELS[prefix].operation_model(operation).input_shape
    assert shape is not None, f"{operation} has no input shape"
    return shape


def _op_id(service: str, operation: str) -> str:
    return f"{service}-{operation}"


# -- values built from shapes ------------------------------------------------------------------


def _fits_length(shape: Shape, text: str) -> bool:
    high = shape.metadata.get("max")
    return len(text) >= shape.metadata.get("min", 0) and (high is None or len(text) <= high)


def _fits_pattern(shape: Shape, text: str) -> bool:
    pattern = shape.metadata.get("pattern")
    return not pattern or regex.fullmatch(pattern, text) is not None


def _fits(shape: Shape, text: str) -> bool:
    return _fits_length(shape, text) and _fits_pattern(shape, text)


def valid_string(shape: Shape) -> str | None:
    enum = getattr(shape, "enum", None)
    if enum:
        return enum[0]
    override = OVERRIDES.get(shape.name)
    if override is not None and _fits(shape, override):
        return override
    if not shape.metadata.get("pattern"):
        return "a" * max(shape.metadata.get("min", 1), 1)
    return next((text for text in VALID_CANDIDATES if _fits(shape, text)), None)


class Unbuildable(Exception):
    """No simple valid value exists for a shape (a pattern no candidate satisfies)."""


def valid_value(shape: Shape, depth: int = 0) -> Any:
    """A minimal value that satisfies ``shape``: required members only, minimum list lengths."""
    if depth > 12:
        raise Unbuildable(shape.name)
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        return {
            name: valid_value(shape.members[name], depth + 1) for name in shape.required_members
        }
    if isinstance(shape, ListShape):
        count = shape.metadata.get("min", 0)
        return [valid_value(shape.member, depth + 1) for _ in range(count)]
    if isinstance(shape, MapShape):
        if shape.metadata.get("min", 0) == 0:
            return {}
        return {valid_value(shape.key, depth + 1): valid_value(shape.value, depth + 1)}
    if kind == "string":
        text = valid_string(shape)
        if text is None:
            raise Unbuildable(shape.name)
        return text
    if kind == "blob":
        return base64.b64encode(b"a" * max(shape.metadata.get("min", 1), 1)).decode()
    if kind in ("integer", "long"):
        return max(shape.metadata.get("min", 1), 1)
    if kind in ("double", "float"):
        return float(shape.metadata.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return 1_600_000_000
    raise Unbuildable(f"{shape.name}: {kind}")


def _buildable(shape: Shape) -> bool:
    try:
        valid_value(shape)
    except Unbuildable:
        return False
    return True


def minimal_body(prefix: str, operation: str) -> dict[str, Any]:
    """The required members, plus Kinesis's optional StreamName so the seeded stream is used."""
    shape = _input_shape(prefix, operation)
    body = valid_value(shape)
    if "StreamName" in shape.members:
        body.setdefault("StreamName", SEEDED)
    return body


def _path(name: str) -> str:
    """AWS names members in validation messages in lowerCamelCase."""
    return name[:1].lower() + name[1:]


# -- the generated shape cases -----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    service: str
    prefix: str
    operation: str
    kind: str
    member: str | None
    body: bytes
    code: str
    needles: tuple[str, ...] = ()  # text the message must contain
    single: bool = False  # the body holds only this violation: "1 validation error detected"

    @property
    def id(self) -> str:
        suffix = f"-{self.member}" if self.member else ""
        return f"{self.service}-{self.operation}-{self.kind}{suffix}"


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _oversize_string(shape: Shape, good: str) -> str:
    """max + 1 characters, keeping the pattern when padding the valid value keeps it."""
    high = shape.metadata["max"]
    padded = good + good[-1] * (high + 1 - len(good))
    return padded if _fits_pattern(shape, padded) else "a" * (high + 1)


Variant = tuple[str, Any, str, tuple[str, ...]]  # kind, bad value, code, message needles


def _string_cases(member: Shape) -> Iterator[Variant]:
    meta = member.metadata
    good = valid_string(member)
    if "max" in meta and good is not None:
        needle = f"length less than or equal to {meta['max']}"
        yield "too-long", _oversize_string(member, good), "ValidationException", (needle,)
    if meta.get("min", 0) >= 1:
        yield "too-short", "", "ValidationException", ("length greater than or equal to",)
    if getattr(member, "enum", None):
        yield "bad-enum", "BOGUS", "ValidationException", ("enum value set",)
    if meta.get("pattern"):
        bad = next(
            (t for t in INVALID_CANDIDATES if _fits_length(member, t) and not _fits(member, t)),
            None,
        )
        if bad is not None:  # some patterns (e.g. "[\\u0000-\\uFFFF]*") accept everything
            yield "bad-pattern", bad, "ValidationException", ("regular expression pattern",)


def _other_cases(member: Shape) -> Iterator[Variant]:
    kind, meta = member.type_name, member.metadata
    if kind == "blob":
        yield "bad-base64", "!!not base64!!", "SerializationException", ()
        if "max" in meta:
            blob = base64.b64encode(b"a" * (meta["max"] + 1)).decode()
            needle = f"length less than or equal to {meta['max']}"
            yield "too-long", blob, "ValidationException", (needle,)
    elif kind in ("integer", "long"):
        yield "fraction", 1.5, "SerializationException", ()
        if "max" in meta:
            needle = f"value less than or equal to {meta['max']}"
            yield "too-big", meta["max"] + 1, "ValidationException", (needle,)
        if "min" in meta:
            needle = f"value greater than or equal to {meta['min']}"
            yield "too-small", meta["min"] - 1, "ValidationException", (needle,)
    elif isinstance(member, ListShape):
        high = meta.get("max")
        if high is not None and high < BIG_LIST_MAX and _buildable(member.member):
            items = [valid_value(member.member)] * (high + 1)
            yield "too-many", items, "ValidationException", (f"less than or equal to {high}",)
        if meta.get("min", 0) >= 1:
            yield "empty-list", [], "ValidationException", ("length greater than or equal to",)


def _variants(member: Shape, required: bool) -> Iterator[Variant]:
    yield "wrong-type", WRONG_TYPE[member.type_name], "SerializationException", ()
    if required:
        yield "null", None, "ValidationException", ("must not be null",)
    if member.type_name == "string":
        yield from _string_cases(member)
    else:
        yield from _other_cases(member)


@dataclass(frozen=True)
class Slot:
    """One member to break: its shape, its label in ids, the path AWS names in the message."""

    outer: str  # the top-level member
    child: str | None  # a member of the structure (or of the list's structure) outer holds
    shape: Shape
    required: bool
    path: str  # e.g. records.1.member.data
    container: Shape | None = None  # the structure holding child
    as_list: bool = False  # outer is a list: child goes into its one item

    @property
    def label(self) -> str:
        return f"{self.outer}.{self.child}" if self.child else self.outer

    def body(self, base: dict[str, Any], value: Any) -> dict[str, Any]:
        if self.child is None or self.container is None:
            return {**base, self.outer: value}
        item = {**valid_value(self.container), self.child: value}
        return {**base, self.outer: [item] if self.as_list else item}


def _slots(shape: StructureShape) -> Iterator[Slot]:
    """Each top-level member, and each member of a top-level structure or list of structures."""
    for name, member in shape.members.items():
        yield Slot(name, None, member, name in shape.required_members, _path(name))
        as_list = isinstance(member, ListShape)
        inner = member.member if as_list else member
        if not isinstance(inner, StructureShape) or not _buildable(inner):
            continue
        outer_path = f"{_path(name)}.1.member" if as_list else _path(name)
        for child, child_shape in inner.members.items():
            required = child in inner.required_members
            path = f"{outer_path}.{_path(child)}"
            yield Slot(name, child, child_shape, required, path, inner, as_list)


def _member_cases(service: str, prefix: str, operation: str) -> Iterator[Case]:
    """Cases that break one member of an otherwise valid body."""
    shape = _input_shape(prefix, operation)
    base = minimal_body(prefix, operation)
    for slot in _slots(shape):
        for kind, value, code, needles in _variants(slot.shape, slot.required):
            # An oversize or empty value can break the pattern too: AWS then lists both.
            single = code == "ValidationException" and (
                kind == "bad-pattern"
                or not isinstance(value, str)
                or _fits_pattern(slot.shape, value)
            )
            if code == "ValidationException":
                needles = (f"'{slot.path}'", *needles)
            body = _json(slot.body(base, value))
            yield Case(service, prefix, operation, kind, slot.label, body, code, needles, single)


MALFORMED_BODIES = (
    ("array-body", b"[]"),
    ("string-body", b'"text"'),
    ("number-body", b"42"),
    ("boolean-body", b"true"),
    ("null-body", b"null"),
    ("not-json", b"{not json"),
    ("truncated-json", b'{"a": '),
    ("invalid-utf8", b'{"a": "\xff\xfe"}'),
)


def _operation_cases(service: str, prefix: str, operation: str) -> Iterator[Case]:
    required = _input_shape(prefix, operation).required_members
    if required:
        count = len(required)
        noun = "error" if count == 1 else "errors"
        needles = (f"{count} validation {noun} detected", "Member must not be null")
        needles += tuple(f"Value null at '{_path(name)}'" for name in required)
        yield Case(
            service, prefix, operation, "empty-object", None, b"{}", "ValidationException", needles
        )
    for kind, body in MALFORMED_BODIES:
        yield Case(service, prefix, operation, kind, None, body, "SerializationException")
    yield from _member_cases(service, prefix, operation)


CASES = [case for spec in OPERATIONS for case in _operation_cases(*spec)]


# -- sending and checking ----------------------------------------------------------------------


def send(cloud: ReferenceCloud, target: str, body: bytes, method: str = "POST") -> Response:
    headers = {"x-amz-target": target, "content-type": "application/x-amz-json-1.1"}
    return cloud.app.handle(Request(method, "/", "", headers, body))


def assert_aws_error(response: Response, code: str | None = None) -> dict[str, Any]:
    """A 4xx with an AWS JSON error body and a request id; ``code`` checked when given."""
    assert 400 <= response.status < 500, (response.status, response.body[:500])
    assert b"Traceback" not in response.body
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert headers.get("x-amzn-requestid"), response.headers
    document = json.loads(response.body)
    assert isinstance(document, dict), document
    assert document.get("__type"), document
    assert isinstance(document.get("message", document.get("Message")), str), document
    if code is not None:
        assert document["__type"] == code, document
    return document


def assert_not_a_fault(response: Response) -> None:
    """Success, or an AWS-shaped 4xx: anything but a 5xx."""
    if response.status == 200:
        assert isinstance(json.loads(response.body), dict)
    else:
        assert_aws_error(response)


def _ok(cloud: ReferenceCloud, target: str, body: dict[str, Any]) -> dict[str, Any]:
    response = send(cloud, target, _json(body))
    assert response.status == 200, response.body
    return json.loads(response.body)


@pytest.fixture
def cloud() -> ReferenceCloud:
    return ReferenceCloud()


@pytest.fixture
def seeded() -> ReferenceCloud:
    """A cloud where the minimal bodies' names exist: a CMK as alias/a, streams named "a"."""
    cloud = ReferenceCloud()
    key = _ok(cloud, "TrentService.CreateKey", {})["KeyMetadata"]["KeyId"]
    _ok(cloud, "TrentService.CreateAlias", {"AliasName": "alias/a", "TargetKeyId": key})
    _ok(cloud, "Kinesis_20131202.CreateStream", {"StreamName": SEEDED, "ShardCount": 1})
    assert cloud.app.handle(Request("PUT", f"/{SEEDED_BUCKET}", "", {}, b"")).status == 200
    destination = {"RoleARN": ROLE, "BucketARN": f"arn:aws:s3:::{SEEDED_BUCKET}"}
    _ok(
        cloud,
        "Firehose_20150804.CreateDeliveryStream",
        {"DeliveryStreamName": SEEDED, "S3DestinationConfiguration": destination},
    )
    cloud.advance(60)  # both streams ACTIVE; Firehose's per-second call window long past
    return cloud


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_shape_violation(cloud, case: Case):
    response = send(cloud, f"{case.prefix}.{case.operation}", case.body)
    document = assert_aws_error(response, case.code)
    message = document.get("message", document.get("Message"))
    for needle in case.needles:
        assert needle in message, (needle, message)
    if case.single:
        assert message.startswith("1 validation error detected"), message


def test_the_sweep_covers_every_json_service():
    assert {service for service, _, _ in OPERATIONS} == JSON_SERVICES
    # the reference validates against the snapshot
    for service in _PROBE.account().routes.by_prefix.values():
        assert service.model is service_model(service.model.service_name)
        assert service.model.service_name in SNAPSHOT.services
    kinds = {case.kind for case in CASES}
    for kind in ("empty-object", "wrong-type", "too-long", "bad-enum", "bad-pattern", "null"):
        assert kind in kinds


@pytest.mark.parametrize(
    ("prefix", "operation"),
    [(prefix, operation) for _, prefix, operation in OPERATIONS],
    ids=[_op_id(service, operation) for service, _, operation in OPERATIONS],
)
def test_minimal_body_is_shape_valid_and_never_a_fault(seeded, prefix, operation):
    """The builder's body passes the shape; what the service then says is never a 5xx."""
    body = minimal_body(prefix, operation)
    validate_input(_input_shape(prefix, operation), body)  # raises on a builder mistake
    assert_not_a_fault(send(seeded, f"{prefix}.{operation}", _json(body)))


def _optional_member_cases() -> Iterator[tuple[str, str, str, bytes]]:
    """The minimal body plus one optional member at its minimum: a top-level member, or a member
    of a top-level structure (or of the one item of a top-level list of structures)."""
    for service, prefix, operation in OPERATIONS:
        shape = _input_shape(prefix, operation)
        body = minimal_body(prefix, operation)
        case = _op_id(service, operation)
        for name, member in shape.members.items():
            if name not in body and _buildable(member):
                yield (
                    f"{case}-{name}",
                    prefix,
                    operation,
                    _json({**body, name: valid_value(member)}),
                )
            as_list = isinstance(member, ListShape)
            inner = member.member if as_list else member
            if not isinstance(inner, StructureShape) or not _buildable(inner):
                continue
            for child, child_shape in inner.members.items():
                if child in inner.required_members or not _buildable(child_shape):
                    continue
                item = {**valid_value(inner), child: valid_value(child_shape)}
                payload = _json({**body, name: [item] if as_list else item})
                yield f"{case}-{name}.{child}", prefix, operation, payload


OPTIONAL_CASES = list(_optional_member_cases())


@pytest.mark.parametrize(
    ("prefix", "operation", "body"),
    [case[1:] for case in OPTIONAL_CASES],
    ids=[case[0] for case in OPTIONAL_CASES],
)
def test_each_optional_member_at_its_minimum_is_never_a_fault(seeded, prefix, operation, body):
    """Edge values that pass the shape (shortest strings, smallest numbers) reach the models."""
    assert_not_a_fault(send(seeded, f"{prefix}.{operation}", body))


def _string_leaves(shape: Shape, value: Any, path: tuple) -> Iterator[tuple]:
    """Paths to every non-enum string in ``value`` (a valid body for ``shape``)."""
    if isinstance(shape, StructureShape):
        for name, item in value.items():
            yield from _string_leaves(shape.members[name], item, (*path, name))
    elif isinstance(shape, ListShape):
        for index, item in enumerate(value):
            yield from _string_leaves(shape.member, item, (*path, index))
    elif shape.type_name == "string" and not getattr(shape, "enum", None):
        yield path


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = list(value) if isinstance(value, list) else dict(value)
    copy[head] = _replace(value[head], rest, new) if rest else new  # a leaf may be new
    return copy


def _surrogate_cases() -> Iterator[tuple[str, str, str, bytes]]:
    for service, prefix, operation in OPERATIONS:
        shape = _input_shape(prefix, operation)
        body = minimal_body(prefix, operation)
        paths = set(_string_leaves(shape, body, ()))
        paths |= {
            (name,)
            for name, member in shape.members.items()
            if member.type_name == "string" and not getattr(member, "enum", None)
        }
        for path in sorted(paths, key=str):
            where = ".".join(str(part) for part in path)
            case_id = f"{_op_id(service, operation)}-{where}"
            payload = json.dumps(_replace(body, path, LONE_SURROGATE)).encode()
            yield case_id, prefix, operation, payload


SURROGATE_CASES = list(_surrogate_cases())


@pytest.mark.parametrize(
    ("prefix", "operation", "body"),
    [case[1:] for case in SURROGATE_CASES],
    ids=[case[0] for case in SURROGATE_CASES],
)
def test_lone_surrogate_in_a_string_is_never_a_fault(seeded, prefix, operation, body):
    """``"\\ud800"`` is valid JSON but not encodable as UTF-8: a 4xx or a success, never a 500."""
    assert b"\\ud800" in body
    assert_not_a_fault(send(seeded, f"{prefix}.{operation}", body))


# -- the wire: targets, methods, bodies, headers ------------------------------------------------

KMS_DESCRIBE = "TrentService.DescribeKey"


@pytest.mark.parametrize(
    "target",
    [
        "NoSuchService_20990101.DoThing",
        "NoSuchService",
        "",
        ".",
        "TrentService.NoSuchOperation",
        "TrentService.",
        "TrentService",
        "Firehose_20150804.UpdateDestinationBogus",
        "Kinesis_20131202.describeStream",
        "trentservice.DescribeKey",
        'Bad"Quote\\Target',
        "x" * 10_000,
    ],
    ids=[
        "unknown-prefix",
        "prefix-without-operation",
        "empty-target",
        "lone-dot",
        "kms-unknown-operation",
        "kms-empty-operation",
        "kms-no-dot",
        "firehose-unknown-operation",
        "kinesis-operation-in-lower-camel-case",
        "kms-prefix-in-lower-case",
        "quote-and-backslash-in-target",
        "huge-target",
    ],
)
def test_unknown_target_answers_unknown_operation(cloud, target):
    assert_aws_error(send(cloud, target, b"{}"), "UnknownOperationException")


@pytest.mark.parametrize(
    ("prefix", "operation"),
    [(prefix, operation) for _, prefix, operation in UNIMPLEMENTED],
    ids=[_op_id(service, operation) for service, _, operation in UNIMPLEMENTED],
)
def test_modelled_but_unimplemented_operation_answers_unknown_operation(cloud, prefix, operation):
    assert_aws_error(send(cloud, f"{prefix}.{operation}", b"{}"), "UnknownOperationException")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD", "PATCH"])
def test_non_post_with_a_target_is_refused(cloud, method):
    assert_aws_error(send(cloud, KMS_DESCRIBE, b"{}", method), "UnknownOperationException")


NO_REQUIRED = [
    (service, prefix, operation)
    for service, prefix, operation in OPERATIONS
    if not _input_shape(prefix, operation).required_members
]


@pytest.mark.parametrize(
    ("prefix", "operation"),
    [(prefix, operation) for _, prefix, operation in NO_REQUIRED],
    ids=[_op_id(service, operation) for service, _, operation in NO_REQUIRED],
)
@pytest.mark.parametrize("body", [b"", b"{}"], ids=["empty-body", "empty-object"])
def test_no_required_members_succeeds_or_answers_4xx(seeded, prefix, operation, body):
    assert_not_a_fault(send(seeded, f"{prefix}.{operation}", body))


def test_empty_body_with_required_members_is_a_validation_error(cloud):
    document = assert_aws_error(send(cloud, KMS_DESCRIBE, b""), "ValidationException")
    assert "Value null at 'keyId' failed to satisfy constraint" in document["message"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"KeyId":' * 100_000,
        b'{"KeyId": "a", "GrantTokens": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    ],
    ids=["deep-array", "deep-object", "deep-list-member"],
)
def test_deeply_nested_json_is_a_serialization_error(cloud, body):
    """JSON nested far beyond any shape is malformed input, not an internal failure."""
    assert_aws_error(send(cloud, KMS_DESCRIBE, body), "SerializationException")


@pytest.mark.parametrize(
    ("target", "body"),
    [
        (KMS_DESCRIBE, b"\xff\xfe\xfd"),
        (KMS_DESCRIBE, b'{"KeyId": "\xc3\x28"}'),
        (KMS_DESCRIBE, b"\x00\x00\x00{"),
        (KMS_DESCRIBE, b'{"KeyId": "a"} trailing'),
        (KMS_DESCRIBE, b'{"KeyId": "a"}{"KeyId": "b"}'),
        (KMS_DESCRIBE, b'{"KeyId": "a", "KeyId": 5}'),  # the last duplicate wins: a number
        (KMS_DESCRIBE, b"NaN"),
        ("TrentService.ListKeys", b'{"Limit": Infinity}'),
        ("TrentService.ListKeys", b'{"Limit": 1e400}'),
        ("TrentService.ListKeys", b'{"Limit": "10"}'),
    ],
    ids=[
        "invalid-utf8",
        "invalid-utf8-in-string",
        "nul-bytes",
        "trailing-garbage",
        "two-documents",
        "duplicate-member-wrong-type",
        "nan-body",
        "infinity-integer",
        "overflowing-integer",
        "integer-as-string",
    ],
)
def test_malformed_json_is_a_serialization_error(cloud, target, body):
    assert_aws_error(send(cloud, target, body), "SerializationException")


def test_ten_megabytes_of_a_is_refused(cloud):
    assert_aws_error(send(cloud, "Firehose_20150804.PutRecord", b"a" * 10 * 1024 * 1024))


def test_huge_header_values_do_not_break_the_service(cloud):
    headers = {
        "x-amz-target": KMS_DESCRIBE,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-date": "9" * 100_000,
        "authorization": "AWS4-HMAC-SHA256 " + "A" * 100_000,
        "user-agent": "u" * 100_000,
        "x-amz-security-token": "\u2603" * 10_000,
    }
    response = cloud.app.handle(Request("POST", "/", "", headers, b'{"KeyId": "alias/none"}'))
    assert_aws_error(response, "NotFoundException")


def test_wrong_content_type_is_still_an_aws_error(cloud):
    headers = {"x-amz-target": KMS_DESCRIBE, "content-type": "text/plain"}
    assert_aws_error(cloud.app.handle(Request("POST", "/", "", headers, b"{not json")))


# -- Content-Length through the WSGI callable ---------------------------------------------------


def call_wsgi(cloud: ReferenceCloud, body: bytes, length: str | None) -> Response:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-amz-json-1.1",
        "HTTP_X_AMZ_TARGET": KMS_DESCRIBE,
        "wsgi.input": io.BytesIO(body),
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    payload = b"".join(cloud.app(environ, start_response))
    return Response(seen["status"], seen["headers"], payload)


@pytest.mark.parametrize(
    ("length", "code"),
    [
        (None, "ValidationException"),  # no length: no body, so KeyId is missing
        ("", "ValidationException"),
        ("0", "ValidationException"),
        ("-1", None),
        ("abc", None),
        ("1e3", None),
        (" ", None),
        ("5", "SerializationException"),  # cut short: not JSON
        ("100", "IncompleteBody"),  # longer than the body: cut short, never taken as whole
    ],
    ids=[
        "missing",
        "empty",
        "zero",
        "negative",
        "non-numeric",
        "exponent",
        "blank",
        "short",
        "long",
    ],
)
def test_content_length_edge_cases(cloud, length, code):
    response = call_wsgi(cloud, b'{"KeyId": "a"}', length)
    assert response.status == 400
    assert response.headers["Content-Length"] == str(len(response.body))
    assert_aws_error(response, code)


def test_ten_megabytes_of_a_through_wsgi_is_a_serialization_error(cloud):
    """Under the 16 MiB cap the body is read and parsed: not JSON, so a 400."""
    body = b"a" * 10 * 1024 * 1024
    assert_aws_error(call_wsgi(cloud, body, str(len(body))), "SerializationException")


def test_content_length_over_the_limit_is_413(cloud):
    response = call_wsgi(cloud, b"{}", str(MAX_BODY_BYTES + 1))
    assert response.status == 413
    assert_aws_error(response)
