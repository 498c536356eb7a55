"""What one full aws-target run creates, with the per-run key pool and without it, side by side.

The counts come from the scenarios' steps (firehose_conformance/resources.py), as the aws
target's plan states them; "without the pool" gives every key a scenario names (or makes for
itself) to that scenario, as before issue 16. ``--moto`` also runs the aws target against
moto_server in process (dummy credentials, loopback only; about 7 minutes on 2 cores) and prints
what it really created beside the plan (moto refuses some key specs and some scenarios stop
early there, so it creates less than a real account would). ``--workers N`` runs it as
``run -n N`` does (one run and one key pool for all workers): its counts should be the serial
run's, apart from lent keys borrowed by scenarios in flight at once.

    python bench/bench_resources.py
    python bench/bench_resources.py --moto
    python bench/bench_resources.py --moto --workers 4
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from typing import Any

import pytest

from firehose_conformance.pricing import describe, estimate
from firehose_conformance.resources import Kind, RunPlan, runs_on, scenario_demand
from firehose_conformance.runner import ROOT, STEPS_DIR, run_suite
from firehose_conformance.targets.aws import EXCLUDED_TAGS, AwsTarget

FAST = {"transition_timeout": "5", "delivery_timeout": "5", "metric_timeout": "5"}
FAST |= {"grant_timeout": "5", "poll_initial": "0.2", "poll_max": "1"}


class _AwsLike:
    excluded_tags = EXCLUDED_TAGS
    capabilities = AwsTarget.capabilities

    def has(self, capability: Any) -> bool:
        return capability in self.capabilities


def collected() -> list[Any]:
    class Keep:
        def __init__(self) -> None:
            self.items: list[Any] = []

        def pytest_collection_finish(self, session: pytest.Session) -> None:
            self.items = list(session.items)

    keep = Keep()
    args = [str(STEPS_DIR), f"--rootdir={ROOT}", "-p", "firehose_conformance.plugin"]
    args += ["-p", "no:cacheprovider", "--import-mode=importlib", "--collect-only", "-qq"]
    pytest.main(args, plugins=[keep])
    return keep.items


def plans(items: list[Any]) -> tuple[RunPlan, Counter[Kind]]:
    """The plan with the pool, and the counts without it (every key the scenario's own)."""
    plan = RunPlan()
    without: Counter[Kind] = Counter()
    for item in items:
        if not runs_on(_AwsLike(), item):
            continue
        demand = scenario_demand(item)
        plan.add(demand)
        without.update(demand.counts)
        without[Kind.KMS_KEY] += len(demand.pool_keys)
    for kind in Kind:
        without[kind] += plan.per_run[kind]
    without[Kind.IAM_ROLE] += 1  # the delivery role
    return plan, without


def run_on_moto(workers: int = 0) -> dict[str, Any]:
    from moto.server import ThreadedMotoServer

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    empty = tempfile.mkdtemp(prefix="fsc-bench-")
    os.environ["AWS_CONFIG_FILE"] = os.path.join(empty, "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(empty, "credentials")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    options = {"endpoint_url": f"http://{host}:{port}", "allow_live_aws": "yes"}
    options |= {"account_id": "123456789012", "region": "eu-west-1", **FAST}
    try:
        run = run_suite("aws", options, workers=workers)
    finally:
        server.stop()
    return run.results.provenance["target"]["resources"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto", action="store_true", help="also run it against moto_server")
    parser.add_argument(
        "--workers", type=int, default=0, metavar="N", help="with --moto: as run -n N does"
    )
    args = parser.parse_args(argv)
    plan, without = plans(collected())
    planned = plan.totals()
    planned[Kind.IAM_ROLE.value] += 1  # the delivery role
    measured = run_on_moto(args.workers) if args.moto else None
    print(f"a full aws-target run: {plan.scenarios} scenarios run on the account")
    head = f"{'resource':<28}{'without pool':>14}{'with pool':>12}"
    where = f"moto -n {args.workers}" if args.workers else "moto"
    print(head + (f"{where + ': created':>20}" if measured else ""))
    for kind in Kind:
        line = f"{kind.value:<28}{without[kind]:>14}{planned[kind.value]:>12}"
        if measured:
            line += f"{measured['created'].get(kind.value, 0):>20}"
        print(line)
    lent = sum(1 for key in plan.pool_keys() if key.lent)
    print(
        f"KMS keys with the pool: {len(plan.pool_keys()) - lent} shared + {lent} lent (one "
        f"scenario at a time, restored after it) + {plan.own[Kind.KMS_KEY]} of scenarios that "
        "make them as the check or change them for good"
    )
    if args.workers:
        most = plan.lent_at_most(args.workers)
        print(f"with -n {args.workers}: lent keys {lent} to {most} (scenarios in flight at once)")
    if measured:
        pooled = measured["pooled_keys"]
        made_lent = sum(1 for name in pooled if name.startswith("lent "))
        print(
            f"{where}: pooled keys made {len(pooled)} = {len(pooled) - made_lent} shared + "
            f"{made_lent} lent"
        )
    print("with the pool:")
    print("\n".join("  " + line for line in describe(estimate(plan))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
