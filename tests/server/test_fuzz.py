"""Fuzzing the HTTP surface of the served reference with Hypothesis.

Random and truncated bodies, wrong content types, unknown targets and paths, malformed CBOR, huge
and numerous headers, payloads up to and past the documented limits. Every answer must be a
well-formed 4xx in the protocol's own error form (AWS JSON ``__type``, S3 XML ``<Error>``, CBOR
``__type``) or a 2xx whose body parses; never a 5xx, never a hang (every socket has a timeout); and
the server keeps serving afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import string
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_http import control

from reference_impl.aws_models import service_model
from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions
from reference_impl.wire.wsgi import MAX_BODY_BYTES

pytestmark = pytest.mark.slow

EXAMPLES = 2000
SOCKET_TIMEOUT = 20.0
MIB = 1024 * 1024
CBOR_SERVICE = "GraniteServiceVersion20100801"

# Targets and member names come from the vendored model snapshot, which the server validates
# against (never the installed botocore's models).
_MODELS = {name: service_model(name) for name in ("firehose", "kms", "kinesis", "cloudwatch")}
TARGETS = sorted(
    f"{model.metadata['targetPrefix']}.{operation}"
    for model in _MODELS.values()
    for operation in model.operation_names
)
MEMBERS = sorted(
    {
        name
        for model in _MODELS.values()
        for operation in model.operation_names
        if model.operation_model(operation).input_shape is not None
        for name in model.operation_model(operation).input_shape.members
    }
)
CW_OPERATIONS = sorted(_MODELS["cloudwatch"].operation_names)
CONTENT_TYPES = [
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.0",
    "application/json",
    "application/cbor",
    "application/xml",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data; boundary=x",
    "",
]


@pytest.fixture(scope="module")
def live() -> Iterator[ReferenceServer]:
    with ReferenceServer(ServerOptions(port=0, clock=ClockMode.MANUAL)) as server:
        yield server


# ---- building requests -------------------------------------------------------------------------
@dataclass
class Sent:
    method: str
    path: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    declared_length: int | None = None  # Content-Length, when not len(body)
    chunked: bool = False
    kind: str = ""

    def __repr__(self) -> str:  # short: Hypothesis shows it, and headers may be 100 kB
        headers = [
            (n, v if len(v) <= 80 else f"{v[:40]}...({len(v)} chars)") for n, v in self.headers[:20]
        ]
        more = f" +{len(self.headers) - 20} headers" if len(self.headers) > 20 else ""
        return (
            f"Sent({self.kind}: {self.method} {self.path[:200]!r} headers={headers}{more} "
            f"body={self.body[:200]!r}{'...' if len(self.body) > 200 else ''} "
            f"({len(self.body)} B) declared={self.declared_length} chunked={self.chunked})"
        )

    def wire(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        body = self.body
        if self.chunked:
            lines.append("Transfer-Encoding: chunked")
            body = (f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n") if body else b"0\r\n"
        else:
            length = len(body) if self.declared_length is None else self.declared_length
            lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _documents(scalar: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Documents two levels deep at most (st.recursive is ten times slower to draw from)."""
    keys = st.sampled_from(MEMBERS) | st.text(max_size=10)
    inner = scalar | st.lists(scalar, max_size=3) | st.dictionaries(keys, scalar, max_size=3)
    return st.one_of(scalar, st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5))


# Integers past a double's range (and past int64) are valid JSON and CBOR (bignums).
huge_integers = st.sampled_from([10**400, -(10**400), 2**64, -(2**63) - 1])
json_values = _documents(
    st.none() | st.booleans() | st.integers() | huge_integers | st.floats() | st.text(max_size=40)
)
cbor_values = _documents(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | huge_integers
    | st.floats()
    | st.text(max_size=40)
    | st.binary(max_size=40)
    | st.builds(lambda n: cbor2.CBORTag(1, n), st.integers(-(2**40), 2**40) | st.floats())
)


