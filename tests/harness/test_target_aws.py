"""The aws target and ``sweep``, with moto_server on 127.0.0.1 standing in for AWS (STS, IAM,
S3, KMS, Kinesis, Firehose): the guards, the plan, names and tags, teardown after passing and
failing scenarios, on SIGTERM, and after a SIGKILL the sweep, which spares what it did not tag.

Nothing here can reach AWS: every target gets ``endpoint_url`` (loopback only) and dummy
credentials, and the environment sends every HTTPS request (AWS's own endpoints) to a proxy at a
closed local port.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from firehose_conformance import actions
from firehose_conformance.capabilities import Capability
from firehose_conformance.cli import main
from firehose_conformance.errors import TargetMisbehaved, UsageError
from firehose_conformance.resources import SYMMETRIC, PoolKey, RunPlan, ScenarioDemand
from firehose_conformance.results import read_results
from firehose_conformance.runner import Selection, run_suite
from firehose_conformance.shared_run import SharedRun
from firehose_conformance.targets import make_target
from firehose_conformance.targets.aws import AwsTarget
from firehose_conformance.targets.aws_resources import ROLE_PATH, TAG_KEY
from firehose_conformance.targets.base import KeyRef

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"  # what moto's STS answers
REGION = "eu-west-1"
FAST = {
    "transition_timeout": "5",
    "delivery_timeout": "5",
    "metric_timeout": "5",
    "grant_timeout": "5",
    "poll_initial": "0.2",
    "poll_max": "1",
}
LIVE_FLAGS = ["--allow-live-aws", "--account-id", ACCOUNT]


@pytest.fixture(autouse=True)
def nowhere_but_the_emulator(
    no_real_aws: None, closed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Besides dummy credentials, any client without an endpoint_url of its own goes through a
    proxy at a closed local port: a slip in the code under test cannot reach AWS. (Not
    AWS_ENDPOINT_URL: the harness's clients ignore it, and the aws target refuses it.)"""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", closed_url)
    monkeypatch.setenv("https_proxy", closed_url)


@pytest.fixture
def url(moto_url: str) -> str:
    return moto_url


def options(url: str, **extra: str) -> dict[str, str]:
    return {
        "endpoint_url": url,
        "allow_live_aws": "yes",
        "account_id": ACCOUNT,
        "region": REGION,
        **FAST,
        **extra,
    }


def cli_args(url: str, *flags: str) -> list[str]:
    args = ["--target", "aws", *flags, "--target-option", f"endpoint_url={url}"]
    for key, value in {"region": REGION, **FAST}.items():
        args += ["--target-option", f"{key}={value}"]
    return args


def aws_target(url: str, console: Any = None, **extra: str) -> AwsTarget:
    return AwsTarget(console=console, **{**options(url), **extra})


# ---- an inventory of the emulated account, independent of the code under test -----------------
@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    tags: dict[str, str] = field(hash=False)
    state: str = ""


def _client(url: str, service: str, region: str = REGION) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}),
    )


def inventory(url: str) -> list[Resource]:
    """Everything in the emulated account and region (IAM and S3 as listed globally)."""
    found: list[Resource] = []
    kms = _client(url, "kms")
    for entry in kms.list_keys()["Keys"]:
        meta = kms.describe_key(KeyId=entry["KeyId"])["KeyMetadata"]
        tags = {
            t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=entry["KeyId"])["Tags"]
        }
        found.append(Resource("key", entry["KeyId"], tags, meta["KeyState"]))
    for alias in kms.list_aliases()["Aliases"]:
        if not alias["AliasName"].startswith("alias/aws/"):
            found.append(Resource("alias", alias["AliasName"], {}, alias.get("TargetKeyId", "")))
    s3 = _client(url, "s3")
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            tag_set = s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
        except ClientError:
            tag_set = []
        found.append(Resource("bucket", bucket["Name"], {t["Key"]: t["Value"] for t in tag_set}))
    firehose = _client(url, "firehose")
    for name in firehose.list_delivery_streams(Limit=1000)["DeliveryStreamNames"]:
        tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"]
        found.append(Resource("delivery stream", name, {t["Key"]: t["Value"] for t in tags}))
    kinesis = _client(url, "kinesis")
    for name in kinesis.list_streams()["StreamNames"]:
        tags = kinesis.list_tags_for_stream(StreamName=name)["Tags"]
        found.append(Resource("kinesis stream", name, {t["Key"]: t["Value"] for t in tags}))
    iam = _client(url, "iam")
    for role in iam.list_roles()["Roles"]:
        tags = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
        found.append(Resource("role", role["RoleName"], {t["Key"]: t["Value"] for t in tags}))
    return found


