"""moto's reset, ``POST /moto-api/reset``, is the reference server's reset too.

moto's own server-mode tests (``TEST_SERVER_MODE=true``) post it before each test, as
``moto.core.models.ServerModeMockAWS.reset`` does, and expect the server to start empty; without
it the state of one test leaks into the next (tests/server/test_moto_suite.py runs a few of them).
"""

from __future__ import annotations

from server_http import client, request

from reference_impl.clock import DEFAULT_START
from reference_impl.wire.server import ReferenceServer


def test_moto_reset_forgets_everything_and_answers_as_moto(fresh: ReferenceServer) -> None:
    kms = client(fresh.url, "kms")
    kms.create_key(Description="left over")
    client(fresh.url, "s3").create_bucket(Bucket="left-over")
    fresh.cloud.advance(90)
    answer = request(fresh.port, "POST", "/moto-api/reset")
    assert (answer.status, answer.json()) == (200, {"status": "ok"})
    assert answer.headers["content-type"] == "application/json"
    assert kms.list_keys()["Keys"] == []
    assert client(fresh.url, "s3").list_buckets()["Buckets"] == []
    assert fresh.cloud.clock.now() == DEFAULT_START.timestamp()


def test_moto_reset_with_a_trailing_slash_or_a_body_is_still_a_reset(
    fresh: ReferenceServer,
) -> None:
    client(fresh.url, "kms").create_key()
    answer = request(fresh.port, "POST", "/moto-api/reset/", b"{}")
    assert answer.status == 200
    assert client(fresh.url, "kms").list_keys()["Keys"] == []


def test_only_post_resets(fresh: ReferenceServer) -> None:
    client(fresh.url, "kms").create_key()
    answer = request(fresh.port, "GET", "/moto-api/reset")
    assert (answer.status, answer.json()["__type"]) == (405, "MethodNotAllowed")
    assert len(client(fresh.url, "kms").list_keys()["Keys"]) == 1


def test_the_rest_of_moto_api_is_not_offered(fresh: ReferenceServer) -> None:
    """Only the reset: the harness tells a moto server by its dashboard, which this is not."""
    for path in ("/moto-api/", "/moto-api/data.json"):
        assert request(fresh.port, "GET", path).status == 404
