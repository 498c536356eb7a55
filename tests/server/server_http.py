"""Small HTTP helpers for the server tests: raw requests, the control plane, boto3 clients."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from reference_impl.aws_models import PinnedSession, raw_model

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/firehose-delivery"
CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    s3={"addressing_style": "path"},
    connect_timeout=5,
    read_timeout=30,
)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 15.0,
) -> Answer:
    """One request on a fresh connection, read to the end (bounded by ``timeout``)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()


def raw(port: int, data: bytes, *, half_close: bool = True, timeout: float = 15.0) -> bytes:
    """Send bytes as they are (a malformed request), then read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer and close before it has read everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        if half_close:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP/1.x answer (0 when there is none)."""
    line = answer.split(b"\r\n", 1)[0].split()
    return int(line[1]) if len(line) >= 2 and line[0].startswith(b"HTTP/1.") else 0


def control(port: int, path: str, body: Any = None) -> Answer:
    method = "GET" if body is None else "POST"
    data = b"" if body is None else json.dumps(body).encode()
    return request(port, method, f"/_reference/{path}", data, {"Content-Type": "application/json"})


# Clients load the vendored model snapshot, as every client the project makes does.
_SESSION = PinnedSession(
    aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
)
_SESSION_LOCK = threading.Lock()  # a boto3 session is not safe to make clients from in threads


def client(url: str, service: str, **config: Any) -> Any:
    """A boto3 client for the server at ``url`` (one shared session: models load once)."""
    merged = CLIENT_CONFIG.merge(Config(**config)) if config else CLIENT_CONFIG
    with _SESSION_LOCK:
        return _SESSION.client(service, endpoint_url=url, config=merged)


def cbor_cloudwatch(url: str, models_dir: Path) -> Any:
    """A boto3 CloudWatch client that speaks smithy-rpc-v2-cbor (botocore picks AWS JSON).

    botocore supports the protocol; the client is made from a copy of the snapshot's model
    (reference_impl.aws_models) whose ``protocols`` lists only CBOR, found through the session's
    ``data_path`` (searched before botocore's own data).
    """
    model = json.loads(json.dumps(raw_model("cloudwatch")))  # a deep copy
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    model["metadata"]["protocol"] = "smithy-rpc-v2-cbor"
    where = models_dir / "cloudwatch" / model["metadata"]["apiVersion"]
    where.mkdir(parents=True, exist_ok=True)
    (where / "service-2.json").write_text(json.dumps(model))
    core = botocore.session.get_session()
    core.set_config_variable("data_path", str(models_dir))
    boto = boto3.session.Session(
        botocore_session=core,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=REGION,
    )
    made = boto.client("cloudwatch", endpoint_url=url, config=CLIENT_CONFIG)
    assert made.meta.service_model.resolved_protocol == "smithy-rpc-v2-cbor"
    return made


def s3_destination(bucket: str, seconds: int = 60, size_mb: int = 1) -> dict[str, Any]:
    return {
        "RoleARN": ROLE,
        "BucketARN": f"arn:aws:s3:::{bucket}",
        "BufferingHints": {"SizeInMBs": size_mb, "IntervalInSeconds": seconds},
    }


SERVER_START_TIMEOUT = 30.0
_SERVING = re.compile(r"serving on (http://127\.0\.0\.1:\d+)")


@dataclass
class Spawned:
    """A server in its own process; its log (stderr) goes to a file, so no pipe ever fills."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise
        return self.process.returncode


def spawn(command: list[str], log: Path) -> Spawned:
    """Start ``command`` (which logs "serving on URL" to stderr) and wait until it serves."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=sink, stdin=subprocess.DEVNULL
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        found = _SERVING.search(log.read_text(errors="replace"))
        if found:
            return Spawned(process, found.group(1), log)
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}): {log.read_text()}")
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError(f"the server did not start within {SERVER_START_TIMEOUT:g} s")


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "reference_impl", "--port", "0", *args]