@st.composite
def bodies(draw: st.DrawFn, *, cbor: bool = False) -> bytes:
    how = draw(st.sampled_from(["random", "document", "members", "truncated", "empty"]))
    if how == "random":
        return draw(st.binary(max_size=2048))
    if how == "empty":
        return b""
    values = cbor_values if cbor else json_values
    if how == "members":  # the right members with values of random types
        names = draw(st.lists(st.sampled_from(MEMBERS), max_size=6))
        document = {name: draw(values) for name in names}
    else:
        document = draw(values)
    data = _dump(document, cbor)
    if how == "truncated" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    return data


def _dump(document: object, cbor: bool) -> bytes:
    if cbor:
        return cbor2.dumps(document)
    return json.dumps(document, allow_nan=True).encode()


path_text = st.text(string.ascii_letters + string.digits + "-._~/%!$&'()*+,;=:@?#", max_size=60)


@st.composite
def json_requests(draw: st.DrawFn) -> Sent:
    target = draw(st.sampled_from(TARGETS) | st.text(max_size=60).map(_header_safe))
    content_type = draw(st.sampled_from(CONTENT_TYPES))
    method = draw(st.sampled_from(["POST"] * 6 + ["GET", "PUT", "DELETE"]))
    headers = [("X-Amz-Target", target)]
    if content_type:
        headers.append(("Content-Type", content_type))
    path = draw(st.sampled_from(["/", "/", "/", "/x", "/?Action=List"]))
    return Sent(method, path, headers, draw(bodies()), kind="json")


@st.composite
def cbor_requests(draw: st.DrawFn) -> Sent:
    service = draw(st.sampled_from([CBOR_SERVICE] * 4 + ["Firehose_20150804", "Nope"]))
    operation = draw(st.sampled_from(CW_OPERATIONS) | st.text(string.ascii_letters, max_size=20))
    headers = [("smithy-protocol", draw(st.sampled_from(["rpc-v2-cbor"] * 5 + ["rpc-v2-json"])))]
    content_type = draw(st.sampled_from(["application/cbor"] * 4 + CONTENT_TYPES))
    if content_type:
        headers.append(("Content-Type", content_type))
    method = draw(st.sampled_from(["POST"] * 6 + ["GET", "PUT"]))
    path = f"/service/{quote(service)}/operation/{quote(operation, safe='')}"
    return Sent(method, path, headers, draw(bodies(cbor=True)), kind="cbor")


@st.composite
def s3_requests(draw: st.DrawFn) -> Sent:
    method = draw(st.sampled_from(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]))
    bucket = draw(st.sampled_from(["", "fuzz-bucket", "Bad_Bucket", "ab"]) | st.text(max_size=20))
    key = draw(st.text(max_size=40))
    query = draw(st.sampled_from(["", "?list-type=2", "?uploads", "?acl", "?max-keys=-1"]))
    path = "/" + quote(bucket) + ("/" + quote(key) if key else "") + query
    headers = []
    for name, values in (
        ("Content-Type", CONTENT_TYPES),
        ("Content-MD5", ["", "bad", base64.b64encode(b"0" * 16).decode()]),
        ("x-amz-content-sha256", ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x"]),
        ("x-amz-copy-source", ["", "/fuzz-bucket/k", "nonsense"]),
    ):
        value = draw(st.sampled_from([None, *values]))
        if value is not None:
            headers.append((name, value))
    return Sent(method, path, headers, draw(bodies()), kind="s3")


@st.composite
def control_requests(draw: st.DrawFn) -> Sent:
    name = draw(
        st.sampled_from(["health", "clock", "clock/advance", "at-rest", "kms/delete-key", ""])
        | path_text.map(lambda t: quote(t, safe="/"))
    )
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]))
    body = draw(
        bodies()
        | st.builds(lambda s: json.dumps({"seconds": s}).encode(), st.floats(-1e6, 1e6))
        | st.builds(lambda k: json.dumps({"KeyId": k}).encode(), st.text(max_size=30))
    )
    return Sent(
        method, f"/_reference/{name}", [("Content-Type", "application/json")], body, kind="control"
    )


