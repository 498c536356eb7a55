"""Target options and endpoint URLs: parsed and checked once for every command and target."""

from __future__ import annotations

import pytest

from firehose_conformance.aws_clients import check_endpoint_url
from firehose_conformance.errors import UsageError
from firehose_conformance.targets.options import parse_target_options


def test_key_value_pairs_with_dashes_read_as_underscores() -> None:
    given = ["endpoint-url=http://h:1/?a=b", "region=eu-west-1", "empty="]
    assert parse_target_options(given) == {
        "endpoint_url": "http://h:1/?a=b",
        "region": "eu-west-1",
        "empty": "",
    }


@pytest.mark.parametrize("bad", ["novalue", "=value"])
def test_a_pair_without_a_key_is_one_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match=f"--target-option expects KEY=VALUE, got '{bad}'"):
        parse_target_options([bad])


@pytest.mark.parametrize(
    ("url", "problem"),
    [("ftp://h", "must be an http:// or https:// URL"), ("http://h:99999", "has a bad port")],
)
def test_a_bad_endpoint_url_is_named_as_the_user_gave_it(url: str, problem: str) -> None:
    assert check_endpoint_url("https://h:443") == "https://h:443"
    with pytest.raises(ValueError, match=f"--endpoint-url {problem}"):
        check_endpoint_url(url, "--endpoint-url")
