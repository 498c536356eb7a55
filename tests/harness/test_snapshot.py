"""The vendored model snapshot: intact, and the only models the project's clients use."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import boto3
import pytest

from reference_impl.aws_models import (
    SNAPSHOT,
    PinnedSession,
    raw_model,
    service_model,
    verify_files,
)

SERVICES = ("firehose", "kms", "kinesis", "cloudwatch", "s3", "sts")


def test_the_vendored_files_are_the_recorded_bytes() -> None:
    assert sorted(SNAPSHOT.services) == sorted(SERVICES)
    assert verify_files() == []


def test_a_changed_file_is_noticed(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(SNAPSHOT.data_dir, copy)
    target = copy / "firehose" / SNAPSHOT.services["firehose"].api_version / "service-2.json.gz"
    target.write_bytes(target.read_bytes() + b"\0")
    doctored = type(SNAPSHOT)(**{**SNAPSHOT.__dict__, "data_dir": copy})
    assert verify_files(doctored) == [f"{target}: sha256 differs from snapshot.toml"]


def test_service_model_is_built_from_the_snapshot_alone() -> None:
    model = service_model("firehose")
    assert model.api_version == SNAPSHOT.services["firehose"].api_version
    pattern = raw_model("firehose")["shapes"]["AWSKMSKeyARNForSSE"]["pattern"]
    assert model.shape_for("AWSKMSKeyARNForSSE").metadata["pattern"] == pattern


def _doctored_botocore(root: Path) -> Path:
    """A stand-in for another botocore's data: the KeyARN pattern changed, and a newer API
    version of Firehose beside the snapshot's."""
    model = json.loads(json.dumps(raw_model("firehose")))
    model["shapes"]["AWSKMSKeyARNForSSE"]["pattern"] = "changed"
    for version in (SNAPSHOT.services["firehose"].api_version, "2099-01-01"):
        folder = root / "firehose" / version
        folder.mkdir(parents=True)
        with gzip.open(folder / "service-2.json.gz", "wt", encoding="utf-8") as handle:
            json.dump({**model, "metadata": {**model["metadata"], "apiVersion": version}}, handle)
    return root


def _pattern(session: boto3.session.Session) -> tuple[str, str]:
    client = session.client("firehose", region_name="us-east-1")
    model = client.meta.service_model
    return model.api_version, model.shape_for("AWSKMSKeyARNForSSE").metadata.get("pattern", "")


def test_clients_use_the_snapshot_whatever_botocore_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS_DATA_PATH goes before botocore's own data, so the stand-in is what an unpinned
    # session loads: a newer botocore, or a user's model override, would be in the same place.
    other = _doctored_botocore(tmp_path / "botocore-data")
    monkeypatch.setenv("AWS_DATA_PATH", str(other))
    plain = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b")
    assert _pattern(plain) == ("2099-01-01", "changed")  # the stand-in is really in the way
    pinned = PinnedSession(aws_access_key_id="a", aws_secret_access_key="b")
    expected = raw_model("firehose")["shapes"]["AWSKMSKeyARNForSSE"]["pattern"]
    assert _pattern(pinned) == (SNAPSHOT.services["firehose"].api_version, expected)


def test_a_missing_profile_fails_when_the_session_is_made() -> None:
    from botocore.exceptions import ProfileNotFound

    with pytest.raises(ProfileNotFound):
        PinnedSession(profile_name="no-such-profile-anywhere")