@st.composite
def odd_requests(draw: st.DrawFn) -> Sent:
    """Unknown paths, huge or numerous headers, cut-short and chunked bodies."""
    base = draw(st.one_of(json_requests(), cbor_requests(), s3_requests()))
    twist = draw(st.sampled_from(["path", "huge-header", "many-headers", "short", "chunked"]))
    if twist == "path":
        base.path = "/" + quote(draw(path_text), safe="/?=&")
    elif twist == "huge-header":
        size = draw(st.sampled_from([1000, 8000, 65000, 66000, 100_000]))
        base.headers.append(("X-Fuzz", "v" * size))
    elif twist == "many-headers":
        count = draw(st.integers(50, 130))
        base.headers += [(f"X-Fuzz-{i}", "v") for i in range(count)]
    elif twist == "short":
        base.declared_length = len(base.body) + draw(st.integers(1, 10_000))
    else:
        base.chunked = True
    base.kind += f"+{twist}"
    return base


def _header_safe(text: str) -> str:
    return (
        "".join(c for c in text if c.isprintable() and c not in "\r\n")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


any_request = st.one_of(
    json_requests(), cbor_requests(), s3_requests(), control_requests(), odd_requests()
)


# ---- reading and judging answers ---------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(port: int, sent: Sent) -> Answer:
    """Send, half-close, read until the answer is complete (or EOF), within SOCKET_TIMEOUT."""
    head_request = sent.method == "HEAD"
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_TIMEOUT) as sock:
        # The server may answer and close before reading everything (e.g. headers too large).
        with contextlib.suppress(OSError):
            sock.sendall(sent.wire())
            sock.shutdown(socket.SHUT_WR)
        data = bytearray()
        while not _complete(bytes(data), head_request):
            try:
                chunk = sock.recv(1 << 16)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
    return parse_answer(bytes(data), head_request=head_request)


def _complete(data: bytes, head_request: bool) -> bool:
    """True once ``data`` holds a final answer whose body is all there (by Content-Length)."""
    try:
        answer = parse_answer(data, head_request=head_request)
    except (AssertionError, ValueError, IndexError):
        return False
    return "content-length" in answer.headers or head_request


def parse_answer(data: bytes, *, head_request: bool) -> Answer:
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"no complete HTTP answer: {data[:200]!r}"
        lines = head.decode("latin-1").split("\r\n")
        version, status_text = lines[0].split(" ", 2)[:2]
        assert version in ("HTTP/1.0", "HTTP/1.1"), lines[0]
        status = int(status_text)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= status < 200:  # 100 Continue before the real answer
            data = rest
            continue
        if head_request:
            return Answer(status, headers, b"")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return Answer(status, headers, _dechunk(rest))
        length = int(headers.get("content-length", len(rest)))
        assert len(rest) >= length, f"answer cut short: {len(rest)} of {length} bytes"
        return Answer(status, headers, rest[:length])


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


def check(sent: Sent, answer: Answer) -> None:
    where = f"{sent.kind} {sent.method} {sent.path[:80]!r} -> {answer.status}"
    assert answer.status < 500, f"{where}: a 5xx: {answer.body[:300]!r}"
    assert 200 <= answer.status < 300 or 400 <= answer.status < 500, where
    content_type = answer.headers.get("content-type", "").split(";")[0]
    if answer.status >= 400:
        if sent.method == "HEAD" and not answer.body:
            return  # S3 answers HEAD errors with no body, as AWS does
        assert answer.body, f"{where}: a 4xx without an error body"
        assert error_code(content_type, answer.body), f"{where}: {answer.body[:300]!r}"
        return
    if answer.body:
        parse_body(content_type, answer.body)


