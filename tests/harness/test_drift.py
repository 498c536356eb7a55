"""``firehose-conformance drift``: synthetic "newer" models built from the snapshot in tmp dirs."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore
import pytest

from firehose_conformance.cli import main
from firehose_conformance.errors import UsageError
from firehose_conformance.model_dir import load_models
from firehose_conformance.reference_surface import implemented_operations, reachable_shapes
from reference_impl.aws_models import SNAPSHOT, raw_model

Models = dict[str, dict[str, Any]]
NARROW_KEY_ARN = r"arn:aws:kms:[a-z0-9-]+:\d{12}:key/[a-f0-9-]{36}"


def newer(tmp_path: Path, edit: Callable[[Models], None] = lambda models: None) -> Path:
    """A models directory holding the snapshot's models after ``edit``, as plain JSON."""
    models = {service: copy.deepcopy(raw_model(service)) for service in SNAPSHOT.services}
    edit(models)
    root = tmp_path / "models"
    for service, document in models.items():
        folder = root / service / SNAPSHOT.services[service].api_version
        folder.mkdir(parents=True)
        (folder / "service-2.json").write_text(json.dumps(document), encoding="utf-8")
    return root


def drift(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["drift", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def shapes(models: Models, service: str) -> dict[str, Any]:
    return models[service]["shapes"]


# ---- cited facts: the exit code --------------------------------------------------------------
def test_identical_models_change_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, _ = drift(capsys, "--models", str(newer(tmp_path)))
    assert code == 0
    assert "no cited fact changed" in out
    assert out.rstrip().endswith("no change")


def test_a_narrowed_key_arn_pattern_names_key06(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    def narrow(models: Models) -> None:
        shapes(models, "firehose")["AWSKMSKeyARNForSSE"]["pattern"] = NARROW_KEY_ARN

    code, out, _ = drift(capsys, "--models", str(newer(tmp_path, narrow)))
    assert code == 1
    path = "firehose:DeliveryStreamEncryptionConfigurationInput.KeyARN.pattern  [KEY-06]"
    assert path in out
    assert f':key/[a-zA-Z_0-9+=,.@\\-_/]+" -> "{NARROW_KEY_ARN}"' in out
    assert "firehose:AWSKMSKeyARNForSSE.pattern" in out  # the surface shows the shape itself


def test_a_member_made_optional_is_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    def optional(models: Models) -> None:
        shapes(models, "firehose")["DeliveryStreamEncryptionConfigurationInput"]["required"] = []

    code, out, _ = drift(capsys, "--models", str(newer(tmp_path, optional)))
    assert code == 1
    assert "firehose:DeliveryStreamEncryptionConfigurationInput.required  [KEY-03]" in out
    assert "removed KeyType" in out


def test_an_enum_value_added_is_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    def add(models: Models) -> None:
        shapes(models, "kms")["KeySpec"]["enum"].append("ML_KEM_2048")

    code, out, _ = drift(capsys, "--models", str(newer(tmp_path, add)))
    assert code == 1
    assert "kms:KeySpec.enum  [KEY-10]\n    added ML_KEM_2048\n" in out


def test_an_operation_removed_is_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    def remove(models: Models) -> None:
        del models["firehose"]["operations"]["StopDeliveryStreamEncryption"]

    code, out, _ = drift(capsys, "--models", str(newer(tmp_path, remove)))
    assert code == 1
    assert "firehose:StopDeliveryStreamEncryption.errors  [API-03]" in out
    assert "firehose:StopDeliveryStreamEncryption.documentation  [SSE-07, SSE-08" in out
    assert "firehose:StopDeliveryStreamEncryption: operation removed" in out


def test_a_changed_documentation_says_whether_the_quotes_still_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    def reword(models: Models) -> None:
        member = shapes(models, "firehose")["DeliveryStreamEncryptionConfigurationInput"]
        member["members"]["KeyARN"]["documentation"] = "<p>The ARN of the KMS key.</p>"

    code, out, _ = drift(capsys, "--models", str(newer(tmp_path, reword)))
    assert code == 1
    assert "documentation changed (the quote no longer agrees: KEY-04, KEY-05)" in out


def test_surface_changes_alone_keep_exit_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    def widen(models: Models) -> None:  # a shape the reference reaches, cited by no requirement
        shapes(models, "kms")["GrantOperation"]["enum"].append("Rotate")

    code, out, _ = drift(capsys, "--models", str(newer(tmp_path, widen)))
    assert code == 0
    assert "no cited fact changed" in out
    assert "  kms:GrantOperation.enum: added Rotate" in out


@pytest.mark.skipif(
    botocore.__version__ != SNAPSHOT.botocore, reason="the installed botocore is not the snapshot's"
)
def test_the_installed_botocore_is_the_snapshot(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = drift(capsys)
    assert code == 0
    assert "no cited fact changed" in out


# ---- bad usage: one line, exit 2 -------------------------------------------------------------
def test_an_unknown_directory_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, out, err = drift(capsys, "--models", str(tmp_path / "absent"))
    assert (code, out) == (2, "")
    assert err == f"firehose-conformance: error: models directory not found: {tmp_path}/absent\n"


def test_a_missing_service_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    models = newer(tmp_path)
    for file in (models / "kms").rglob("*"):
        if file.is_file():
            file.unlink()
    code, _, err = drift(capsys, "--models", str(models))
    assert code == 2
    assert err.count("\n") == 1 and "no model for service 'kms'" in err


def test_an_unreadable_model_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    models = newer(tmp_path)
    (models / "sts" / SNAPSHOT.services["sts"].api_version / "service-2.json").write_text("{")
    code, _, err = drift(capsys, "--models", str(models))
    assert code == 2
    assert err.count("\n") == 1 and "not a readable service model" in err


# ---- the parts ---------------------------------------------------------------------------------
def test_the_newest_api_version_is_read_gzipped_or_not(tmp_path: Path) -> None:
    for version, document in (("2015-08-04", {"shapes": {"Old": {}}}), ("2099-01-01", None)):
        folder = tmp_path / "firehose" / version
        folder.mkdir(parents=True)
        if document is None:
            with gzip.open(folder / "service-2.json.gz", "wt", encoding="utf-8") as handle:
                json.dump({"shapes": {"New": {}}}, handle)
        else:
            (folder / "service-2.json").write_text(json.dumps(document))
    loaded = load_models(tmp_path, ["firehose"])["firehose"]
    assert (loaded.api_version, list(loaded.document["shapes"])) == ("2099-01-01", ["New"])
    with pytest.raises(UsageError, match="no model for service 'kms'"):
        load_models(tmp_path, ["kms"])


def test_the_reference_surface() -> None:
    firehose = raw_model("firehose")
    operations = implemented_operations("firehose", firehose)
    assert {"StartDeliveryStreamEncryption", "PutRecordBatch"} <= set(operations)
    assert "UpdateDestination" not in operations
    reached = reachable_shapes(firehose, operations)
    assert {"AWSKMSKeyARNForSSE", "DeliveryStreamFailureType", "InvalidKMSResourceException"} <= (
        reached
    )
    assert implemented_operations("s3", raw_model("s3")) == ()
