"""moto's own server-mode tests run against the reference server, unchanged.

moto's ``mock_aws`` in server mode (``TEST_SERVER_MODE=true``) points every boto3 client at
``TEST_SERVER_MODE_ENDPOINT`` and posts ``/moto-api/reset`` before each test. A handful of moto's
Firehose and KMS test files are vendored in moto_suite/ (README there says whence); here they run
in a pytest of their own against a reference server, and each chosen test must end as expected:
the KMS tests pass (one of them, test_list_keys, only because the reset empties the server), and
moto's Firehose tests fail where their input is one AWS refuses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest

from reference_impl.clock import ClockMode
from reference_impl.wire.server import ReferenceServer, ServerOptions

SUITE = Path(__file__).resolve().parent / "moto_suite"
KMS = "tests/test_kms/test_kms.py"
PASSING = [
    f"{KMS}::test_describe_key[KeyId]",
    f"{KMS}::test_describe_key_via_alias",
    f"{KMS}::test_disable_key",
    f"{KMS}::test_enable_key",
    f"{KMS}::test_generate_data_key_decrypt",
    f"{KMS}::test_key_tag_on_create_key_happy",
    "tests/test_kms/test_kms_encrypt.py::test_encrypt_using_alias_name",
    "tests/test_kms/test_kms_encrypt.py::test_re_encrypt_using_aliases",
    # Last: it expects exactly the two keys it creates, so it passes only after a reset.
    f"{KMS}::test_list_keys",
]
ENCRYPTION = "tests/test_firehose/test_firehose_encryption.py"
# moto's sample destination names its bucket "arn:aws:s3::firehosetestbucket" (two colons where
# S3 ARNs have three), which fails the model's pattern; "?" fails the stream-name pattern, which
# AWS checks before it looks the stream up.
BAD_BUCKET_ARN = "Value 'arn:aws:s3::firehosetestbucket' at"
NAME_PATTERN = "'ValidationException' == 'ResourceNotFoundException'"
FAILING = {
    f"{ENCRYPTION}::test_firehose_without_encryption": BAD_BUCKET_ARN,
    f"{ENCRYPTION}::test_firehose_with_encryption": BAD_BUCKET_ARN,
    f"{ENCRYPTION}::test_start_encryption_on_unknown_stream": NAME_PATTERN,
    f"{ENCRYPTION}::test_stop_encryption_on_unknown_stream": NAME_PATTERN,
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with ReferenceServer(ServerOptions(port=0, clock=ClockMode.MANUAL)) as server:
        yield server.url


def moto_tests(url: str, nodeids: list[str], tmp: Path, **env: str) -> dict[str, str]:
    """Run moto's ``nodeids`` in server mode against ``url``: node id -> "passed", "skipped" or
    the failure's message."""
    report = tmp / "junit.xml"
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "TEST_SERVER"))
    }
    environment.update(
        TEST_SERVER_MODE="true",
        TEST_SERVER_MODE_ENDPOINT=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=str(tmp / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        **env,
    )
    command = [sys.executable, "-m", "pytest", "-c", "pytest.ini", f"--junitxml={report}", "-q"]
    subprocess.run(
        [*command, *nodeids], cwd=SUITE, env=environment, capture_output=True, timeout=300
    )
    outcomes = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/") + ".py"
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        if failure is not None:
            outcome = f"{failure.get('message', '')}\n{failure.text or ''}"
        else:
            outcome = "skipped" if case.find("skipped") is not None else "passed"
        outcomes[f"{module}::{case.get('name')}"] = outcome
    return outcomes


@pytest.mark.slow
def test_moto_s_tests_run_against_the_reference_server(url: str, tmp_path: Path) -> None:
    outcomes = moto_tests(url, [*PASSING, *FAILING], tmp_path)
    assert {n: outcomes.get(n) for n in PASSING} == dict.fromkeys(PASSING, "passed")
    for nodeid, why in FAILING.items():
        assert why in outcomes[nodeid], nodeid
    assert set(outcomes) == {*PASSING, *FAILING}


@pytest.mark.slow
def test_without_the_reset_state_leaks_into_the_next_test(url: str, tmp_path: Path) -> None:
    """MOTO_CALL_RESET_API=false: moto no longer posts the reset, and the tests find what the
    tests before them left (so the reset is what isolated them above)."""
    outcomes = moto_tests(url, PASSING, tmp_path, MOTO_CALL_RESET_API="false")
    leaked = {n: o.splitlines()[0] for n, o in outcomes.items() if o != "passed"}
    aliases = "tests/test_kms/test_kms_encrypt.py::test_re_encrypt_using_aliases"
    assert set(leaked) == {aliases, f"{KMS}::test_list_keys"}
    assert "AlreadyExistsException" in leaked[aliases]  # an alias an earlier test made
    assert leaked[f"{KMS}::test_list_keys"] == "AssertionError: assert 11 == 2"