def error_code(content_type: str, body: bytes) -> str:
    """The code of a well-formed error document, in whichever protocol it came."""
    if content_type == "application/cbor":
        document = cbor2.loads(body)
        assert isinstance(document.get("message"), str)
        return str(document["__type"])
    if content_type == "application/xml":
        root = ET.fromstring(body)
        assert root.tag == "Error", root.tag
        assert root.findtext("Message") is not None
        return root.findtext("Code") or ""
    assert content_type.startswith("application/") and "json" in content_type, content_type
    document = json.loads(body)
    assert isinstance(document.get("message"), str)
    return str(document["__type"])


def parse_body(content_type: str, body: bytes) -> None:
    if content_type == "application/cbor":
        cbor2.loads(body)
    elif content_type == "application/xml":
        ET.fromstring(body)
    elif "json" in content_type:
        json.loads(body)


def assert_healthy(port: int) -> None:
    answer = control(port, "health")
    assert answer.status == 200 and answer.json()["status"] == "ok"


# ---- the tests --------------------------------------------------------------------------------
def test_every_answer_is_a_well_formed_4xx_or_2xx(live: ReferenceServer) -> None:
    kinds: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(sent=any_request)
    def one_request(sent: Sent) -> None:
        kinds[sent.kind.split("+")[0]] += 1
        check(sent, exchange(live.port, sent))

    one_request()
    assert sum(kinds.values()) >= EXAMPLES, kinds
    assert set(kinds) == {"json", "cbor", "s3", "control"}, kinds
    assert_healthy(live.port)


def _batch(records: int, size: int) -> bytes:
    data = base64.b64encode(b"r" * size).decode()
    document = {"DeliveryStreamName": "fuzz", "Records": [{"Data": data}] * records}
    return json.dumps(document).encode()


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shape=st.sampled_from(
        [
            (1, 1_024_000),  # one record of the documented maximum (1,000 KiB)
            (1, 1_024_001),  # one byte past it
            (4, 1_024_000),  # 4,000 KiB in total: under 4 MiB
            (5, 1_024_000),  # past the 4 MiB per request
            (500, 8_000),  # 500 records: the maximum count
            (501, 10),  # past it
            (12, 1_024_000),  # a body past the server's 16 MiB bound: 413
        ]
    ),
    target=st.sampled_from(["Firehose_20150804.PutRecordBatch", "Kinesis_20131202.PutRecords"]),
)
def test_payloads_up_to_and_past_the_limits(
    live: ReferenceServer, shape: tuple[int, int], target: str
) -> None:
    body = _batch(*shape)
    sent = Sent(
        "POST",
        "/",
        [("X-Amz-Target", target), ("Content-Type", "application/x-amz-json-1.1")],
        body,
        kind="big",
    )
    answer = exchange(live.port, sent)
    check(sent, answer)
    if len(body) > MAX_BODY_BYTES:
        assert answer.status == 413
    else:
        assert answer.status in (400, 200), answer.status


def test_a_claimed_length_far_past_the_bound_is_refused_unread(live: ReferenceServer) -> None:
    sent = Sent(
        "POST",
        "/",
        [("X-Amz-Target", "Firehose_20150804.PutRecordBatch")],
        b"{",
        declared_length=64 * MIB,
        kind="claimed",
    )
    answer = exchange(live.port, sent)
    assert answer.status == 413


def test_the_server_keeps_serving_after_the_fuzzing(live: ReferenceServer) -> None:
    assert_healthy(live.port)
    # And it still does real work: a stream created and listed.
    from server_http import client, s3_destination

    live.cloud.reset()
    client(live.url, "s3").create_bucket(Bucket="after-fuzz")
    fh = client(live.url, "firehose")
    fh.create_delivery_stream(
        DeliveryStreamName="after",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=s3_destination("after-fuzz"),
    )
    assert fh.list_delivery_streams()["DeliveryStreamNames"] == ["after"]