def live(found: list[Resource]) -> list[Resource]:
    """What still exists and costs: keys pending deletion are as good as gone."""
    return [r for r in found if not (r.kind == "key" and r.state == "PendingDeletion")]


def tagged(found: list[Resource]) -> list[Resource]:
    return [r for r in live(found) if TAG_KEY in r.tags]


def crash(target: AwsTarget) -> None:
    """Forget what the target made, as a killed process would (and disarm its handlers): its
    scenario's ledger, and the run-level resources nobody is left to remove."""
    target.ledger.entries.clear()
    target._owns_run = False
    target.close()


# ---- the guards ------------------------------------------------------------------------------
@pytest.mark.slow
def test_refuses_without_allow_live_aws(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", *cli_args(url, "--account-id", ACCOUNT)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "refusing to use a real AWS account without --allow-live-aws" in err
    assert inventory(url) == []


@pytest.mark.slow
def test_refuses_when_sts_names_another_account(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = cli_args(url, "--allow-live-aws", "--account-id", "111122223333")
    assert main(["run", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "credentials belong to account 123456789012" in err
    assert "not to 111122223333" in err
    assert main(["sweep", *args]) == 2  # the sweep takes the same guards
    assert inventory(url) == []


@pytest.mark.parametrize(
    ("drop", "change", "expected"),
    [
        ("account_id", {}, "needs --account-id ID"),
        ("region", {}, "pinned to one region"),
        (None, {"account_id": "12345"}, "account_id must be 12 digits"),
        (None, {"endpoint_url": "https://firehose.eu-west-1.amazonaws.com"}, "loopback"),
        (None, {"endpoint_url": "http://10.0.0.5:4566"}, "loopback"),
        (None, {"transition_timeout": "soon"}, "transition_timeout must be a number"),
        (None, {"colour": "blue"}, "unknown option(s) colour"),
        (None, {"key_specs": "some"}, "key_specs must be family or all, got 'some'"),
    ],
)
def test_bad_options_are_refused_before_any_call(
    drop: str | None, change: dict[str, str], expected: str, closed_url: str
) -> None:
    given = {**options(closed_url), **change}
    if drop:
        del given[drop]
    with pytest.raises(UsageError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        make_target("aws", **given)


def test_without_endpoint_url_the_credential_chain_is_checked_with_sts() -> None:
    """The real path, kept off AWS by a proxy at a closed local port: the STS check fails
    closed, in one line, and a missing named profile is refused before any call."""
    sts = boto3.client("sts", region_name=REGION)
    assert sts.meta.endpoint_url.startswith("https://")
    assert os.environ["HTTPS_PROXY"].startswith("http://127.0.0.1:")  # else: stop here
    real = {k: v for k, v in options("unused").items() if k != "endpoint_url"}
    with pytest.raises(UsageError, match="cannot ask STS who the credentials are"):
        make_target("aws", **real)
    with pytest.raises(UsageError, match="could not be found"):
        make_target("aws", **real, aws_profile="no-such-profile")


def one_of_each(target: AwsTarget) -> KeyRef:
    """A KMS key with an alias, a data stream, and a delivery stream reading from it: the key."""
    key = actions.create_key(target)
    actions.create_alias(target, key)
    source = actions.create_data_stream(target)
    source_arn = actions.data_stream_summary(target, source)["StreamARN"]
    actions.new_delivery_stream(target, kinesis_stream_arn=source_arn)
    return key


# ---- the plan, names, tags and teardown ------------------------------------------------------
class Watch(io.StringIO):
    """A console that notes how many resources existed when the target first spoke."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.existing_at_first_write: int | None = None

    def write(self, text: str) -> int:
        if self.existing_at_first_write is None and text.strip():
            self.existing_at_first_write = len(inventory(self.url))
        return super().write(text)


@pytest.mark.slow
def test_the_plan_is_printed_before_anything_is_created(url: str) -> None:
    console = Watch(url)
    target = aws_target(url, console=console)
    try:
        assert console.getvalue() == "" and inventory(url) == []  # opening creates nothing
        target.start_scenario()
        plan = console.getvalue()
        assert console.existing_at_first_write == 0
        assert f"account {ACCOUNT}" in plan and f"region {REGION} (pinned, from --region)" in plan
        assert f"fsc-{target.run_id}-" in plan and f"{TAG_KEY}={target.run_id}" in plan
        assert f"IAM role {ROLE_PATH}fsc-{target.run_id}-delivery" in plan
        assert "@slow" in plan and "@scale" in plan and "sweep --target aws" in plan
        assert [r.name for r in inventory(url)] == [f"fsc-{target.run_id}-delivery"]
    finally:
        target.close()
    assert live(inventory(url)) == []


@pytest.mark.slow
def test_every_resource_is_named_and_tagged_and_teardown_removes_it(url: str) -> None:
    target = aws_target(url)
    run = target.run_id
    try:
        target.start_scenario()
        key = one_of_each(target)
        actions.new_delivery_stream(target, encryption=actions.encryption_input(key))

        found = live(inventory(url))
        kinds = {r.kind for r in found}
        assert kinds == {"key", "alias", "bucket", "delivery stream", "kinesis stream", "role"}
        for resource in found:
            if resource.kind == "alias":  # aliases take no tags: their key carries them
                assert resource.name.startswith(f"alias/fsc-{run}-")
                assert resource.state == key.key_id
                continue
            assert resource.tags.get(TAG_KEY) == run, resource
            assert resource.tags.get("firehose-conformance-region") == REGION, resource
            if resource.kind != "key":
                assert resource.name.startswith(f"fsc-{run}-"), resource

        assert target.finish_scenario() == []
        assert [r.kind for r in live(inventory(url))] == ["role"]  # the run's, until close
    finally:
        target.close()
    assert live(inventory(url)) == []
    assert [r.state for r in inventory(url) if r.kind == "key"] == ["PendingDeletion"]


@pytest.mark.slow
def test_teardown_after_passing_failing_and_left_out_scenarios(url: str) -> None:
    """API-02 is @scale: the cost policy leaves it out of the selection (not_selected, with the
    rule as its reason), never judges it. SRC-07 is @slow but also needs a clock the account
    lacks: not applicable, as a capability the target lacks decides."""
    selection = Selection.requirements(["API-04", "KEY-06", "API-02", "SRC-07"])
    results = run_suite("aws", options(url), selection).results
    scenarios = results.scenarios
    verdicts = {s.verdict for s in scenarios}
    assert {"passed", "failed"} <= verdicts  # moto passes API-04 and fails KEY-06
    assert "error" not in verdicts, [s.reason for s in scenarios if s.verdict == "error"]
    requirements = {r.id: r for r in results.requirements}
    scale = requirements["API-02"]
    assert scale.verdict == "not_selected" and scale.left_out == 1
    assert "cost policy: @scale (1 scenario): needs hundreds or thousands" in scale.reason
    assert "API-02" not in {rid for s in scenarios for rid in s.requirements}
    assert [g.rule for g in results.left_out] == ["@scale"]
    assert requirements["SRC-07"].verdict == "not_applicable"
    assert "lacks @needs-clock" in requirements["SRC-07"].reason
    assert live(inventory(url)) == []
    assert {r.state for r in inventory(url) if r.kind == "key"} == {"PendingDeletion"}


@pytest.mark.slow
def test_key_spec_rows_left_out_alike_serial_and_with_workers(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """KEY-10's key-spec outline on the account: one row per key family runs, the rest are
    recorded as left out (a requirement judged on the rows it kept says how many), the close
    says so and how to include them; -n 2 (each worker collects and deselects alike) records
    the same; key_specs=all runs every row."""
    records = {}
    for workers in ("0", "2"):
        path = tmp_path / f"results-{workers}.json"
        args = ["run", *cli_args(url, *LIVE_FLAGS), "-n", workers, "--results", str(path)]
        main([*args, "--quiet", "--", "-m", "KEY-10"])
        out = capsys.readouterr().out
        assert (
            "left out by the aws target's cost policy (not selected): 1 scenario: 1 by "
            "key_specs=family (one row per key family" in out
        )
        assert "--target-option key_specs=all runs every row)" in out
        results = read_results(path)
        records[workers] = (
            results.left_out,
            {r.id: (r.verdict, r.left_out) for r in results.requirements if r.left_out},
            sorted(s.name for s in results.scenarios),
        )
    assert records["0"] == records["2"]
    left_out, counted, names = records["0"]
    assert [(g.rule, g.considered, g.scenarios) for g in left_out] == [
        (
            "key_specs=family",
            6,
            ["KMS describes each key spec with its usage (ECC_NIST_EDWARDS25519)"],
        )
    ]
    assert counted.keys() == {"KEY-10"} and counted["KEY-10"][1] == 1
    assert counted["KEY-10"][0] != "not_selected"  # judged on the rows it kept
    assert not any("ECC_NIST_EDWARDS25519" in name for name in names)
    every = run_suite("aws", options(url, key_specs="all"), Selection.requirements(["KEY-10"]))
    assert every.results.left_out == []
    assert len(every.results.scenarios) == len(names) + 1
    assert live(inventory(url)) == []


@pytest.mark.slow
def test_capabilities_and_generous_overridable_waits(url: str) -> None:
    target = AwsTarget(**{k: v for k, v in options(url).items() if k not in FAST})
    assert not {Capability.CLOCK, Capability.AT_REST, Capability.KEY_DELETION} & target.capabilities
    assert {rule.name for rule in target.cost_policy({}).rules()} == {
        "@slow",
        "@scale",
        "key_specs=family",
    }
    assert target.profile.transition_timeout >= 600 and target.profile.metric_timeout >= 900
    assert target.profile.delivery_timeout >= 900 and target.profile.poll_max >= 15
    target.close()
    faster = aws_target(url, transition_timeout="7")
    assert faster.profile.transition_timeout == 7
    faster.close()


@pytest.mark.slow
def test_delivery_role_trusts_firehose_and_key_policies_deny_it(url: str) -> None:
    target = aws_target(url)
    try:
        target.start_scenario()
        role_arn = target.delivery_role_arn()
        role = _client(url, "iam").get_role(RoleName=role_arn.rsplit("/", 1)[1])["Role"]
        trust = role["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
        policy = _client(url, "iam").get_role_policy(
            RoleName=role["RoleName"], PolicyName=role["RoleName"]
        )["PolicyDocument"]
        policy = json.loads(policy) if isinstance(policy, str) else policy
        actions_named = {a.split(":")[0] for s in policy["Statement"] for a in s["Action"]}
        assert actions_named == {"s3", "kinesis", "kms"}
        assert f"fsc-{target.run_id}-" in json.dumps(policy)
        key = actions.create_key(target)
        actions.deny_key_use(target, key, ("kms:Decrypt",))  # KMS accepts the policy
        actions.deny_key_use(target, key)
    finally:
        target.close()
    assert live(inventory(url)) == []


@pytest.mark.slow
def test_a_given_delivery_role_is_used_and_left_alone(url: str) -> None:
    iam = _client(url, "iam")
    arn = iam.create_role(RoleName="mine", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    target = aws_target(url, role_arn=arn)
    target.start_scenario()
    assert target.delivery_role_arn() == arn
    target.close()
    assert [r.name for r in inventory(url)] == ["mine"]


@pytest.mark.slow
def test_a_caller_without_kms_permissions_is_a_role_of_the_run(url: str) -> None:
    target = aws_target(url)
    try:
        target.start_scenario()
        caller = target.restricted_caller(actions.create_key(target))
        assert caller.meta.endpoint_url == url
        names = {r.name: r.tags for r in live(inventory(url)) if r.kind == "role"}
        assert names[f"fsc-{target.run_id}-caller"][TAG_KEY] == target.run_id
    finally:
        target.close()
    assert live(inventory(url)) == []


@pytest.mark.slow
def test_a_5xx_is_retried_then_an_error_naming_it(url: str) -> None:
    class Failing:
        calls = 0

        def describe_delivery_stream(self, **_: Any) -> None:
            Failing.calls += 1
            raise ClientError(
                {
                    "Error": {"Code": "InternalFailure", "Message": "boom"},
                    "ResponseMetadata": {"HTTPStatusCode": 500},
                },
                "DescribeDeliveryStream",
            )

    target = aws_target(url)
    with pytest.raises(TargetMisbehaved, match=r"HTTP 500 InternalFailure .*after 3 attempts"):
        target.invoke(Failing(), "describe_delivery_stream", {}, retry_throttling=True)
    assert Failing.calls == 3
    target.close()


# ---- one run across xdist workers ----------------------------------------------------------------
def _workers_of_one_run(url: str, run: SharedRun, console: Any) -> list[AwsTarget]:
    """Three workers' targets joined to ``run`` (as run -n 3 joins them), each with a scenario
    that encrypts a delivery stream with the run's shared key: the keys they got."""
    workers = [aws_target(url, console=console) for _ in range(run.workers)]
    plan = RunPlan()  # as many scenarios as workers, each borrowing a symmetric key
    for _ in workers:
        plan.add(ScenarioDemand(keys={"K": PoolKey(*SYMMETRIC, lent=True)}))
    for n, worker in enumerate(workers):
        worker.join_run(dataclasses.replace(run, worker=f"gw{n}"))
        worker.expect(plan)
    for worker in workers:
        worker.start_scenario()
        assert worker.pool is not None
        key = worker.pool.key(worker, PoolKey(*SYMMETRIC))
        actions.new_delivery_stream(worker, encryption=actions.encryption_input(key))
    return workers


@pytest.mark.slow
def test_workers_of_one_run_share_its_pool_and_the_controller_removes_it(
    url: str, tmp_path: Path
) -> None:
    """One run id for every worker's names and tags, names no two workers repeat, one shared
    key and one delivery role for all; a worker's close leaves the run-level resources (another
    may still use them); the controller's, once every worker is down, removes them and says
    what all of them made."""
    run = SharedRun("a1b2c3", str(tmp_path), "", 3)
    console = io.StringIO()
    workers = _workers_of_one_run(url, run, console)
    found = live(inventory(url))
    assert {r.tags.get(TAG_KEY) for r in found if r.kind != "alias"} == {run.run_id}
    buckets = [r.name for r in found if r.kind == "bucket"]
    assert len(buckets) == len(set(buckets)) == 3
    assert [r.kind for r in found].count("key") == 1 and [r.kind for r in found].count("role") == 1
    assert console.getvalue().count("about to create:") == 1  # the plan, once for the run
    assert "run -n 3: one run and one pool for all workers" in console.getvalue()
    assert "lent keys 1 to 3, KMS keys 1 to 3" in console.getvalue()  # 3 borrowers at once
    for worker in workers:
        assert worker.finish_scenario() == []
    for worker in workers:
        worker.close()
        assert sorted(r.kind for r in live(inventory(url))) == ["key", "role"]  # still the run's
    assert "created:" not in console.getvalue()  # the workers leave that to the controller

    controller = aws_target(url, console=console)
    controller.join_run(run)
    controller.close()
    assert live(inventory(url)) == []
    end = console.getvalue()
    assert "created: KMS keys 1, KMS aliases 0, S3 buckets 3, Firehose delivery streams 3" in end
    assert "IAM roles 1 (by 3 workers)" in end
    assert f"run {run.run_id} removed everything it created" in end


@pytest.mark.slow
def test_a_worker_started_in_place_of_a_dead_one_repeats_no_name(url: str, tmp_path: Path) -> None:
    run = SharedRun("a1b2c3", str(tmp_path), "gw1", 2)
    dead, again, other = aws_target(url), aws_target(url), aws_target(url)
    dead.join_run(run)
    again.join_run(run)
    other.join_run(dataclasses.replace(run, worker="gw0"))
    names = [t.unique_name("bucket") for t in (dead, again, other) for _ in range(3)]
    assert len(set(names)) == len(names)
    assert names[:3] == ["fsc-a1b2c3-bucket-2", "fsc-a1b2c3-bucket-4", "fsc-a1b2c3-bucket-6"]
    for target in (again, other):
        target.close()
    state = run.registry.read()
    assert state.joined == ["gw1", "gw1", "gw0"] and sorted(state.finished) == ["gw0", "gw1"]
    console = io.StringIO()
    controller = aws_target(url, console=console)
    controller.join_run(dataclasses.replace(run, worker=""))
    with run.registry.open() as found:
        found.plan_printed = True  # as if a scenario had started
    controller.close()
    assert "could not remove: the scenario in flight in gw1" in console.getvalue()


@pytest.mark.slow
def test_without_posix_file_locks_a_worker_refuses_to_join(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from firehose_conformance.targets import aws

    monkeypatch.setattr(aws, "SHARED_ACROSS_PROCESSES", False)
    target = aws_target(url)
    with pytest.raises(ValueError, match="run -n N needs POSIX file locks"):
        target.join_run(SharedRun("a1b2c3", str(tmp_path), "gw0", 2))
    target.close()


@pytest.mark.slow
def test_the_pool_of_a_run_whose_workers_died_is_found_by_the_sweep_the_plan_names(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = SharedRun("d4e5f6", str(tmp_path), "", 2)
    workers = _workers_of_one_run(url, run, io.StringIO())
    for worker in workers:
        crash(worker)
    left = tagged(inventory(url))
    assert {r.kind for r in left} == {"key", "role", "bucket", "delivery stream"}
    assert main(["sweep", *cli_args(url, *LIVE_FLAGS), "--run-id", run.run_id, "--yes"]) == 0
    assert tagged(inventory(url)) == []
    assert "0 remain" in capsys.readouterr().out


# ---- sweep -----------------------------------------------------------------------------------
def _foreign_resources(url: str) -> set[tuple[str, str]]:
    """Resources that look like the suite's but lack one of its marks: sweep must spare them."""
    s3 = _client(url, "s3")
    where = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3.create_bucket(Bucket="fsc-untagged", **where)  # the prefix, no tag
    s3.create_bucket(Bucket="not-the-suites", **where)  # the tag, no prefix
    s3.put_bucket_tagging(
        Bucket="not-the-suites", Tagging={"TagSet": [{"Key": TAG_KEY, "Value": "abc123"}]}
    )
    s3.create_bucket(Bucket="fsc-other-region", **where)  # a run in another region
    s3.put_bucket_tagging(
        Bucket="fsc-other-region",
        Tagging={
            "TagSet": [
                {"Key": TAG_KEY, "Value": "abc123"},
                {"Key": "firehose-conformance-region", "Value": "us-west-2"},
            ]
        },
    )
    key = _client(url, "kms").create_key(Description="firehose-conformance test key")
    _client(url, "kinesis").create_stream(StreamName="fsc-untagged-kds", ShardCount=1)
    _client(url, "iam").create_role(
        RoleName="fsc-untagged-role", Path=ROLE_PATH, AssumeRolePolicyDocument="{}"
    )
    _client(url, "firehose").create_delivery_stream(
        DeliveryStreamName="fsc-untagged-fh",
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/x",
            "BucketARN": "arn:aws:s3:::fsc-untagged",
        },
    )
    return {(r.kind, r.name) for r in inventory(url)} | {("key", key["KeyMetadata"]["KeyId"])}


def _leave_leftovers(url: str) -> AwsTarget:
    """A run that made one of everything and then died without teardown."""
    target = aws_target(url)
    target.start_scenario()
    one_of_each(target)
    crash(target)
    return target


@pytest.mark.slow
def test_sweep_lists_then_removes_only_what_the_suite_tagged(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = _foreign_resources(url)
    first, second = _leave_leftovers(url), _leave_leftovers(url)
    made = len(tagged(inventory(url)))
    assert made == 12  # per run: role, key, Kinesis stream, bucket, stream; 2 look-alikes
    sweep = ["sweep", *cli_args(url, *LIVE_FLAGS)]

    assert main(sweep) == 0  # a dry run
    out = capsys.readouterr().out
    assert "dry run: 12 leftover(s)" in out  # and one alias per run
    for kind in ("delivery stream", "Kinesis stream", "S3 bucket", "KMS alias", "KMS key"):
        assert kind in out
    assert "schedule deletion in 7 days" in out and "untagged" not in out
    assert len(tagged(inventory(url))) == made

    assert main([*sweep, "--run-id", first.run_id, "--yes"]) == 0
    assert {r.tags[TAG_KEY] for r in tagged(inventory(url))} == {second.run_id, "abc123"}

    assert main([*sweep, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "0 remain" in out
    remaining = {(r.kind, r.name) for r in inventory(url)}
    assert foreign <= remaining  # every look-alike survives, untouched
    assert [r.name for r in tagged(inventory(url))] == ["not-the-suites", "fsc-other-region"]
    kms = _client(url, "kms")
    foreign_key = next(name for kind, name in foreign if kind == "key")
    assert kms.describe_key(KeyId=foreign_key)["KeyMetadata"]["KeyState"] == "Enabled"
    assert main(sweep) == 0
    assert "no leftovers" in capsys.readouterr().out


# ---- interrupted runs ------------------------------------------------------------------------
def _start_run(url: str, tmp_path: Path) -> subprocess.Popen[str]:
    """The CLI in a child process, on the PUT-02 scenarios (each waits 6 s with a key, a
    bucket, a delivery stream and the run's role in place)."""
    argv = [sys.executable, "-m", "firehose_conformance.cli", "run", *cli_args(url, *LIVE_FLAGS)]
    argv += ["--results", str(tmp_path / "r.json"), "--junit", str(tmp_path / "j.xml")]
    argv += ["--quiet", "--", "-m", "PUT-02 and not needs-key-deletion"]
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_resources(url: str, child: subprocess.Popen[str]) -> list[Resource]:
    wanted = {"key", "bucket", "delivery stream", "role"}
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        found = tagged(inventory(url))
        if wanted <= {r.kind for r in found}:
            return found
        if child.poll() is not None:
            pytest.fail(f"the run ended before creating its resources:\n{child.stdout.read()}")
        time.sleep(0.2)
    child.kill()
    pytest.fail("the run created no tagged resources within 40 s")


@pytest.mark.slow
def test_sigkill_mid_run_then_sweep_leaves_zero_tagged_resources(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    child = _start_run(url, tmp_path)
    _wait_for_resources(url, child)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    child.stdout.close()
    left = tagged(inventory(url))
    assert {"key", "bucket", "delivery stream", "role"} <= {r.kind for r in left}

    assert main(["sweep", *cli_args(url, *LIVE_FLAGS), "--yes"]) == 0
    assert tagged(inventory(url)) == []
    keys = [r for r in inventory(url) if r.kind == "key"]
    assert keys and {r.state for r in keys} == {"PendingDeletion"}


@pytest.mark.slow
def test_sigterm_mid_run_tears_everything_down(url: str, tmp_path: Path) -> None:
    child = _start_run(url, tmp_path)
    _wait_for_resources(url, child)
    child.send_signal(signal.SIGTERM)
    output, _ = child.communicate(timeout=30)
    assert "removed everything it created" in output, output
    assert tagged(inventory(url)) == []
    assert {r.state for r in inventory(url) if r.kind == "key"} == {"PendingDeletion"}
